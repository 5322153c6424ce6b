"""One call as a list of analysed turns, and what a seller turn does (its context class).

Shared by moments, responses, reasons and disqualifiers; pure, no spaCy calls (the docs are made once
in `pipeline.detect.detect`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.detect.questions import Clause, QuestionInfo
from pipeline.nlp import CueView, Lexicon, first_phrase

# Seller context classes (codes CX1xx in docs/rules.md)
PROPOSAL = "proposal"  # CX101 an offer, request or proposal the customer can decline
PITCH = "pitch"  # CX102 a pitch, price or argument without a question
PITCH_Q = "pitch_q"  # CX107 an information question right after a pitch ("Wij doen X. Hoe doen jullie dat nu?")
NEUTRAL_Q = "neutral_q"  # CX201 an information question about the customer
CLOSING_Q = "closing_q"  # CX103 "heeft u nog vragen?"
NEG_POLAR = "neg_polar"  # CX104 "stoor ik?", "vindt u het erg als...", apologies: "nee" means "go ahead"
WHY_Q = "why_q"  # CX110 the rep asks why (or about the need) after a clear no: the answer gives the reason
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
    context: tuple[str, str] | None = None  # seller_context(), computed once
    names_price: bool | None = None  # reasons.price_quoted(), computed once per seller turn

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


def is_repair_request(u: Utt, max_words: int = 10) -> bool:
    """CX118/RS203 a short turn that only asks the other side to repeat (`turns.repair_requests`: "wat zei u?",
    "sorry, ik verstond u niet", "de lijn kraakt")."""
    return len(u.words) <= max_words and u.view.first_phrase(u.view.lex.phrases("turns.repair_requests")) is not None


def is_backchannel(u: Utt, max_words: int = 4) -> bool:
    """A short turn made only of backchannel words ("ja ja", "hm", "oké", "klopt")."""
    w = u.words
    if len(w) > max_words:
        return False
    bc = u.view.lex.words("turns.backchannel")
    return all(x in bc for x in w)


def is_bare_ack(u: Utt, max_words: int = 8) -> bool:
    """A seller turn that only acknowledges ("Oké.", "Dat snap ik.", "Ja, helder.")."""
    w = u.words
    if not w:
        return True
    if len(w) > max_words or u.q.is_question:
        return False
    lex = u.view.lex
    bc, extra = lex.words("turns.backchannel"), lex.words("turns.ack_extra")
    return all(x in bc or x in extra for x in w)


def clause_labels(u: Utt, c: Clause) -> set[str]:
    return u.cues_in(c.start, c.end)


def seller_context(u: Utt) -> tuple[str, str]:
    """(class, code) of what a seller turn puts to the customer, judged on its last question."""
    if u.context is None:
        u.context = _seller_context(u)
    return u.context


def _seller_context(u: Utt) -> tuple[str, str]:
    lex = u.view.lex
    if u.has("CANCEL_REF") or _reported_cancel(u):
        # CX117 a retention call: the rep brings up the customer's own cancellation ("ik zag uw opzegging
        # binnenkomen", "ik hoorde dat ge wilt opzeggen"); the answer keeps or takes back that no, as after a proposal
        return PROPOSAL, "CX117"
    last = u.q.last_question()
    if last is not None:
        labels = clause_labels(u, last)
        if "CLOSING_Q" in labels:
            closing_at = min((max(s, last.start) for lab, _c, s, e in u.view.cues
                              if lab == "CLOSING_Q" and s < last.end and e > last.start), default=last.start)
            if closing_at > last.start and offer_frame(u.words[last.start : closing_at], lex):
                # "Mag ik u volgende week even nabellen of alles duidelijk is?": an offer before the closing words
                return PROPOSAL, "CX108"
            return CLOSING_Q, "CX103"
        if "NEG_POLAR_Q" in labels:
            return NEG_POLAR, "CX104"
        if "COURTESY" in labels and not _pitch_behind(u, last, "COURTESY"):
            # "wil je een kop koffie?", "hoort u me goed?", "zal ik ter bevestiging bellen?"; not where a pitch runs
            # on behind it in raw ASR ("mag ik nog één ding vragen eh we hebben ook een losse module …")
            return NEUTRAL_Q, "CX205"
        if "DETAIL_Q" in labels:
            return NEUTRAL_Q, "CX206"  # a detail check: "kan ik u op het vaste nummer bellen?", "met ij?"
        seg = u.words[last.start : last.end]
        lead = _skip_particles(seg, lex.words("questions.particles"))
        if (last.kind == "tag" or "toch" in seg) and "geen" in seg and not _leading_benefit(seg, lex, last.kind):
            # "… u heeft geen melkrobot, toch?", "u heeft toch geen contract lopen bij …?" check a fact: "nee"
            # answers it
            return NEUTRAL_Q, "CX202"
        if last.kind == "tag" and any(w in lex.words("turns.past_question_starts") for w in lead[:2]) \
                and not _leading_benefit(seg, lex, last.kind):
            return NEUTRAL_Q, "CX202"  # "Dat was de offerte voor het alarm met twee camera's, toch?" checks a past fact
        if first_phrase(seg, lex.phrases("turns.check_tails")):
            return NEUTRAL_Q, "CX202"  # "… ge rijdt met een hybride, als ik het goed heb?" checks a fact
        if last.kind != "wh" and (offer_frame(seg, lex) or _inverted_offer(seg, lex)):
            return PROPOSAL, "CX108"
        if last.kind != "wh" and _time_only(seg, lex) and offer_frame(u.words[: last.start], lex):
            # "Dan kan ik een adviseur langs sturen. Volgende week donderdag?": the time of the offer before it
            return PROPOSAL, "CX116"
        if seg and seg[0] in lex.words("turns.check_starts") and not _wh_offer(seg, lex):
            if last.kind != "wh" and _leading_benefit(seg, lex, last.kind):
                return PITCH, "CX112"  # "dus dan is een tweede leverancier toch verstandig?" is no check
            return NEUTRAL_Q, "CX202"
        if last.kind != "wh" and rhetorical_want(seg, lex):
            return PITCH, "CX113"  # "En u wilt toch ook niet straks geld weggooien?"
        if _pitch_after(u, last):
            return PITCH, "CX114"  # "Dan is de keuze toch snel gemaakt? Wij rekenen geen transactiekosten, …"
        if last.kind == "wh":
            if seg and seg[0] in lex.words("turns.when_words") and offer_frame(u.words[: last.start], lex):
                # CX116 "Ik kom er deze week met de demomachine. Wanneer zijt ge op de werf?": when to do the offer
                return PROPOSAL, "CX116"
            if labels & {"PROPOSAL"} and (_feedback_q(u, last) or _wh_offer(seg, lex)):
                return PROPOSAL, "CX101"
            if _wh_offer(seg, lex):
                return PROPOSAL, "CX101"
            if first_phrase(seg, lex.phrases("turns.verdict_questions")):
                return PROPOSAL, "CX115"  # "wat vindt u ervan?", "en, wat vonden ze ervan?": a verdict on the offer
            if _pitched_before(u, last) and not labels & {"LOGISTICS"}:
                return PITCH_Q, "CX107"
            return NEUTRAL_Q, "CX201"
        if (seg and seg[0] in lex.words("turns.check_starts")) or (lead and lead[0] in lex.words("turns.check_starts")):
            return NEUTRAL_Q, "CX202"
        if len(lead) > 1 and lead[0] in lex.words("turns.instruction_verbs") and lead[1] in {"ik", "we", "wij"}:
            return NEUTRAL_Q, "CX203"  # "moet ik nog iemand uitnodigen?": the seller asks for instructions
        if last.kind != "wh" and first_phrase(seg, lex.phrases("turns.offer_review_questions")):
            # CX115 a follow-up: "heeft u er al naar kunnen kijken?", "hebben jullie de offerte kunnen bekijken?" asks
            # for the verdict on the offer sent, not about the past: the answer takes or declines it
            return PROPOSAL, "CX115"
        if lead and lead[0] in lex.words("turns.past_question_starts"):
            return NEUTRAL_Q, "CX204"  # "Had u er voor de demo al eens over nagedacht?" asks about the past
        if lead and lead[0] in lex.words("turns.perfect_starts") and "al" in lead:
            return NEUTRAL_Q, "CX204"  # "Heeft u daar al een offerte voor laten maken?" asks what is done so far
        if labels & {"PROPOSAL"} or (lead and lead[0] in lex.words("turns.conditional_starts")):
            return PROPOSAL, "CX101"
        if alternative_offer(seg, lex):
            return PROPOSAL, "CX111"
        if _leading_benefit(seg, lex, last.kind):
            return PITCH, "CX112"  # "dat zou toch een mooie stap vooruit zijn?": a benefit put as a question
        if labels & {"PITCH", "ARGUE"}:
            return PITCH, "CX102"
        if "LOGISTICS" in labels:
            return NEUTRAL_Q, "CX105"
        if _pitched_before(u, last):
            return PITCH_Q, "CX107"
        return NEUTRAL_Q, "CX201"
    tail = [lab for lab, _c, st, _e in u.view.cues if st >= len(u.words) - 8]
    # ... or a short turn that opens with it: "nog iets wat ik moet weten voor de offerte" (raw ASR, no "?")
    opens = len(u.words) <= 10 and any(lab == "CLOSING_Q" and st <= 1 for lab, _c, st, _e in u.view.cues)
    if "CLOSING_Q" in tail or opens:
        return CLOSING_Q, "CX103"
    if first_phrase(u.words[-8:], lex.phrases("turns.check_tails")):
        return NEUTRAL_Q, "CX202"  # raw ASR, no "?": "… ge rijdt met een hybride als ik het goed heb"
    if "DETAIL_Q" in tail:
        return NEUTRAL_Q, "CX206"  # raw ASR: "… plannen we een afspraak schrijf ik van der heijden met ij"
    ack = lex.words("turns.backchannel") | lex.words("turns.ack_extra")
    body = [w for w in u.words if w not in ack]
    if body and body[0] in lex.words("turns.check_starts"):
        return NEUTRAL_Q, "CX202"
    ends_on_it = any(lab == "NEG_POLAR_Q" and e >= len(u.words) - 1 for lab, _c, _s, e in u.view.cues)
    if "NEG_POLAR_Q" in tail and (ends_on_it or not u.has("PITCH", "PROPOSAL")):
        # an apology or "stoor ik?" that ends the turn ("… en ik bel volgende week na, u heeft toch geen
        # bezwaar"); one that opens a long turn ("oh excuus, … wij verzorgen …") is not what the customer answers
        return NEG_POLAR, "CX104"
    if any(lab == "CLOSE" and st >= len(u.words) - 10 for lab, _c, st, _e in u.view.cues):
        # CX207 the rep walks away at the end of the turn ("dan ga ik u niet lastig vallen met een voorstel"): the
        # offer word in it is not put to the customer
        return STATEMENT, "CX207"
    if u.has("PROPOSAL") and _statement_offer(u):
        return PROPOSAL, "CX101"
    if rhetorical_want(u.words[-16:], lex):
        return PITCH, "CX113"  # "dan wilt u toch ook dat die trekkers recht rijden" (raw ASR, no "?")
    tail_clause = u.q.clauses[-1] if u.q.clauses else None
    tail_start = tail_clause.start if tail_clause is not None else 0
    if offer_frame(u.words[max(tail_start, len(u.words) - 16) :], lex):
        return PROPOSAL, "CX108"
    if u.has("PITCH", "ARGUE"):
        return PITCH, "CX102"
    return STATEMENT, "CX200"


def _pitch_cue_in(u: Utt, lo: int, hi: int) -> bool:
    """A PITCH or ARGUE cue starts at a word in [lo, hi)."""
    return any(lab in ("PITCH", "ARGUE") and lo <= s < hi for lab, _c, s, _e in u.view.cues)


def _pitch_behind(u: Utt, c: Clause, label: str) -> bool:
    """The clause runs on for six words or more behind its first `label` cue, with a PITCH or ARGUE cue there."""
    at = next((e for lab, _c, s, e in u.view.cues if lab == label and c.start <= s < c.end), None)
    return at is not None and c.end - at >= 6 and _pitch_cue_in(u, at, c.end)


def _pitch_after(u: Utt, last: Clause) -> bool:
    """CX114 the turn goes on after its last yes/no question with a pitch (at least five more words, a PITCH or
    ARGUE cue): the customer answers the pitch, not the question before it."""
    if last.kind == "wh":  # "Mag ik vragen wat u tegenhoudt? Het klonk alsof het u tijd kost." still asks
        return False
    end = last.end
    return len(u.words) - end >= 5 and _pitch_cue_in(u, end, len(u.words))


def _skip_particles(seg: list[str], particles: frozenset[str]) -> list[str]:
    k = 0
    while k < len(seg) - 1 and seg[k] in particles:
        k += 1
    return seg[k:]


def _leading_benefit(seg: list[str], lex: Lexicon, kind: str) -> bool:
    """CX112 a yes/no or tag question that puts a benefit to the customer (`responses.leading_words`) with "toch"
    or "niet", or as a tag ("dat zou toch mooi zijn?", "is dat niet handiger?", "scheelt u tijd, hè?")."""
    lead = lex.words("responses.leading_words")
    body = _skip_particles(seg, lex.words("questions.particles"))  # "fijn, dan loop ik … klopt dat?" opens with "fijn"
    if not any(w in lead or (w.endswith("e") and w[:-1] in lead) for w in body):  # "mooie", "handige"
        return False
    return kind == "tag" or "toch" in seg or "niet" in seg


def rhetorical_want(seg: list[str], lex: Lexicon) -> bool:
    """CX113 "u wilt toch ook dat …", "dat wilt ge toch voorkomen": what the customer must want, put to them as
    a given; a pitch whether or not the transcript marks it as a question (`turns.want_verbs`)."""
    want, you = lex.words("turns.want_verbs"), lex.words("questions.subject_2p")
    for k in range(len(seg) - 2):
        a, b = seg[k], seg[k + 1]
        if ((a in want and b in you) or (a in you and b in want)) and "toch" in seg[k + 2 : k + 4]:
            return True
    return False


def _pitched_before(u: Utt, c: Clause) -> bool:
    """CX107: a neutral question closing a pitch ("Wij doen X voor praktijken. Hoe doen jullie dat nu?")."""
    if _pitch_cue_in(u, 0, c.start):
        return True
    starts = u.view.lex.words("turns.self_presentation_starts")
    return any(not x.is_question and x.end <= c.start and u.words[x.start] in starts for x in u.q.clauses)


def _wh_offer(seg: list[str], lex: Lexicon) -> bool:
    """Offers phrased as wh-questions: "wat als ik…", "wat dacht u van…", "hoe zou u het vinden als…"."""
    text = " ".join(_skip_particles(seg, lex.words("questions.particles"))[:6])
    return text.startswith(lex.phrases("turns.wh_offer_starts"))


@dataclass(frozen=True, slots=True)
class _OfferWords:
    subj: frozenset[str]
    modals: frozenset[str]
    actions: frozenset[str]
    stop: frozenset[str]
    blockers: frozenset[str]
    sug_s: frozenset[str]
    sug_m: frozenset[str]
    sug_v: frozenset[str]
    anchors: frozenset[str]  # a frame needs one of these words
    short_inf: frozenset[str]  # infinitives shorter than five letters ("doen", "gaan")


def _offer_words(lex: Lexicon) -> _OfferWords:
    w = lex.words
    subj, sug_s = w("turns.offer_subjects"), w("turns.suggest_subjects")
    return _OfferWords(subj, w("turns.offer_modals"), w("turns.offer_actions"), w("turns.offer_frame_stop"),
                       w("turns.offer_frame_blockers"), sug_s, w("turns.suggest_modals"), w("turns.suggest_verbs"),
                       subj | sug_s, w("turns.offer_short_infinitives"))


def offer_frame(seg: list[str], lex: Lexicon) -> bool:
    """CX108 an offer in the grammar of one, whatever the product: the rep says what they will do or what
    the customer could do ("wij kunnen het onderhoud overnemen", "we zouden de pilot in maart kunnen starten",
    "dus ik kom dan donderdag af", "mogen we u het gamma komen voorstellen?", "ge zou ook kunnen leasen").
    Lexicon `turns.offer_*` / `turns.suggest_*`; "ik wil even vragen…", "ik kan me voorstellen…" and "dan ga ik
    u niet langer ophouden" are no offers."""
    ow: _OfferWords = lex.bundle("turns.offer_words", _offer_words)
    if ow.anchors.isdisjoint(seg):
        return False
    for k in range(len(seg) - 1):
        a, b = seg[k], seg[k + 1]
        rest = seg[k + 2 :]
        if rest and rest[0] in ow.stop:
            continue
        if (a in ow.subj and b in ow.modals) or (a in ow.modals and b in ow.subj):
            infinitive = any((len(x) >= 5 and x.endswith("en")) or x in ow.short_inf for x in rest)
            if infinitive and ow.blockers.isdisjoint(rest):
                return True
        elif a in ow.subj and b in ow.actions and (k == 0 or seg[k - 1] not in ow.modals) and len(rest) >= 2:
            return ow.blockers.isdisjoint(rest)
    for k in range(len(seg) - 1):
        if ((seg[k] in ow.sug_s and seg[k + 1] in ow.sug_m) or (seg[k] in ow.sug_m and seg[k + 1] in ow.sug_s)) and (
            not ow.sug_v.isdisjoint(seg[k + 2 :])
        ):
            return True
    return False


