"""Dutch and Flemish question detection that does not need a question mark.

Rules (codes documented in docs/rules.md):

- QU101 a clause that ends in "?".
- QU102 a wh-word at the start of a clause ("wat", "hoe", "hoeveel", "welke", "waar", "wanneer", "waarom",
  "wie", "hoezo", "waarmee", ...) followed by a verb or a pronoun, not an exclamation ("wat vervelend").
- QU103 verb-first order: a finite verb opening a clause, followed by a second-person subject
  ("heeft u", "heb je", "zou je", "bent u", "hebben jullie", Flemish "hebt ge", "zijt gij"), or a
  first-person offer ("zal ik", "mag ik", "zullen we").
- QU104 a tag question closing a clause: "toch", "of niet", "hè", "niet waar", "klopt dat", "right", "ja?".
- QU105 an embedded question: "ik wilde vragen of", "ik ben benieuwd wat", "mag ik vragen hoe".

Text with sentence punctuation is trusted: a clause is a question when it ends in "?" (QU101) or
embeds one (QU105). Raw speech recognition has no punctuation; there a clause starts at the utterance
start, after a comma, or after a discourse particle ("en", "oké", "ja", "top", "dus", "of" ...), and the
structural rules QU102–QU104 find the questions.

A discovery question (DQ101) is an open question of the seller about the customer's situation or
needs: a wh-question that addresses the customer (u/je/jullie/uw/jouw, or their company), that is not
logistics (address, date, time), not feedback on an offer ("wat vindt u ervan?", "hoe klinkt dat?")
and carries no pitch (price, discount, benefit).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.nlp import CueView

WH = frozenset(
    [
        "wat",
        "wie",
        "waar",
        "wanneer",
        "waarom",
        "hoe",
        "hoeveel",
        "hoelang",
        "welke",
        "welk",
        "waarmee",
        "waarover",
        "waarvoor",
        "waardoor",
        "waaraan",
        "waarin",
        "waarop",
        "waarnaar",
        "hoezo",
        "wiens",
    ]
)
FINITE = frozenset(
    [
        "is",
        "was",
        "zijn",
        "waren",
        "ben",
        "bent",
        "heb",
        "hebt",
        "heeft",
        "hebben",
        "had",
        "hadden",
        "kan",
        "kun",
        "kunt",
        "kunnen",
        "kon",
        "konden",
        "wil",
        "wilt",
        "willen",
        "wou",
        "wilde",
        "zal",
        "zult",
        "zullen",
        "zou",
        "zouden",
        "mag",
        "mogen",
        "moet",
        "moeten",
        "moest",
        "doe",
        "doet",
        "doen",
        "deed",
        "gaat",
        "ga",
        "gaan",
        "ging",
        "komt",
        "kom",
        "komen",
        "kwam",
        "loopt",
        "loop",
        "lopen",
        "zit",
        "zitten",
        "zat",
        "staat",
        "sta",
        "staan",
        "weet",
        "weten",
        "wist",
        "vind",
        "vindt",
        "vinden",
        "denk",
        "denkt",
        "denken",
        "ziet",
        "zie",
        "zien",
        "werkt",
        "werk",
        "werken",
        "gebruikt",
        "gebruik",
        "gebruiken",
        "regelt",
        "regel",
        "regelen",
        "kost",
        "kosten",
        "betaalt",
        "betaal",
        "betalen",
        "speelt",
        "spelen",
        "rijdt",
        "rijden",
        "heet",
        "heten",
        "houdt",
        "houden",
        "krijgt",
        "krijgen",
        "maakt",
        "maken",
        "verkoopt",
        "verkopen",
        "draait",
        "draaien",
        "ligt",
        "liggen",
        "past",
        "passen",
        "lukt",
        "lukken",
        "bevalt",
        "bevallen",
        "verwacht",
        "verwachten",
        "zoekt",
        "zoeken",
        "merkt",
        "merken",
        "valt",
        "vallen",
        "noemt",
        "noemen",
        "beslist",
        "beslissen",
        "hoort",
        "horen",
        "verloopt",
        "verlopen",
        "leveren",
        "levert",
        "werd",
        "wordt",
        "worden",
    ]
)
SECOND_PERSON = frozenset(["u", "je", "jij", "jullie", "ge", "gij", "uw", "jouw", "jou"])
SUBJECT_2P = frozenset(["u", "je", "jij", "jullie", "ge", "gij"])
PRONOUNS = SECOND_PERSON | frozenset(["het", "er", "ze", "zij", "hij", "ik", "we", "wij", "dat", "dit", "die", "men"])
OFFER_VERBS_1P = frozenset(["zal", "mag", "zullen", "kan"])
PARTICLES = frozenset(
    [
        "en",
        "of",
        "maar",
        "dus",
        "oké",
        "ja",
        "nou",
        "nee",
        "top",
        "mooi",
        "prima",
        "super",
        "helder",
        "goed",
        "fijn",
        "duidelijk",
        "ah",
        "oh",
        "o",
        "aha",
        "zeg",
        "trouwens",
        "verder",
        "ook",
        "even",
    ]
)
EXCLAM = frozenset(
    [
        "een",
        "vervelend",
        "fijn",
        "leuk",
        "mooi",
        "jammer",
        "goed",
        "erg",
        "naar",
        "rot",
        "heerlijk",
        "knap",
        "gek",
        "zonde",
        "raar",
        "grappig",
        "interessant",
        "lief",
        "aardig",
        "slim",
        "snel",
        "veel",
        "weinig",
    ]
)
NOT_QUESTION_AFTER_V = frozenset({"wat"})  # "weet je wat" is a discourse marker, not a question
TAGS_1 = frozenset(["toch", "hè", "he", "hé", "ja", "right", "oké", "nee"])
TAGS_STRONG = frozenset(["toch", "hè", "he", "hé"])
EMBED_TRIGGERS = (
    ("vragen", "of"),
    ("benieuwd", "of"),
    ("vraag", "me", "af"),
    ("vroeg", "me", "af"),
)
EMBED_HEADS = frozenset(["vragen", "benieuwd", "vraag", "vroeg", "weten", "nieuwsgierig"])
FEEDBACK = (
    ("vindt", "u", "ervan"),
    ("vind", "je", "ervan"),
    ("vindt", "u", "daarvan"),
    ("vind", "je", "daarvan"),
    ("denkt", "u", "ervan"),
    ("denk", "je", "ervan"),
    ("klinkt", "dat"),
    ("lijkt", "u", "dat"),
    ("lijkt", "je", "dat"),
)
COMPANY = frozenset(
    [
        "bedrijf",
        "zaak",
        "bureau",
        "kantoor",
        "praktijk",
        "team",
        "mensen",
        "medewerkers",
        "afdeling",
        "organisatie",
        "winkel",
    ]
)
STRONG_BREAK = ".?!;:"
INVERSION = frozenset(
    [
        "dan",
        "nu",
        "daar",
        "hier",
        "toen",
        "straks",
        "morgen",
        "vandaag",
        "gisteren",
        "ook",
        "zo",
        "dus",
        "wel",
        "al",
        "misschien",
        "eigenlijk",
        "natuurlijk",
        "echt",
        "gewoon",
        "waar",
        "als",
        "of",
        "dat",
        "die",
        "wat",
        "hoe",
        "want",
        "omdat",
        "zodat",
        "toch",
        "nog",
        "even",
        "daarom",
        "anders",
        "soms",
        "vaak",
        "altijd",
        "nooit",
        "meestal",
        "ineens",
        "dit",
        "deze",
        "waarom",
        "wanneer",
        "welke",
        "hoeveel",
        "er",
        "het",
        "me",
        "mij",
    ]
)
PREPOSITIONS = frozenset(
    ["voor", "met", "in", "op", "aan", "bij", "van", "naar", "over", "tegen", "uit", "tot", "sinds"]
)
EMBEDDERS = frozenset(
    [
        "weet",
        "weten",
        "wist",
        "kijken",
        "kijk",
        "zien",
        "zie",
        "zeggen",
        "zeg",
        "vertellen",
        "precies",
        "is",
        "dat",
        "dit",
        "zo",
        "hoe",
        "wat",
        "alles",
        "iets",
        "niets",
        "niks",
        "begrijp",
        "snap",
        "bedoel",
        "denk",
        "horen",
        "hoor",
        "laten",
    ]
)
IMPERSONAL_V = frozenset(
    ["zou", "is", "kan", "zal", "komt", "past", "lukt", "werkt", "gaat", "wordt", "klopt", "scheelt", "helpt"]
)


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    is_question: bool
    kind: str  # "wh", "yesno", "tag", "embedded", "" (not a question)
    rule: str  # QU1xx code, "" when not a question


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    clauses: tuple[Clause, ...]
    is_question: bool
    n_questions: int
    n_discovery: int
    punctuated: bool

    def questions(self) -> list[Clause]:
        return [c for c in self.clauses if c.is_question]

    def last_question(self) -> Clause | None:
        qs = self.questions()
        return qs[-1] if qs else None


def _segments(view: CueView) -> list[tuple[int, int]]:
    """Sentences: split after strong punctuation (. ? ! ; : and ellipses)."""
    out: list[tuple[int, int]] = []
    start = 0
    n = len(view.words)
    for i, a in enumerate(view.after):
        if a and i + 1 < n and any(ch in STRONG_BREAK or ch == "…" for ch in a):
            out.append((start, i + 1))
            start = i + 1
    if start < n:
        out.append((start, n))
    return out


def _clause_start(words: list[str], after: list[str], s: int, i: int, punctuated: bool = True) -> bool:
    if i == s or words[i - 1] in PARTICLES or "," in after[i - 1]:
        return True
    if (
        not punctuated
        and words[i] in FINITE
        and i + 1 < len(words)
        and words[i + 1] in SUBJECT_2P
        and words[i - 1] not in INVERSION
    ):
        # raw ASR runs sentences together ("je krijgt een uitnodiging van me heb je nog vragen"):
        # verb + "je/u" opens a question unless an adverb or conjunction before it explains the inversion
        return True
    # raw ASR: a wh-word directly followed by a finite verb opens a question wherever it stands
    # ("gefeliciteerd wat betekent dat voor jullie"), unless it is embedded ("weet u wat het kost").
    return (
        words[i] in WH
        and i + 1 < len(words)
        and (words[i + 1] in FINITE or (words[i + 1].endswith("t") and len(words[i + 1]) > 4))
        and words[i - 1] not in EMBEDDERS
    )


def _starts_question(words: list[str], i: int, end: int) -> tuple[str, str]:
    """(kind, rule) when a question starts at word i of a clause ending at `end`, else ("", "")."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < end else ""
    if w in PREPOSITIONS and nxt in WH and i + 2 < end:  # "met hoeveel mensen werkt u", "voor welke rollen…"
        w, nxt, i = nxt, words[i + 2], i + 1
    if w in WH:
        if not nxt or nxt in EXCLAM:
            return ("", "")
        window = words[i + 1 : min(end, i + 6)]
        if any(x in FINITE or x in PRONOUNS for x in window) or w in {"waarom", "hoezo"}:
            return ("wh", "QU102")
        return ("", "")
    if w == "wat" or nxt == "":
        return ("", "")
    if w in FINITE:
        if nxt in SUBJECT_2P:
            after = words[i + 2] if i + 2 < end else ""
            if after in NOT_QUESTION_AFTER_V or (w in {"zeg", "weet", "zie", "snap"} and i + 2 >= end):
                return ("", "")
            return ("yesno", "QU103")
        if nxt in {"ik", "we", "wij"} and w in OFFER_VERBS_1P | {"zullen"} and i + 2 < end:
            return ("yesno", "QU103")
        if nxt in {"het", "dat", "er", "dit"} and i + 2 < end and (w in IMPERSONAL_V or words[i + 2] in SECOND_PERSON):
            return ("yesno", "QU103")
    return ("", "")


