"""Is a customer turn a "nee" moment? Rules over the turn's cues and the seller turn before it.

A "nee" moment declines, rejects or objects to what the seller proposes, asks for, offers or
re-pitches. The same words mean different things in different places, so every customer turn is
read against the seller turn just before it (its context class, CX codes in `turns.py`):

- after a proposal (CX101) a leading "nee", a refusal, a deflection or a stated reason is a moment;
- after a pitch or a price (CX102) a refusal, an objection ("ja, maar…", "dat zal best, maar…") or a
  negative reason ("te duur", "we zitten al bij…") is a moment;
- after a neutral information question (CX201) "nee" is an answer: only an explicit refusal counts;
- after a closing question (CX103 "nog vragen?") or a question where "nee" means "go ahead"
  (CX104 "stoor ik?", "vindt u het erg als…?", apologies) only an explicit refusal counts.

Harmless uses of "nee" lower the score (NM2xx): reassurance ("nee hoor", "nee joh, geen probleem"),
agreement ("nee, klopt", "ja nee precies"), self-correction ("dinsdag, nee wacht, woensdag"),
sympathy ("oh nee, wat vervelend"), closing politeness ("nee, verder niet, dank je"), not knowing
("nee, niet dat ik weet"), and counter-questions ("wat kost dat dan?").

Only candidate turns are scored: a cheap gate (any refusal-type cue, reason cue or the word "nee")
skips everything else.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from pipeline.detect import disqualifiers as dq_mod
from pipeline.detect.reasons import LABEL_TO_REASON, not_money, price_quoted
from pipeline.detect.turns import (
    CLOSING_Q,
    NEG_POLAR,
    NEUTRAL_Q,
    NONE,
    PITCH,
    PITCH_Q,
    PROPOSAL,
    STATEMENT,
    WHY_Q,
    Utt,
    is_backchannel,
    is_repair_request,
    seller_context,
)
from pipeline.nlp import PAUSE, REPORTED, CueView, phrase_list

GATE = frozenset(
    {
        "NEE",
        "REFUSAL",
        "NEG_INTENT",
        "DEFLECT",
        "OBJECT",
        "R_BUDGET",
        "R_FIT",
        "R_TIMING",
        "R_AUTHORITY",
        "R_COMPETITOR",
        "R_NO_NEED",
        "OPENER",
        "BUT",
        "DOUBT",
    }
)
REASON_LABELS = ("R_BUDGET", "R_FIT", "R_TIMING", "R_AUTHORITY", "R_COMPETITOR", "R_NO_NEED")
_R_LABELS = frozenset(REASON_LABELS)
HARMLESS = {
    "REASSURE": ("NM201", "reassurance"),
    "AGREE": ("NM202", "agreement"),
    "SELFCORR": ("NM203", "self-correction"),
    "SYMPATHY": ("NM204", "sympathy"),
}

HARMLESS_LABELS = frozenset(HARMLESS)
HEDGES = frozenset({"UNSURE", "AGREE", "SELFCORR", "REASSURE", "SYMPATHY"})
COVER = HARMLESS_LABELS | {"CLOSING", "UNSURE"}  # cues that make a "nee" inside them harmless

# Weights per seller context: base, "nee", refusal/negated intent, deflection, objection, negative reason.
WEIGHTS: dict[str, tuple[float, float, float, float, float, float]] = {
    PROPOSAL: (0.35, 0.35, 0.35, 0.35, 0.25, 0.25),
    PITCH: (0.25, 0.30, 0.35, 0.30, 0.30, 0.30),
    PITCH_Q: (0.10, 0.15, 0.30, 0.25, 0.25, 0.40),
    STATEMENT: (0.05, 0.20, 0.45, 0.20, 0.25, 0.15),
    NONE: (0.05, 0.20, 0.30, 0.20, 0.20, 0.15),
    NEUTRAL_Q: (0.00, 0.05, 0.30, 0.25, 0.15, 0.05),
    CLOSING_Q: (0.00, 0.00, 0.25, 0.15, 0.00, 0.00),
    NEG_POLAR: (0.00, 0.00, 0.25, 0.15, 0.00, 0.00),
    WHY_Q: (0.00, 0.00, 0.25, 0.15, 0.00, 0.00),
}
CONTEXT_NAMES = {
    PROPOSAL: "proposal",
    PITCH: "pitch/price",
    PITCH_Q: "question after a pitch",
    STATEMENT: "statement",
    NONE: "call start",
    NEUTRAL_Q: "neutral question",
    CLOSING_Q: "closing question",
    NEG_POLAR: "go-ahead question",
    WHY_Q: "the rep's why-question",
}


@dataclass(frozen=True, slots=True)
class MomentScore:
    idx: int
    score: float
    evidence: tuple[str, ...]
    context: str
    context_idx: int | None


def is_candidate(u: Utt) -> bool:
    if u.role != "customer" or not u.words or u.labels.isdisjoint(GATE):
        return False
    if u.labels & GATE == {"BUT"}:  # only "maar": a candidate when it opens the turn's point (NM109)
        pos = u.first("BUT")
        return pos is not None and 0 < pos < 10
    return True


def is_candidate_in(call: list[Utt], i: int) -> bool:
    """NM112: a candidate by its own cues, or any customer answer to a proposal (a no that names nothing the
    patterns know, "wij maken alleen prototypes"): its rule score sits in the band where the moment model
    decides, so the model reads it."""
    u = call[i]
    if is_candidate(u):
        return True
    if u.role != "customer" or len(u.words) < 3 or is_backchannel(u):
        return False
    j = _previous_seller(call, i)
    if j is None:
        return False
    ctx, code = seller_context(call[j])
    return (
        ctx == PROPOSAL
        and all(call[k].role != "customer" or is_backchannel(call[k]) for k in range(j + 1, i))
        # NM116 "ja, stuur dat maar door", "dat zal ik doen": the customer takes it; but a yes to the rep's
        # "ik zag dat jullie hebben opgezegd, klopt dat?" (CX117) confirms the customer's own no
        and (code == "CX117" or not _yes_opening(u))
    )


def _opening_phrase(u: Utt, name: str, n_words: int) -> str:
    """The first phrase of lexicon list `name` that the turn opens with (within its first `n_words` words)."""
    text = " " + " ".join(u.words[:n_words]) + " "
    return next((p for p, pad in phrase_list(u.view.lex.phrases(name)).padded if text.startswith(pad)), "")


def _yes_opening(u: Utt) -> bool:
    """The turn opens with a yes (`moments.yes_openers`: "ja", "goed", "dat zal ik doen"), not "ja maar"."""
    opener = _opening_phrase(u, "moments.yes_openers", 5)
    if not opener:
        return False
    w = u.words
    n = len(opener.split())
    return not (len(w) > n and w[n] == "maar")


def drop_reported(view: CueView, max_words: int = 10) -> None:
    """NM211 reported speech: "mijn vader zei altijd: nee jong, dat is voor later" quotes someone else's (or an
    old) no. The cues inside the quote, from the speech verb to the end of its sentence (at most `max_words`
    after the "nee"), speak for nobody in this call: drop them from the view, keeping the REPORTED cue itself."""
    spans = []
    for lab, _c, s, e in view.cues:
        if lab != REPORTED:
            continue
        end = min(len(view.words), e + max_words)
        for k in range(e - 1, end):
            if any(ch in ".?!" for ch in view.after[k]):
                end = k + 1
                break
        spans.append((max(0, s - 2), end))  # with the speaker: "mijn vrouw zei …"
    if spans:
        view.cues = [c for c in view.cues if c[0] == REPORTED or not any(a <= c[2] and c[3] <= b for a, b in spans)]


def _last_phrase(view: CueView, phrases: tuple[str, ...]) -> tuple[int, str]:
    """(word index, phrase) of the phrase that occurs last in the utterance (the first of `phrases` on a tie),
    or (-1, "")."""
    best, found = -1, ""
    text = view.padded
    for _k, p, pad in view.phrase_candidates(phrases):
        at = text.rfind(pad)
        if at >= 0:
            k = text[:at].count(" ")  # word index of the phrase
            if k > best:
                best, found = k, p
    return best, found


def _ends_with_go_ahead(u: Utt, proposal: bool = False) -> str:
    """NM212: the turn's last words say yes to what was put to the customer: a go-ahead phrase
    (`moments.go_ahead_phrases`: "laten we het doen", "dan doen we dat", "kom maar langs") or a GOAHEAD
    imperative ("maak die berekening maar", "kom maar langs"), with no refusal, objection or brush-off after it."""
    n = len(u.words)
    lex = u.view.lex
    best, found = _last_phrase(u.view, lex.phrases("moments.go_ahead_phrases"))
    for lab, _c, s, e in u.view.cues:
        if lab == "GOAHEAD" and s > best:
            best, found = s, u.view.text(s, e)
    if proposal:  # to a proposal, "… na vieren gaat dat, dat is goed" takes it (a turn that names no reason)
        k, p = _last_phrase(u.view, lex.phrases("moments.proposal_yes_endings"))
        if k >= n - 4 and k > best:
            best, found = k, p
    if best < 0 or best < n - 8:
        return ""
    if any(lab in ("REFUSAL", "NEG_INTENT", "DEFLECT", "OBJECT") and e > best for lab, _c, _s, e in u.view.cues):
        return ""
    end = best + len(found.split())
    if not lex.words("moments.negators").isdisjoint(u.words[end : end + 2]):
        return ""  # "zonder mijn man teken ik niks": the go-ahead verb is negated right behind it
    return found


def _polite_decline(u: Utt) -> str:
    """NM214: the turn's refusal is only a polite "not needed" (`moments.polite_declines`: "dat hoeft niet",
    "niet nodig", "hoef ik niet"), with no stronger refusal, negated intent or objection."""
    polite = u.view.lex.phrases("moments.polite_declines")
    spans = [(s, e) for lab, _c, s, e in u.view.cues
             if lab == "REFUSAL" and any(p in u.view.text(s, e) for p in polite)]
    for lab, _c, s, e in u.view.cues:
        inside = any(a < e and s < b for a, b in spans)  # "hoef ik niet" is also a negated intent
        if lab in ("OBJECT", "DOUBT") or (lab in ("REFUSAL", "NEG_INTENT") and not inside):
            return ""
    return u.view.text(*spans[0]) if spans else ""


def _firm_yes_opening(u: Utt) -> str:
    """NM119: the turn opens with an explicit yes to the proposal (`moments.firm_yes_openers`: "dat is goed",
    "prima", "akkoord", "afgesproken"), not a bare "ja" (as in "ja nee, dat gaat niet") nor "goed, …" (a discourse
    marker: "goed, zet het maar op papier")."""
    return _opening_phrase(u, "moments.firm_yes_openers", 6)


def _previous_seller(call: list[Utt], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if call[j].role == "seller" and call[j].words and not is_backchannel(call[j]):
            return j
    return None


def _before_repair(call: list[Utt], j: int) -> int | None:
    """CX118 the seller turn j only asks the customer to repeat (a short turn with a `turns.repair_requests`
    phrase: "wat zei u?", "sorry, ik verstond u niet", "de lijn kraakt"), and a customer turn answered the seller
    turn before it: that earlier seller turn (what the repeated words answer), else None."""
    if not is_repair_request(call[j]):
        return None
    k = _previous_seller(call, j)
    if k is None or not any(call[m].role == "customer" and not is_backchannel(call[m]) for m in range(k + 1, j)):
        return None
    return k


def _split_offer(call: list[Utt], j: int) -> tuple[str, str, int] | None:
    """CX109 a seller turn split by the customer's backchannel ("… gekoppeld aan uw voorraad" - "ja" - "dus ge
    toont enkel wat ge in huis hebt"): when the rep's last piece is a statement, the customer answers the offer
    or pitch in the piece before it; and when that last piece is a short tail that asks nothing ("… ben ik goed
    bij" - "ja" - "garage peeters in lier"), whatever the piece before it asked."""
    k = j - 1
    saw_backchannel = False
    while k >= 0 and call[k].role != "seller":
        if call[k].words and not is_backchannel(call[k]):
            return None
        saw_backchannel = True  # "ja", "mm" (a filler-only turn has no words left)
        k -= 1
    if k < 0 or not saw_backchannel:
        return None
    ctx, code = seller_context(call[k])
    if ctx in (PROPOSAL, PITCH, PITCH_Q):
        return ctx, code, k
    # a short tail ("… spreek ik met de inkoper" - "ja" - "van bakkerij van dam") ends the question before it
    tail_only = len(call[j].words) <= 6 and not call[j].q.is_question
    return (ctx, code, k) if tail_only and ctx != STATEMENT else None


def _recent_offer(call: list[Utt], i: int, seller_turns: int) -> bool:
    seen = 0
    for j in range(i - 1, -1, -1):
        if call[j].role != "seller" or not call[j].words or is_backchannel(call[j]):
            continue  # the rep's "ja", "mm" inside the customer's turn is no turn of the rep's
        if seller_context(call[j])[0] in (PROPOSAL, PITCH):
            return True
        seen += 1
        if seen >= seller_turns:
            break
    return False


def _nee_positions(u: Utt) -> list[int]:
    return [s for lab, _c, s, _e in u.view.cues if lab == "NEE"]


def _covered(u: Utt, pos: int, labels: AbstractSet[str]) -> bool:
    return any(lab in labels and s <= pos < e for lab, _c, s, e in u.view.cues)


def _past_rep_backchannels(call: list[Utt], k: int, step: int) -> int:
    """From position k, walking by `step` (1 or -1), the first position that is not a backchannel of the rep's
    ("ja", "mm", or a piece with no words left): -1 or len(call) when the call ends first."""
    while 0 <= k < len(call) and call[k].role == "seller" and (not call[k].words or is_backchannel(call[k])):
        k += step
    return k


def says_no(u: Utt) -> bool:
    """The piece itself holds a "nee", a refusal, a deflection, an objection or a reason cue (more than a lead-in)."""
    return u.has("NEE", "REFUSAL", "NEG_INTENT", "DEFLECT", "OBJECT", "BUT") or any(
        lab.startswith("R_") for lab in u.labels
    )


def _piece_before(call: list[Utt], i: int) -> Utt | None:
    """The customer's previous piece, split from this one by the rep's backchannels only (raw ASR), else None."""
    k = _past_rep_backchannels(call, i - 1, -1)
    if k == i - 1 or k < 0 or call[k].role != "customer":
        return None
    return call[k]


def _split_concession(call: list[Utt], i: int) -> bool:
    """The customer's previous piece (`_piece_before`: "kijk die korting is allemaal leuk en aardig" - "ja" -
    "maar …") is a concession (`moments.concession_words`)."""
    prev = _piece_before(call, i)
    if prev is None:
        return False
    conc = prev.view.lex.words("moments.concession_words")
    return any(w in conc for w in prev.words) or prev.has("RECEPTIVE")


def _split_receptive(call: list[Utt], i: int) -> str:
    """The customer's previous piece (`_piece_before`) is receptive and says no no: its receptive words, else
    ""."""
    prev = _piece_before(call, i)
    if prev is None or not prev.has("RECEPTIVE") or prev.has("NEE", "REFUSAL", "DEFLECT", "OBJECT", "NEG_INTENT"):
        return ""
    return _quote(prev, "RECEPTIVE")


def _quote(u: Utt, label: str) -> str:
    for lab, _c, s, e in u.view.cues:
        if lab == label:
            return u.view.text(s, e)
    return ""


def _cited(u: Utt, label: str, default_code: str, title: str) -> str:
    """Evidence for the first cue with this label, under the code of the pattern that matched it ("NM122
    deflection 'dat beslis ik niet'"), so that the evidence names the rule that fired."""
    for lab, code, s, e in u.view.cues:
        if lab == label:
            return f"{code or default_code} {title} '{u.view.text(s, e)}'"
    return f"{default_code} {title} ''"


def _concession_but(u: Utt, offer: bool = False) -> int | None:
    """NM109: a short concession, then "maar" and the customer's own point ("aardig aangeboden, maar…",
    "dat is waar, maar…", "mooi hoor, maar…"). Position of "maar", or None."""
    words = u.words
    lex = u.view.lex
    conc = lex.words("moments.concession_words")
    after = u.view.after
    for k, w in enumerate(words[:10]):
        if w == "maar":
            # the conjunction, not the particle of "stuur maar", "doe maar": a concession word or a break before it
            conj = k > 0 and (words[k - 1] in conc or bool(after[k - 1].replace(PAUSE, "")))
            ok = conj and len(words) - k >= 4 and any(x in conc for x in words[:k])
            # after a proposal "ja, dat mag, maar…" / "goed plan, maar…" is a yes with a caveat
            if ok and offer and any(x in u.view.lex.words("moments.acceptance_words") for x in words[:k]):
                return None
            # "klinkt goed, maar wanneer leveren jullie?" is a yes with a question; "klinkt goed, maar we zitten al
            # tien jaar bij …" objects: after a receptive opening only a strong reason makes the "maar" object
            if ok and u.cues_in(0, k) & {"RECEPTIVE"}:
                return k if _strong_reason(u, after=k) else None
            return k if ok else None
        if after[k] and any(ch in ".?!" for ch in after[k]) and (k + 1 >= len(words) or words[k + 1] != "maar"):
            return None
    return None


def _opener(u: Utt) -> str:
    """NM104 "kijk, …" / "luister, …" open an objection only at the start of the turn (not "ik kijk even")."""
    prev = u.view.lex.words("moments.opener_prev")
    for lab, _c, s, e in u.view.cues:
        if lab == "OPENER" and (s == 0 or u.words[s - 1] in prev):
            return u.view.text(s, e)
    return ""


def _lead_in_only(call: list[Utt], i: int) -> bool:
    """The piece holds nothing but a lead-in ("kijk", "luister", "ik ga eerlijk zijn"): no "nee", refusal,
    objection or reason cue, and the customer goes on in the next piece, after the rep's backchannels only."""
    u = call[i]
    if says_no(u) or u.has("DOUBT", "CLOSING") or any(lab.startswith("RW_") for lab in u.labels):
        return False
    k = _past_rep_backchannels(call, i + 1, 1)
    return k > i + 1 and k < len(call) and call[k].role == "customer" and len(call[k].words) >= 4


def _doubt(u: Utt) -> str:
    """NM110 "ik denk niet dat ze nog iets nieuws wil": doubt about wanting or doing it refuses."""
    verbs = u.view.lex.words("moments.intent_verbs")
    for lab, _c, s, e in u.view.cues:
        if lab == "DOUBT" and any(w in verbs for w in u.words[e : e + 8]):
            return u.view.text(s, min(len(u.words), e + 4))
    return ""


def _softened_no(u: Utt, nees: list[int]) -> tuple[str, int, int] | None:
    """NM111: (label, start, end) of a short harmless cue around the turn's leading "nee" ("nee hoor", "nee joh",
    "och nee", "oei neen", "nee sorry", "nee het is") when nothing else in the turn says yes, goes ahead, agrees
    or corrects itself (lexicon `moments.go_ahead_words`, `moments.correction_words`): after a proposal that is
    a polite no ("nee joh, bespaar je de moeite"), not reassurance ("nee hoor, ga je gang")."""
    first = nees[0]
    if first > 2:
        return None
    span = next(((lab, s, e) for lab, _c, s, e in u.view.cues
                 if lab in ("REASSURE", "SYMPATHY", "SELFCORR") and s <= first < e and e - s <= 3), None)
    if span is None:
        return None
    _lab, s0, e0 = span
    others = {lab for lab, _c, s, e in u.view.cues if (s, e) != (s0, e0) and (e <= s0 or s >= e0)}
    if others & {"REASSURE", "AGREE", "RECEPTIVE", "SELFCORR", "SYMPATHY", "CLOSING", "ACCEPT"}:
        return None
    lex = u.view.lex
    rest = set(u.words[:s0]) | set(u.words[e0:])
    if rest & lex.words("moments.go_ahead_words") or set(u.words) & lex.words("moments.correction_words"):
        return None
    return span


def _yes_to_sending(u: Utt, seller: Utt) -> bool:
    """NM114: the rep proposed to send something (`moments.send_offer_words`) and every deflection in the
    customer's turn is a "send it" (`moments.send_words`: "stuur maar op", "mail het maar door"), with no
    negation: a yes, not the brush-off "stuur maar een mailtje" to a proposed meeting."""
    lex = u.view.lex
    if not set(seller.words) & lex.words("moments.send_offer_words"):
        return False
    if set(u.words) & lex.words("moments.negators"):
        return False
    send = lex.words("moments.send_words")
    spans = [(s, e) for lab, _c, s, e in u.view.cues if lab == "DEFLECT"]
    return bool(spans) and all(set(u.words[s:e]) & send for s, e in spans)


def _redirects_sending(u: Utt, seller: Utt) -> str:
    """NM219: the rep proposed to send something somewhere (`moments.send_offer_words` and "naar" in the turn) and
    the customer names another destination for it: a send verb (`moments.send_verbs`) followed within three words
    by one of `moments.destination_words` ("stuur het maar naar Genk", "mail het naar mij"). Returns the quoted
    words, else ""."""
    lex = u.view.lex
    if "naar" not in seller.words or not set(seller.words) & lex.words("moments.send_offer_words"):
        return ""
    verbs, where = lex.words("moments.send_verbs"), lex.words("moments.destination_words")
    w = u.words
    for k, x in enumerate(w):
        if x in verbs:
            for m in range(k + 1, min(len(w), k + 5)):
                if w[m] in where:
                    return " ".join(w[k : m + 1])
    return ""


def _money_objection(u: Utt) -> bool:
    """A budget cue that objects by itself ("te duur", "prijzig", "onbetaalbaar"), not a neutral money word
    ("budget", "euro", "geld": `reasons.money_words`) as in "ik heb het budget er al voor gereserveerd"."""
    neutral = u.view.lex.words("reasons.money_words")
    return any(
        lab == "R_BUDGET" and not (e - s == 1 and u.words[s] in neutral) for lab, _c, s, e in u.view.cues
    )


def _elliptic_no(u: Utt) -> str:
    """NM115: the turn's first or last clause is a short "X niet" ("de goten niet", "nee, ook die niet. …"):
    the customer declines (part of) what was put to them. Not with a hedge, agreement or correction
    ("nog niet", "niet meer"), and not "ik weet het niet"-style answers (the hedges cover those)."""
    if "niet" not in u.words or u.labels & {"UNSURE", "AGREE", "SELFCORR", "REASSURE", "SYMPATHY"}:
        return ""
    skip = u.view.lex.words("moments.elliptic_skip")
    verbal = u.view.lex.words("moments.elliptic_not")  # a subject or copula: a sentence ("dat betaal ik niet")
    spans = [(c.start, c.end) for c in u.q.clauses] or [(0, len(u.words))]
    # the turn's first two clauses ("Nee, ook die niet. De verzekeraar …"), and its last one if it ends the turn
    last = [spans[-1]] if spans[-1][1] == len(u.words) else []
    for start, end in dict.fromkeys(spans[:2] + last):
        # the clause ends the sentence: "ook die niet." but not "het is niet | dat het niet lekker was"
        closed = end == len(u.words) or any(ch in u.view.after[end - 1] for ch in ".!?;")
        if end > start and u.words[end - 1] == "niet" and closed:
            ws = [w for w in u.words[start:end] if w not in skip]
            if 2 <= len(ws) <= 4 and not verbal & set(ws):
                return " ".join(ws)
    return ""


def _worry(words: list[str], s: int, e: int) -> bool:
    """NM117 "ik wil niet dat ik dan zonder stroom zit": a wish about what must not happen is a worry to
    resolve, not a refusal of the offer."""
    return e < len(words) and words[e] == "dat" and not {"wil", "willen"}.isdisjoint(words[s:e])


def _inside_reason(u: Utt, label: str, reason_labels: AbstractSet[str], longer: bool = False) -> bool:
    """Every `label` cue of the turn lies inside a cue of `reason_labels` (a strictly longer one when `longer`).
    NM208 does not apply where every receptive word is part of a reason ("dat draait prima", "die doen het nog
    prima": the customer is content with what they have); NM206 not where every neutral answer is inside a longer
    reason ("niet meer" in "ik heb die sportschool niet meer nodig" is no "weet ik niet meer")."""
    spans = [(s, e) for lab, _c, s, e in u.view.cues if lab in reason_labels]
    return all(
        any(rs <= s and e <= re_ and (not longer or re_ - rs > e - s) for rs, re_ in spans)
        for lab, _c, s, e in u.view.cues if lab == label
    )


def _strong_reason(u: Utt, after: int = -1) -> bool:
    """A multi-word reason cue weighted 2 or more ("we zitten al bij", "zijn al voorzien") refuses on its own
    (starting after word `after`, when given)."""
    v = u.view
    return any(
        lab in REASON_LABELS and e - s > 1 and s > after and v.weight(lab, s, e) >= 2.0 for lab, _c, s, e in v.cues
    )


def _vague_brush_off(u: Utt) -> str:
    """NM126: a deflection that opens with a send verb and asks for anything at all (`moments.vague_send_objects`:
    "stuur maar wat op", "stuurt mij maar ne keer iets door"), not for a named thing ("stuur maar de factuur")."""
    lex = u.view.lex
    verbs, vague = lex.words("moments.send_verbs"), lex.words("moments.vague_send_objects")
    for lab, _c, s, e in u.view.cues:
        if lab == "DEFLECT" and u.words[s] in verbs and any(w in vague for w in u.words[s:e]):
            return u.view.text(s, e)
    return ""


def score_moment(call: list[Utt], i: int, recent_turns: int = 2) -> MomentScore:
    u = call[i]
    j = _previous_seller(call, i)
    shown = j
    if j is None:
        ctx, code = NONE, "CX000"
    else:
        k = _before_repair(call, j)
        if k is not None:
            # CX118 "sorry, de lijn kraakt, wat zei u?": the customer repeats what they said to the turn before
            ctx, code = seller_context(call[k])
            code, j, shown = f"CX118 repeated after the rep's repair request: {code}", k, k
        else:
            ctx, code = seller_context(call[j])
        # a statement, or a "dus …" check, that continues the rep's turn after the customer's backchannel
        split = _split_offer(call, j) if ctx == STATEMENT or code == "CX202" else None
        if split is not None:
            ctx, code, k = split
            code = f"CX109 split turn: {code}"
            shown = k
    base, w_nee, w_ref, w_defl, w_obj, w_reason = WEIGHTS[ctx]
    ev: list[str] = []
    score = base
    if ctx in (STATEMENT, NEUTRAL_Q, NONE) and _recent_offer(call, i, recent_turns):
        score += 0.15 if ctx != NEUTRAL_Q else 0.10
        ev.append("CX106 recent offer")

    labels = u.labels
    words = u.words
    nees = _nee_positions(u)
    hedge_spans = [(s, e) for lab, _c, s, e in u.view.cues if lab in HEDGES]
    # a refusal phrase inside a hedge ("dat hoeft niet per se") is no refusal
    strong = any(
        lab in ("REFUSAL", "NEG_INTENT") and not any(hs < e and s < he and he >= e for hs, he in hedge_spans)
        and not (lab == "NEG_INTENT" and _worry(words, s, e))
        for lab, _c, s, e in u.view.cues
    )
    if not strong and ctx in (PROPOSAL, PITCH, PITCH_Q, STATEMENT):
        elliptic = _elliptic_no(u)
        if elliptic:
            strong = True
            ev.append(f"NM115 elliptical no '{elliptic}'")
    doubt = _doubt(u) if "DOUBT" in labels else ""
    if doubt and not strong:
        strong = True
        ev.append(f"NM110 doubt '{doubt}'")
    if (
        "DEFLECT" in labels and ctx == PROPOSAL and j is not None and not nees and not strong
        and _yes_to_sending(u, call[j])
    ):
        # NM114 "ja, stuur maar door" to "zal ik u het voorstel sturen?" takes the offer; it brushes nothing off
        labels = labels - {"DEFLECT"}
        ev.append(f"NM114 yes to sending '{_quote(u, 'DEFLECT')}'")
    soft = _softened_no(u, nees) if ctx == PROPOSAL and nees else None
    if soft is not None:
        # NM111 after a proposal "nee hoor, …", "och nee, …", "neen sorry" soften a no; they do not undo it
        labels = labels - {soft[0]}
        ev.append(f"NM111 softened no '{u.view.text(soft[1], soft[2])}'")
    harmless_labels = HARMLESS_LABELS & labels
    cover = COVER - {soft[0]} if soft is not None else COVER
    uncovered_nee = [p for p in nees if not _covered(u, p, cover)]

    if strong:
        score += w_ref
        lab = "REFUSAL" if "REFUSAL" in labels else "NEG_INTENT"
        if lab in labels:
            ev.append(_cited(u, lab, "NM101" if lab == "REFUSAL" else "NM102",
                             "refusal" if lab == "REFUSAL" else "negated intent"))
    if "DEFLECT" in labels:
        score += w_defl
        ev.append(_cited(u, "DEFLECT", "NM103", "deflection"))
    opener = _opener(u) if "OPENER" in labels else ""
    but = _concession_but(u, ctx == PROPOSAL) if "BUT" in labels else None
    split_but = but is None and words[:1] == ["maar"] and _strong_reason(u) and _split_concession(call, i)
    if split_but:
        but = 0  # NM109 across a backchannel: "die korting is leuk en aardig" - "ja" - "maar daar gaat mijn broer over"
    if "OBJECT" in labels:
        score += w_obj
        ev.append(_cited(u, "OBJECT", "NM104", "objection"))
    elif but is not None:
        score += w_obj
        ev.append(f"NM109 concession + maar '{u.view.text(max(0, but - 2), but + 3)}'"
                  + (" (the concession in the piece before the rep's backchannel)" if split_but else ""))
    elif opener and _lead_in_only(call, i):
        # NM216 raw ASR: "kijk bram, ik ga eerlijk zijn" - "mm" - "we hebben twee klanten verloren …": the lead-in
        # announces what the customer says after the rep's backchannel; that piece holds the no
        ev.append(f"NM216 lead-in '{opener}', the turn goes on after the rep's backchannel")
    elif opener:
        score += w_obj
        ev.append(f"NM104 objection '{opener}'")
    if nees:
        if uncovered_nee:
            score += w_nee
            ev.append("NM100 'nee'")
        elif not strong:
            score += w_nee * 0.3
    # a reason inside a reassurance or agreement is denied or agreed ("ik zeg niet dat het te duur is", "dan is het
    # eigenlijk niet eens duur"): no reason to refuse (NM217)
    reasons = [lab for lab in REASON_LABELS if lab in labels]
    calm = [(s, e) for lab, _c, s, e in u.view.cues if lab in ("REASSURE", "AGREE")] if reasons else []
    if calm:
        reasons = [lab for lab in reasons if any(
            c[0] == lab and not any(a <= c[2] and c[3] <= b for a, b in calm) for c in u.view.cues)]
    if "R_BUDGET" in reasons and not_money(u):
        reasons.remove("R_BUDGET")  # "nee, de prijs is het probleem niet" (RE215) objects to nothing
    if reasons:
        negators = u.view.lex.words("moments.negators")
        negative = any(w in negators for w in words) or _money_objection(u) or _strong_reason(u)
        score += w_reason if negative else w_reason * 0.4
        ev.append(f"NM105 reason cue '{_quote(u, reasons[0])}'")

    # harmless readings
    refusing = strong or "DEFLECT" in labels
    offer_ctx = ctx in (PROPOSAL, PITCH, PITCH_Q)
    go_ahead = bool(harmless_labels & {"REASSURE", "AGREE"}) and not reasons and "OBJECT" not in labels and but is None
    if harmless_labels and not refusing and ((nees and not uncovered_nee) or not nees or go_ahead):
        # the reading of the cue that holds the "nee" ("oh nee" sympathy, "nee joh" reassurance), else the first
        name = next((lab for lab in sorted(harmless_labels) if any(_covered(u, p, {lab}) for p in nees)),
                    sorted(harmless_labels)[0])
        code_h, title = HARMLESS[name]
        if name == "SELFCORR":
            score -= 0.7
        elif offer_ctx and reasons and (name in ("REASSURE", "AGREE") or (name == "SYMPATHY" and _money_objection(u))):
            score -= 0.1  # "nee joh, dat doet mijn neef al", "oei nee, da's veel te duur": the reason refuses
        else:
            score -= 0.5
        ev.append(f"{code_h} {title} '{_quote(u, name)}'")
    elif "SELFCORR" in labels and not strong:
        score -= 0.4
        ev.append(f"NM203 self-correction '{_quote(u, 'SELFCORR')}'")
    elif "SYMPATHY" in labels and not strong:
        score -= 0.4
        ev.append(f"NM204 sympathy '{_quote(u, 'SYMPATHY')}'")
    if "CLOSING" in labels and ctx in (CLOSING_Q, NEG_POLAR, NEUTRAL_Q):
        score -= 0.2
        ev.append(f"NM205 closing '{_quote(u, 'CLOSING')}'")
    elif (
        "CLOSING" in labels and ctx in (STATEMENT, NONE) and j is not None and call[j].has("CLOSE", "CLOSING")
        and not reasons and not labels & {"DEFLECT", "OBJECT", "NEG_INTENT"}
    ):
        # NM209 "ja nee, dank u wel hoor" to the rep's "ik wens u succes": a goodbye, not a refusal
        score -= 0.5
        ev.append(f"NM209 thanks at the rep's goodbye '{_quote(u, 'CLOSING')}'")
    if "RESCHEDULE" in labels and ctx == PROPOSAL and not strong and not reasons:
        # NM210 "woensdag nee, donderdag kan wel": another day or time for the proposed meeting takes it
        score -= 0.5
        ev.append(f"NM210 another time '{_quote(u, 'RESCHEDULE')}'")
    if ctx == PROPOSAL and j is not None and not strong and not reasons and not labels & {"OBJECT", "NEG_INTENT"}:
        redirect = _redirects_sending(u, call[j])
        if redirect:
            # NM219 "nee, stuur het maar naar mijn eigen mailadres" to "zal ik het naar het algemene adres sturen?":
            # the customer takes the sending and only changes where it goes
            score -= 0.5
            ev.append(f"NM219 redirects the sending '{redirect}'")
    if "ACCEPTED" in labels and offer_ctx:
        # NM213 "nee, die brochure hoeft niet, ik heb toch al ja gezegd": what is declined is a detail of a yes
        score -= 0.8
        ev.append(f"NM213 already said yes '{_quote(u, 'ACCEPTED')}'")
    polite = _polite_decline(u) if (ctx == PROPOSAL or code == "CX205") and "DEFLECT" not in labels else ""
    if polite and set(reasons) <= {"R_NO_NEED"} and not price_quoted(call, i, 1) and any(
        a < i for a in dq_mod.agreements(call)
    ):
        # NM214 the customer agreed earlier in the call; "nee, dat hoeft niet" to the rep's next offer (a reminder
        # call, a proof, a manual) declines a detail of that yes, not the sale
        score -= 0.7
        ev.append(f"NM214 detail declined after a yes '{polite}'")
    if ctx == PROPOSAL and not refusing and not reasons and "OBJECT" not in labels and but is None:
        firm = _firm_yes_opening(u)
        if firm:
            # NM119 "da's goed. de eerste week van februari. nee, niet op maandag": the customer takes the proposal
            # first; a "nee" after that sets a condition on it
            score -= 0.4
            ev.append(f"NM119 takes it first '{firm}'")
    go = _ends_with_go_ahead(u, ctx == PROPOSAL and not reasons) if offer_ctx and "DEFLECT" not in labels else ""
    if go:
        # NM212 "ik weet niet of ik dat elke maand opkrijg, maar goed, laten we het doen": doubts, then a yes
        score -= 0.4
        ev.append(f"NM212 ends with a go-ahead '{go}'")
    if "REVERSAL" in labels and offer_ctx:
        rev = u.first("REVERSAL")
        first_no = min([s for lab, _c, s, _e in u.view.cues if lab in ("NEE", "REFUSAL", "NEG_INTENT")], default=None)
        if rev is not None and first_no is not None and first_no < rev:
            # NM215 "nee, folder hoeft niet … of doe toch maar, dan kan mijn vader hem ook lezen": the no is taken back
            score -= 0.7
            ev.append(f"NM215 takes the no back '{_quote(u, 'REVERSAL')}'")
    if "UNSURE" in labels and not refusing and ctx != PROPOSAL and not _inside_reason(u, "UNSURE", _R_LABELS, True):
        score -= 0.25
        ev.append(f"NM206 neutral answer '{_quote(u, 'UNSURE')}'")
    not_yet = u.view.first_phrase(u.view.lex.phrases("moments.not_yet_reviewed")) if code.startswith("CX115") else None
    if not_yet and not refusing and not reasons and "OBJECT" not in labels:
        # NM218 "heeft u er al naar kunnen kijken?" - "nee, nog niet": not looked at yet, no verdict on the offer
        score -= 0.5
        ev.append(f"NM218 not reviewed yet '{not_yet}'")
    if (
        "RECEPTIVE" in labels and not uncovered_nee and "REFUSAL" not in labels and "DEFLECT" not in labels
        and not _inside_reason(u, "RECEPTIVE", LABEL_TO_REASON.keys()) and but is None
    ):
        score -= 0.25
        ev.append(f"NM208 receptive '{_quote(u, 'RECEPTIVE')}'")
    elif not uncovered_nee and not labels & {"REFUSAL", "DEFLECT", "OBJECT", "NEG_INTENT"} and but is None:
        rec = _split_receptive(call, i)
        if rec:
            # NM208 across the rep's backchannel: "ja dat is prima" - "ja ja" - "ik had die demo aangevraagd
            # omdat …" is one turn that took the offer; the piece after it explains, it does not refuse
            score -= 0.25
            ev.append(f"NM208 receptive '{rec}' (the piece before the rep's backchannel)")
    last = u.q.clauses[-1] if u.q.clauses else None
    # a tag ("…, hè?", "…, toch?") asks for agreement with a statement: no counter-question
    # ... nor "en wie gaat dat dan betalen?" (NM120), which objects by asking
    # ... nor a raw-ASR "clause" read as a question that holds an objection stated outright ("nou is het allenig
    # gras en de haag het is mij te duur"): without punctuation the question rule cannot see where it ends
    objects_by_asking = last is not None and any(
        (c[1] == "NM120" or c[0] == "OBJECT") and c[2] >= last.start for c in u.view.cues
    )
    if last is not None and last.is_question and last.kind != "tag" and not refusing and not objects_by_asking:
        # "Nee. Ik heb een klant. Kan jij het overnemen?": a question after a leading no, to someone else
        after_no = offer_ctx and bool(uncovered_nee) and uncovered_nee[0] <= 1 and last.start > 2
        score -= 0.1 if after_no else 0.4
        ev.append("NM207 counter-question")
    if ctx in (WHY_Q, NEUTRAL_Q, PITCH_Q) and strong:
        noans = u.view.first_phrase(u.view.lex.phrases("moments.no_answer"))
        if noans:
            # NM121 "daar wil ik niet op ingaan", "dat gaat u niks aan": the customer refuses what the rep asks for
            # (the reason, or a fact about them); an answer to the question would give it
            score = max(score, 0.6)
            ev.append(f"NM121 refuses to answer '{noans}'")
    if ctx in (NEUTRAL_Q, STATEMENT, NONE, PITCH, PITCH_Q) and "DEFLECT" in labels and not harmless_labels:
        vague = _vague_brush_off(u)
        if vague:
            # NM126 "stuur maar wat op", "stuur mij maar ne keer iets door": a send-me-anything brushes the rep off
            # whatever the rep said before (19 of the 21 such turns in the labelled sets are moments)
            score = max(score, 0.5)
            ev.append(f"NM126 vague brush-off '{vague}'")
    if REPORTED in labels:
        ev.append(f"NM211 reported speech '{_quote(u, REPORTED)}' (the words it quotes refuse nothing)")
    if is_backchannel(u):
        score = 0.0
    score = max(0.0, min(1.0, score))
    ev.insert(0, f"{code} after {CONTEXT_NAMES[ctx]}" + (f" (utt {shown})" if shown is not None else ""))
    return MomentScore(u.idx, round(score, 4), tuple(ev), ctx, j)