def _reported_cancel(u: Utt) -> bool:
    """CX117 "… dat ge uw contract voor de alarmopvolging wilt opzeggen": "dat" + a second-person subject and, at most
    seven words on, a wish or a done deed (`turns.cancel_intent`: wilt, hebt, …) + a cancellation verb
    (`turns.cancel_verbs`); "als u ooit wilt opzeggen" and "wist u dat u maandelijks kunt stoppen" report none."""
    lex = u.view.lex
    verbs = lex.words("turns.cancel_verbs")
    w = u.words
    if verbs.isdisjoint(w):
        return False
    you, want = lex.words("questions.subject_2p"), lex.words("turns.cancel_intent")
    if any(
        w[k] in verbs and w[k - 1] in want
        and any(w[j] == "dat" and w[j + 1] in you for j in range(max(0, k - 8), k - 1))
        for k in range(1, len(w))
    ):
        return True
    # ... or said outright: "u wilde opzeggen, begreep ik?", "jullie willen het onderhoudscontract opzeggen, klopt
    # dat?" (a second-person subject + a wish, `turns.cancel_wish`, and a cancellation verb within eight words); not
    # after "als"/"mocht" (`turns.cancel_conditionals`) nor with a negation between ("je wilt toch niet stoppen …")
    wish, cond = lex.words("turns.cancel_wish"), lex.words("turns.cancel_conditionals")
    neg = lex.words("moments.negators")
    for j in range(len(w) - 2):
        if w[j] in you and w[j + 1] in wish and (j == 0 or w[j - 1] not in cond):
            tail = w[j + 2 : j + 10]
            hit = next((m for m, x in enumerate(tail) if x in verbs), None)
            if hit is not None and neg.isdisjoint(tail[:hit]):
                return True
    return False