def _embedded(words: list[str], s: int, e: int) -> bool:
    seg = words[s:e]
    for j, w in enumerate(seg[:-1]):
        if w in EMBED_HEADS and (seg[j + 1] == "of" or seg[j + 1] in WH or (j + 2 < len(seg) and seg[j + 2] in WH)):
            return True
    return any(tuple(seg[j : j + len(t)]) == t for t in EMBED_TRIGGERS for j in range(len(seg) - len(t) + 1))


def _embedded_wh(words: list[str], s: int, e: int) -> int | None:
    """Position of an embedded wh-question: "mag ik vragen waarom…", "ik ben benieuwd wat…"."""
    for j in range(s, e - 1):
        if words[j] in EMBED_HEADS:
            for k in (j + 1, j + 2):
                if k < e and words[k] in WH:
                    return k
    return None


def _tag(words: list[str], s: int, e: int, mark: bool) -> bool:
    last = words[e - 1]
    if e - s >= 3 and last in TAGS_STRONG:
        return True
    if e - s >= 3 and words[e - 2 : e] in (["of", "niet"], ["niet", "waar"], ["klopt", "dat"], ["klopt", "het"]):
        return True
    return mark and last in TAGS_1


def analyse(view: CueView) -> QuestionInfo:
    """Clauses of one utterance and which of them are questions (no model, no punctuation needed)."""
    words = view.words
    if not words:
        return QuestionInfo((), False, 0, 0, False)
    punctuated = any(a and any(ch in ".?!" for ch in a) for a in view.after)
    clauses: list[Clause] = []
    after = view.after
    for s, e in _segments(view):
        mark = "?" in after[e - 1]
        starts: list[tuple[int, str, str]] = []
        for i in range(s, e):
            if _clause_start(words, after, s, i, punctuated):
                kind, rule = _starts_question(words, i, e)
                if kind:
                    if starts and (punctuated or i - starts[-1][0] < 3):
                        continue
                    starts.append((i, kind, rule))
        emb_wh = _embedded_wh(words, s, e)
        if emb_wh is not None and (not starts or starts[0][1] != "wh"):
            starts = [(emb_wh, "wh", "QU105")]
        if punctuated:
            if mark:
                if starts:
                    i, kind, rule = starts[0]
                    clauses.append(Clause(s, e, True, kind, "QU101" if kind != "wh" else rule))
                else:
                    kind = "tag" if _tag(words, s, e, True) else "yesno"
                    clauses.append(Clause(s, e, True, kind, "QU101"))
            elif _embedded(words, s, e):
                clauses.append(Clause(s, e, True, "embedded", "QU105"))
            elif _tag(words, s, e, False):
                clauses.append(Clause(s, e, True, "tag", "QU104"))
            else:
                clauses.append(Clause(s, e, False, "", ""))
            continue
        # unpunctuated (raw ASR): every question start opens a new clause
        if not starts and _embedded(words, s, e):
            starts.append((s, "embedded", "QU105"))
        if not starts and _tag(words, s, e, mark):
            starts.append((s, "tag", "QU104"))
        if not starts:
            clauses.append(Clause(s, e, False, "", ""))
            continue
        if starts[0][0] > s:
            clauses.append(Clause(s, starts[0][0], False, "", ""))
        for k, (i, kind, rule) in enumerate(starts):
            stop = starts[k + 1][0] if k + 1 < len(starts) else e
            clauses.append(Clause(i, stop, True, kind, rule))
    qs = [c for c in clauses if c.is_question]
    return QuestionInfo(tuple(clauses), bool(qs), len(qs), 0, punctuated)


def _has(seq: list[str], pattern: tuple[str, ...]) -> bool:
    n = len(pattern)
    return any(tuple(seq[j : j + n]) == pattern for j in range(len(seq) - n + 1))


def is_discovery(view: CueView, clause: Clause, cue_labels_in_clause: set[str]) -> bool:
    """DQ101: an open question about the customer's situation or needs (see module doc)."""
    if not clause.is_question:
        return False
    seg = view.words[clause.start : clause.end]
    if clause.kind == "embedded":
        if not any(w in WH for w in seg):
            return False
    elif clause.kind != "wh":
        return False
    if cue_labels_in_clause & {"LOGISTICS", "CLOSING_Q", "ARGUE", "NEG_POLAR_Q"}:
        return False
    return not any(_has(seg, f) for f in FEEDBACK)


def with_discovery(view: CueView, info: QuestionInfo) -> QuestionInfo:
    """The same analysis with `n_discovery` filled in (seller utterances only)."""
    n = 0
    for c in info.questions():
        labels = {lab for lab, _code, s, e in view.cues if s < c.end and e > c.start}
        if is_discovery(view, c, labels):
            n += 1
    return QuestionInfo(info.clauses, info.is_question, info.n_questions, n, info.punctuated)
