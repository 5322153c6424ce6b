"""One call as a list of analysed turns, and what a seller turn does (its context class).

Shared by moments, responses, reasons and disqualifiers; pure, no spaCy calls (the docs are made once
in `pipeline.detect.detect`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.detect.questions import Clause, QuestionInfo
from pipeline.nlp import CueView

# A backchannel: the other speaker keeps the floor ("ja ja", "hm", "oké", "klopt").
BACKCHANNEL_WORDS = frozenset(
    [
        "ja",
        "jaja",
        "ja-ja",
        "hm",
        "hmm",
        "mm",
        "oké",
        "ok",
        "okay",
        "klopt",
        "precies",
        "inderdaad",
        "juist",
        "zeker",
        "aha",
        "ah",
        "oh",
        "o",
        "nou",
        "tja",
        "goed",
        "prima",
        "top",
        "mooi",
        "helder",
        "duidelijk",
        "snap",
        "ik",
        "begrijp",
        "het",
        "ja-ja",
        "ach",
        "allee",
        "awel",
        "echt",
        "zo",
    ]
)
# Seller acknowledgement words that alone make a "bare acknowledgement" turn.
ACK_WORDS = BACKCHANNEL_WORDS | frozenset(
    [
        "dat",
        "snap",
        "begrijp",
        "ik",
        "kan",
        "me",
        "voorstellen",
        "is",
        "logisch",
        "begrijpelijk",
        "terecht",
        "natuurlijk",
        "uiteraard",
        "jammer",
        "helemaal",
        "hoor",
        "ik",
        "u",
        "je",
        "het",
        "wel",
        "dank",
        "bedankt",
        "ook",
    ]
)

# Seller context classes (codes CX1xx in docs/rules.md)
PROPOSAL = "proposal"  # CX101 an offer, request or proposal the customer can decline
PITCH = "pitch"  # CX102 a pitch, price or argument without a question
NEUTRAL_Q = "neutral_q"  # CX201 an information question about the customer
CLOSING_Q = "closing_q"  # CX103 "heeft u nog vragen?"
NEG_POLAR = "neg_polar"  # CX104 "stoor ik?", "vindt u het erg als...", apologies: "nee" means "go ahead"
STATEMENT = "statement"  # anything else
NONE = "none"  # no seller turn before


@dataclass(slots=True)
class Utt:
    idx: int
    role: str
    start_s: float | None
    end_s: float | None
    text: str
    view: CueView
    q: QuestionInfo
    n_words: int
    labels: frozenset[str] = field(default_factory=frozenset)

    @property
    def words(self) -> list[str]:
        return self.view.words

    def has(self, *labels: str) -> bool:
        return not self.labels.isdisjoint(labels)

    def cues_in(self, start: int, end: int) -> set[str]:
        return {lab for lab, _c, s, e in self.view.cues if s < end and e > start}

    def first(self, label: str) -> int | None:
        for lab, _c, s, _e in self.view.cues:
            if lab == label:
                return s
        return None

    def codes(self, label: str) -> list[str]:
        return [self.view.text(s, e) for lab, _c, s, e in self.view.cues if lab == label]


def is_backchannel(u: Utt, max_words: int = 4) -> bool:
    """A short turn made only of backchannel words ("ja ja", "hm", "oké", "klopt")."""
    w = u.words
    return len(w) <= max_words and all(x in BACKCHANNEL_WORDS for x in w)


def is_bare_ack(u: Utt, max_words: int = 8) -> bool:
    """A seller turn that only acknowledges ("Oké.", "Dat snap ik.", "Ja, helder.")."""
    w = u.words
    if not w:
        return True
    return len(w) <= max_words and not u.q.is_question and all(x in ACK_WORDS for x in w)


def clause_labels(u: Utt, c: Clause) -> set[str]:
    return u.cues_in(c.start, c.end)


def seller_context(u: Utt) -> tuple[str, str]:
    """(class, code) of what a seller turn puts to the customer, judged on its last question."""
    last = u.q.last_question()
    if last is not None:
        labels = clause_labels(u, last)
        if "CLOSING_Q" in labels:
            return CLOSING_Q, "CX103"
        if "NEG_POLAR_Q" in labels:
            return NEG_POLAR, "CX104"
        seg = u.words[last.start : last.end]
        if last.kind == "wh":
            if labels & {"PROPOSAL"} and (_feedback_q(u, last) or _wh_offer(seg)):
                return PROPOSAL, "CX101"
            return NEUTRAL_Q, "CX201"
        if seg and seg[0] in CHECK_STARTS:
            return NEUTRAL_Q, "CX202"
        if labels & {"PROPOSAL"} or (seg and seg[0] in CONDITIONAL):
            return PROPOSAL, "CX101"
        if labels & {"PITCH", "ARGUE"}:
            return PITCH, "CX102"
        if "LOGISTICS" in labels:
            return NEUTRAL_Q, "CX105"
        return NEUTRAL_Q, "CX201"
    tail = [lab for lab, _c, st, _e in u.view.cues if st >= len(u.words) - 8]
    if "CLOSING_Q" in tail:
        return CLOSING_Q, "CX103"
    body = [w for w in u.words if w not in ACK_WORDS]
    if body and body[0] in CHECK_STARTS:
        return NEUTRAL_Q, "CX202"
    if u.has("NEG_POLAR_Q") and not u.has("PITCH", "PROPOSAL"):
        return NEG_POLAR, "CX104"
    if u.has("PROPOSAL") and _statement_offer(u):
        return PROPOSAL, "CX101"
    if u.has("PITCH", "ARGUE"):
        return PITCH, "CX102"
    return STATEMENT, "CX200"


CHECK_STARTS = frozenset(["dus", "oftewel", "kortom"])  # "dus jullie doen het zelf?": a check, not an offer
CONDITIONAL = frozenset(["zou", "zouden"])  # "zou het voor jullie werken om…?": a suggestion


def _wh_offer(seg: list[str]) -> bool:
    """Offers phrased as wh-questions: "wat als ik…", "wat dacht u van…", "hoe zou u het vinden als…"."""
    text = " ".join(seg[:6])
    return text.startswith(
        (
            "wat als",
            "wat dacht",
            "wat denkt u van",
            "wat denk je van",
            "hoe zou u het vinden",
            "hoe zou je het vinden",
            "wat zou u ervan",
            "wat zou je ervan",
        )
    )


def _feedback_q(u: Utt, c: Clause) -> bool:
    seg = u.words[c.start : c.end]
    return any(w in {"ervan", "daarvan", "klinkt", "denkt", "lijkt"} for w in seg)


_OFFER_NOUNS = frozenset(
    [
        "offerte",
        "demo",
        "afspraak",
        "voorstel",
        "proef",
        "proefperiode",
        "proefaccount",
        "proefomgeving",
        "kennismaking",
        "langskomen",
        "vergelijking",
        "berekening",
        "presentatie",
        "gesprek",
        "adviesgesprek",
        "brochure",
        "nieuwsbrief",
        "informatie",
        "uitnodiging",
    ]
)


def _statement_offer(u: Utt) -> bool:
    """A proposal made as a statement: "mijn voorstel is een demo", "ik stuur u een offerte"."""
    return any(w in _OFFER_NOUNS for w in u.words) or (u.has("PROPOSAL") and u.has("PITCH"))
