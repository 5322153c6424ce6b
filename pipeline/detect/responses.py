"""The rep's first substantive response to a "nee" moment: explore, argue, accept or other.

Finding it (RS201): walk forward from the moment; skip the customer's own backchannels and the rest of
a split customer turn, skip a seller turn that is only an acknowledgement ("Oké.", "Dat snap ik.");
the first seller turn with content is the response. No seller turn before the call ends: `other`.

Classifying it, by what comes first in the turn (after a leading acknowledgement):
- RS101/RS105 explore: a why-question ("mag ik vragen waarom?", "wat maakt dat…?", "hoe komt dat?")
  or an open question about the customer's situation or the condition behind the no ("wanneer wordt
  het budget vastgesteld?", "hoe bevalt dat?"), before any argument;
- RS103 argue: counter-arguments, benefits, discounts, social proof, a re-pitch or a re-offer, or a
  leading question that carries a benefit ("maar wist u dat…?", "juist daarom…"); RS107 a negative
  yes/no question with a benefit word ("zou het niet mooi zijn als…?", "wilt u niet liever…?") is argue
  even where it would otherwise read as a question about the need (the model may not overrule it lightly);
- RS104 accept: takes the no and closes or moves on ("dan laat ik het hierbij", "fijne dag",
  "dan bel ik u over een paar maanden", "zal ik u in het voorjaar terugbellen?");
- other: the call ends before the rep reacts.
A closing acceptance wins over a later argument in the same turn; an argument before a why-question
makes the turn argue ("…, dus waarom niet?").
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.detect.questions import Clause
from pipeline.detect.turns import (
    Utt,
    alternative_offer,
    clause_labels,
    is_backchannel,
    is_bare_ack,
    is_repair_request,
    offer_frame,
    rhetorical_want,
)


@dataclass(frozen=True, slots=True)
class Response:
    label: str  # explore / argue / accept / other
    utt_idx: int | None
    acknowledged: bool
    patience_s: float | None
    evidence: str


def find_response(call: list[Utt], i: int, max_customer_skip: int = 3) -> tuple[int | None, bool]:
    """(index in `call` of the first substantive seller turn after moment i, acknowledged before it)."""
    acknowledged = False
    skipped_customer = 0
    for j in range(i + 1, len(call)):
        u = call[j]
        if not u.words:
            continue
        if u.role != "seller":
            if is_backchannel(u):
                continue
            skipped_customer += 1
            if skipped_customer > max_customer_skip:
                return None, acknowledged
            continue
        if is_bare_ack(u):
            acknowledged = True
            continue
        if u.n_words <= 2 and not u.labels and not u.q.is_question:
            continue  # a broken-off start ("en zou eh"): not yet a response
        return j, acknowledged
    return None, acknowledged


def _first_pos(u: Utt, label: str, lo: int = 0) -> int | None:
    for lab, _c, s, _e in u.view.cues:
        if lab == label and s >= lo:
            return s
    return None


def _conditional_offer(u: Utt, c: Clause) -> bool:
    """ "En als we het beperken tot…?", "Stel dat ik…?": a new offer, not a question about the customer."""
    if c.kind not in ("yesno", "tag"):
        return False
    lex = u.view.lex
    particles = lex.words("questions.particles")
    seg = u.words[c.start : c.end]
    k = 0
    while k < len(seg) - 1 and seg[k] in particles:
        k += 1
    return bool(seg) and seg[k] in lex.words("turns.conditional_starts")


def _explore_question(u: Utt, c: Clause) -> bool:
    labels = clause_labels(u, c)
    if "WHY" in labels:
        return "ARGUE" not in labels or _first_pos(u, "WHY", c.start) == c.start
    if labels & {"ARGUE", "CLOSING_Q", "LOGISTICS"}:
        return False
    seg = u.words[c.start : c.end]
    if _conditional_offer(u, c):
        return False
    offer_again = u.view.lex.words("responses.offer_again")
    if c.kind in ("yesno", "tag") and (labels & {"PROPOSAL", "PITCH", "ACCEPT"} or any(w in offer_again for w in seg)):
        return False
    if c.kind in ("yesno", "tag") and (offer_frame(seg, u.view.lex) or alternative_offer(seg, u.view.lex)):
        return False  # "zullen we dan met één module starten?", "en de printers, zouden die wel kunnen?": re-offers
    return c.kind in ("wh", "yesno", "embedded", "tag")


def classify(u: Utt) -> tuple[str, str]:
    """(label, evidence) for one seller turn read as the response to a no."""
    words = u.words
    # leading acknowledgement
    lead = 0
    for lab, _c, s, e in u.view.cues:
        if lab == "ACK" and s <= lead:
            lead = max(lead, e)
    ack = lead > 0
    why = _first_pos(u, "WHY", lead)
    explore_q = next((c.start for c in u.q.questions() if c.end > lead and _explore_question(u, c)), None)
    explore_at = min((p for p in (why, explore_q) if p is not None), default=None)
    argue_at = _first_pos(u, "ARGUE", lead)
    # product/price talk outside questions is a re-pitch
    in_q = [(c.start, c.end) for c in u.q.questions()]
    for lab, _c, s, _e in u.view.cues:
        if lab == "PITCH" and s >= lead and not any(a <= s < b for a, b in in_q):
            argue_at = s if argue_at is None else min(argue_at, s)
            break
    re_offer = next(
        (
            c.start
            for c in u.q.questions()
            if c.kind in ("yesno", "tag")
            and ("PROPOSAL" in (cl := clause_labels(u, c)) or _conditional_offer(u, c)
                 or alternative_offer(u.words[c.start : c.end], u.view.lex))
            and "LOGISTICS" not in cl
        ),
        None,
    )
    prefix = "RS102 ack; " if ack else ""
    leading = _leading_question(u, lead)
    if leading is not None and (explore_at is None or leading <= explore_at) and (
        argue_at is None or leading <= argue_at
    ):
        return "argue", f"{prefix}RS107 leading question '{' '.join(words[leading : leading + 7])}'"
    later_words = u.view.lex.words("responses.later_words")
    offer_again = u.view.lex.words("responses.offer_again")
    closing = _first_pos(u, "CLOSE")
    if explore_at is not None and (argue_at is None or explore_at < argue_at):
        code = "RS101 why-question" if why is not None and why == explore_at else "RS105 explore question"
        return "explore", f"{prefix}{code} '{' '.join(words[explore_at : explore_at + 6])}'"
    if closing is not None:
        return "accept", f"{prefix}RS104 closing '{' '.join(words[closing : closing + 5])}'"
    accept_at = _first_pos(u, "ACCEPT", lead)
    first_offer = min((p for p in (re_offer, argue_at) if p is not None), default=None)
    if accept_at is not None and first_offer is not None and accept_at < first_offer and set(
        words[accept_at:]
    ) & u.view.lex.words("reasons.new_offer_words"):
        # "Prima, dan laten we dat weg. En voor de trailer hebben we ook nog …": takes the no, moves on to another offer
        return "accept", f"{prefix}RS104 accept, then another offer '{' '.join(words[accept_at : accept_at + 5])}'"
    if re_offer is not None and (argue_at is None or re_offer <= argue_at):
        seg = words[re_offer:]
        if any(w in later_words for w in seg[:14]) and not any(w in offer_again for w in seg[:14]):
            return "accept", f"{prefix}RS106 callback/info offer '{' '.join(seg[:6])}'"
        return "argue", f"{prefix}RS103 re-offer '{' '.join(seg[:6])}'"
    if argue_at is not None:
        return "argue", f"{prefix}RS103 argument '{' '.join(words[argue_at : argue_at + 6])}'"
    if u.has("ACCEPT"):
        pos = _first_pos(u, "ACCEPT") or 0
        return "accept", f"{prefix}RS104 accept '{' '.join(words[pos : pos + 5])}'"
    if any(c.end > lead and _explore_question(u, c) for c in u.q.questions()):
        return "explore", f"{prefix}RS105 question"
    return "accept", f"{prefix}RS104 moves on"


def _leading_question(u: Utt, lead: int) -> int | None:
    """RS107: a negative yes/no question that carries a benefit ("zou het niet mooi zijn als…?", "wilt u niet
    gewoon meer verdienen?", "zoudt ge nie liever gerust slapen?", "is het niet zonde om…?"), or one that tells
    the customer what they must want ("u wilt toch ook niet stilstaan?", `turns.rhetorical_want`): a leading
    question, so argue however it is phrased. `responses.leading_words` holds the benefit words."""
    benefit = u.view.lex.words("responses.leading_words")
    for c in u.q.questions():
        if c.end <= lead or c.kind not in ("yesno", "tag"):
            continue
        seg = u.words[c.start : c.end]
        if seg[:2] in (["is", "er"], ["zijn", "er"]):
            continue  # "is er niet nog iets dat ik voor u kan doen?" asks, it does not lead
        if "niet" in seg[:5] and any(w in benefit for w in seg):
            return c.start
        if rhetorical_want(seg, u.view.lex):
            return c.start  # "je wilt toch niet stoppen met groeien?": what the customer must want (CX113)
    return None


# How sure each rule is of its label (0..1), used only where a response model is blended in: a
# why-question or a closing is clear; a fallback ("moves on", a bare question) is a guess.
_CONFIDENCE: tuple[tuple[str, float], ...] = (
    ("RS201", 0.95),
    ("RS202", 0.85),
    ("RS203", 0.9),
    ("RS101", 0.9),
    ("RS107", 0.95),
    ("RS105 explore question", 0.75),
    ("RS105 question", 0.55),
    ("RS104 closing", 0.85),
    ("RS106", 0.7),
    ("RS103 re-offer", 0.7),
    ("RS103 argument", 0.8),
    ("RS104 accept", 0.7),
    ("RS104 moves on", 0.4),
)


def confidence(evidence: str) -> float:
    """The rules' confidence in a response label, from its evidence (rule code)."""
    for code, conf in _CONFIDENCE:
        if code in evidence:
            return conf
    return 0.6


def respond(call: list[Utt], i: int, max_customer_skip: int = 3) -> Response:
    j, acknowledged = find_response(call, i, max_customer_skip)
    if j is None:
        return Response("other", None, acknowledged, None, "RS201 no seller reply (call ends)")
    r = call[j]
    last_turn = all(not x.words for x in call[j + 1 :])
    if r.has("DROPPED") or (last_turn and r.n_words <= 3 and not r.has("ACCEPT")):
        return Response("other", r.idx, acknowledged, None, "RS202 line dropped / call ends")
    if is_repair_request(r):
        # RS203 "sorry, de lijn kraakt, wat zei u?": the rep did not hear the no, so took no stance on it
        return Response("other", r.idx, acknowledged, None, "RS203 repair request (asks to repeat)")
    label, ev = classify(r)
    acknowledged = acknowledged or ev.startswith("RS102")
    m = call[i]
    patience = None
    if r.start_s is not None and m.end_s is not None:
        patience = round(max(0.0, r.start_s - m.end_s), 3)
    return Response(label, r.idx, acknowledged, patience, ev)