def _inverted_offer(seg: list[str], lex: Lexicon) -> bool:
    """CX108 in a question, the rep's action with the subject behind it after "dan" ("Dan zet ik alle elf
    wagens erop?", "En dan plannen we de installatie in maart?"): the customer is asked to agree to it. Not
    sending (`turns.send_verbs`): "Dan stuur ik het naar de Markt 7?" checks where to, once the customer agreed."""
    ow: _OfferWords = lex.bundle("turns.offer_words", _offer_words)
    k = seg.index("dan") if "dan" in seg[:2] else -1
    return (
        k >= 0 and len(seg) >= k + 4 and seg[k + 1] in ow.actions and seg[k + 2] in ow.subj
        and seg[k + 1] not in lex.words("turns.send_verbs") and ow.blockers.isdisjoint(seg[k + 3 :])
    )


def _time_only(seg: list[str], lex: Lexicon) -> bool:
    """A question of only a day, date or time ("Volgende week donderdag?", "Dinsdag om tien uur?"):
    lexicon `turns.time_anchors` (one needed) and `turns.time_words`; numbers count as time words."""
    anchors, fill = lex.words("turns.time_anchors"), lex.words("turns.time_words")
    return (
        0 < len(seg) <= 8 and not anchors.isdisjoint(seg)
        and all(w in anchors or w in fill or w.isdigit() for w in seg)
    )


def alternative_offer(seg: list[str], lex: Lexicon) -> bool:
    """CX111 an alternative put on the table as a yes/no question: "wel" with a modal or "iets" ("en de
    printers, zouden die wel kunnen?", "is een kleiner pakket dan wel iets?"; lexicon `turns.alternative_words`)."""
    return "wel" in seg and not lex.words("turns.alternative_words").isdisjoint(seg)


def _feedback_q(u: Utt, c: Clause) -> bool:
    seg = u.words[c.start : c.end]
    fw = u.view.lex.words("turns.feedback_words")
    return any(w in fw for w in seg)


def _statement_offer(u: Utt) -> bool:
    """A proposal made as a statement: "mijn voorstel is een demo", "ik stuur u een offerte"."""
    nouns = u.view.lex.words("turns.offer_nouns")
    prefixes = u.view.lex.phrases("turns.offer_noun_prefixes")  # compounds: "proefkroon", "demodag"
    return (
        any(w in nouns or w.startswith(prefixes) for w in u.words)
        or (u.has("PROPOSAL") and u.has("PITCH"))
        or u.view.first_phrase(u.view.lex.phrases("turns.offer_statements")) is not None  # "ik stel voor dat …"
    )
