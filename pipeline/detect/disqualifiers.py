"""Call-level disqualifiers: `budget` and `fit`, only when the call establishes them.

A disqualifier tells the rep to stop selling: the customer really cannot or will not pay (`budget`), or the
product clearly does not match their needs, size or way of working (`fit`). Per reason, the moments with that
reason (after the customer's last agreement, DQ203) are weighed; the call establishes it at 2 points or more:

- DQ211 repeated: `disqualifier_min_moments` or more moments with the reason (2 points);
- DQ212 decisive statement: a firm phrase in the moment or in the customer's explanation after it, up to the
  next moment or agreement ("daar is gewoon geen geld voor", "budgetstop", "dan houdt het op", "geen
  koppeling", "ik werk alleen") (2 points);
- DQ213 amounts far apart: the customer's budget at most half the seller's price, in the moment or in an
  answer after it that talks money (2 points);
- DQ214 the rep concedes or restates it ("dan past het niet binnen uw budget", "dan is dit niet de goede
  oplossing voor u", "kan ik u niks bieden") (2 points);
- DQ215 firmness cues in the moment: "echt niet", "gewoon niet", "absoluut", "nooit", "geen sprake van" (1);
- DQ216 explained after a why: the rep asks (explore) and the customer's answer names the same reason
  clearly (reason evidence 2 or more) (1);
- DQ217 the call ends on it: it is the last moment, the customer agreed to nothing in the call and the call
  is over within four turns (1);
- DQ218 the rep walks away ("dan ga ik u daar niet mee lastigvallen", "dan laat ik het hierbij", "dan weet
  u me te vinden"): 2 points when the rep asked why first (the answer established it), else 1.
- DQ219 the call's recorded outcome (the manifest's `outcome`) is lost: 1, and only where the words already
  gave a point (the outcome corroborates; it never establishes a disqualifier alone).

DQ204 went ahead: where the recorded outcome says the customer went ahead (deal, meeting), nothing is established.

DQ203 resolved: not a disqualifier when after it the customer agrees to go ahead on the point: a resolving
phrase ("dat verandert de zaak", "dat kan wel", "dan doen we dat") or a yes to the seller's proposal of a
meeting, demo, trial, cheaper option or deal. A yes to cancelling or stopping ("zal ik de demo annuleren?" -
"ja, graag") resolves nothing.

Also per call: where it was established (utterance idx), how many seller turns and seconds followed,
and whether the rep kept pitching afterwards (argue responses or argument cues).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.detect.reasons import reason_scores
from pipeline.detect.turns import PROPOSAL, Utt, seller_context
from pipeline.nlp import Lexicon

_AMOUNT = re.compile(r"(?:€\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,\d+)?")
_DIGIT = re.compile(r"\d")  # an amount needs one; a search for it is a fast scan


@dataclass(frozen=True, slots=True)
class CallDisqualifiers:
    disqualifiers: tuple[str, ...]
    utt_idx: int | None
    turns_after: int | None
    seconds_after: float | None
    kept_pitching: bool | None
    evidence: str


def _number_names(lex: Lexicon) -> tuple[tuple[str, int], ...]:
    names = {**lex.table("disqualifiers.number_units"), **lex.table("disqualifiers.number_tens")}
    return tuple(sorted(((str(k), int(v)) for k, v in names.items()), key=lambda kv: -len(kv[0])))


def _word_number(w: str, names: tuple[tuple[str, int], ...]) -> int | None:
    """Dutch number words up to the tens of thousands: "tweehonderdvijftig", "twaalfhonderd", "zestigduizend"."""
    total, cur, rest = 0, 0, w
    found = False
    while rest:
        for name, val in names:
            if rest.startswith(name):
                cur += val
                rest = rest[len(name) :]
                found = True
                break
        else:
            if (rest.startswith("en") and found) or (rest.startswith("ën") and found):
                rest = rest[2:]
            elif rest.startswith("honderd"):
                cur = (cur or 1) * 100
                rest = rest[7:]
                found = True
            elif rest.startswith("duizend"):
                total += (cur or 1) * 1000
                cur = 0
                rest = rest[7:]
                found = True
            else:
                return None
    return total + cur if found else None


def amounts(text: str, words: list[str], lex: Lexicon) -> list[float]:
    names: tuple[tuple[str, int], ...] = lex.bundle("disqualifiers.numbers", _number_names)
    out: list[float] = []
    for m in _AMOUNT.finditer(text) if _DIGIT.search(text) else ():  # most texts hold no digit: skip the scan
        digits = re.sub(r"[.\s]", "", m.group(1))
        if digits.isdigit():
            v = float(digits)
            if v >= 10 and not 1900 <= v <= 2100:
                out.append(v)
    for w in words:
        if len(w) > 6 and ("honderd" in w or "duizend" in w):
            v2 = _word_number(w, names)
            if v2 is not None and v2 >= 10:
                out.append(float(v2))
    return out


def _far_apart(call: list[Utt], p: int) -> bool:
    """The customer's own figure at most half of the figure the seller named before."""
    mine = amounts(call[p].text, call[p].words, call[p].view.lex)
    if not mine:
        return False
    if max(mine) >= 2 * min(mine):  # "1250 per maand? … wij hebben 200"
        return True
    theirs: list[float] = []
    for j in range(p - 1, max(-1, p - 6), -1):
        if call[j].role == "seller":
            theirs.extend(amounts(call[j].text, call[j].words, call[j].view.lex))
    return bool(theirs) and min(mine) * 2 <= min(theirs)


def agreements(call: list[Utt], moments: frozenset[int] = frozenset()) -> list[int]:
    """Positions where the customer agrees to go ahead: a resolving phrase ("dan doen we dat", "dat verandert
    de zaak"), or a yes to a meeting/deal proposal of the seller. A "stuur maar" to the rep's offer to send
    information (no meeting word: "dan stuur ik je de info") is no go-ahead."""
    out: list[int] = []
    if not call:
        return out
    lex = call[0].view.lex
    resolve = lex.phrases("disqualifiers.resolve")
    meeting = lex.words("disqualifiers.meeting_words")
    agree = lex.phrases("disqualifiers.agree_starts")
    stop = lex.words("disqualifiers.stop_words")
    send = lex.words("moments.send_words")
    for j, c in enumerate(call):
        if c.role != "customer" or not c.words or j in moments or c.has("REFUSAL", "NEG_INTENT", "DEFLECT"):
            continue
        s = next((k for k in range(j - 1, -1, -1) if call[k].role == "seller" and call[k].words), None)
        found = c.view.first_phrase(resolve)
        if found:
            # "stuur maar" to "dan stuur ik je de info" takes the information, not the offer (no meeting word)
            if not (set(found.split()) & send and s is not None and not set(call[s].words) & meeting):
                out.append(j)
            continue
        if s is None or seller_context(call[s])[0] != PROPOSAL or not any(w in meeting for w in call[s].words):
            continue
        if any(w in stop for w in call[s].words):  # "zal ik de demo annuleren?" - "ja, graag" goes nowhere
            continue
        if not call[s].q.is_question:  # "Dan mail ik u de offerte." - "Ja. Dag." is a goodbye, not a yes
            continue
        text = " ".join(c.words[:4])
        if any(text.startswith(a) for a in agree):
            out.append(j)
    return out


def _span_after(call: list[Utt], p: int, stop: int) -> list[int]:
    """The customer's turns after moment p up to the next moment (their explanation, the answer to a why)."""
    return [j for j in range(p + 1, stop) if call[j].role == "customer" and call[j].words]


def _walk_away(u: Utt) -> str | None:
    """DQ218: the rep lets it go ("dan ga ik u daar niet mee lastigvallen", "dan laat ik het hierbij")."""
    lex = u.view.lex
    found = u.view.first_phrase(lex.phrases("disqualifiers.walk_away"))
    if found:
        return found
    verbs = lex.words("disqualifiers.walk_away_words")
    verb = next((w for w in u.words if w in verbs), None)
    return verb if verb is not None and "niet" in u.words else None


def _weigh(
    call: list[Utt],
    dq: str,
    pos: list[int],
    moment_pos: list[int],
    responses: dict[int, str],
    agreed: list[int],
    min_moments: int,
    lost: bool = False,
) -> tuple[int, str] | None:
    """(position, evidence) where the call establishes `dq` from these moments, or None."""
    lex = call[0].view.lex
    firm_phrases = lex.phrases(f"disqualifiers.firm_{dq}")
    concede: tuple[str, ...] = lex.bundle(
        f"disqualifiers.concede+{dq}",
        lambda lx: lx.phrases("disqualifiers.concede") + lx.phrases(f"disqualifiers.concede_{dq}"),
    )
    firmness = lex.phrases("disqualifiers.firmness")
    points = 0
    why: list[str] = []
    at: int | None = None

    def add(n: int, p: int, text: str) -> None:
        nonlocal points, at
        points += n
        why.append(text)
        at = p if at is None else min(at, p)

    if len(pos) >= min_moments:
        add(2, pos[min_moments - 1], f"DQ211 {len(pos)} {dq} objections")
    money = lex.words("reasons.money_words")
    for p in pos:
        nxt = next((m for m in moment_pos if m > p), len(call))
        nxt = min([nxt, *[a for a in agreed if a > p]])
        turns = [p, *_span_after(call, p, nxt)]
        firm = next((f for j in turns if (f := call[j].view.first_phrase(firm_phrases))), None)
        if firm and not any(w.startswith("DQ212") for w in why):
            add(2, p, f"DQ212 firm '{firm}'")
        if dq == "budget" and not any(w.startswith("DQ213") for w in why) and any(
            _far_apart(call, j) for j in turns if j == p or money & set(call[j].words)
        ):
            add(2, p, "DQ213 amounts far apart")
        cue = call[p].view.first_phrase(firmness)
        if cue and not any(w.startswith("DQ215") for w in why):
            add(1, p, f"DQ215 firmness '{cue}'")
        explained = any(reason_scores(call[j]).get(dq, 0.0) >= 2.0 for j in turns[1:3])
        if responses.get(p) == "explore" and explained and not any(w.startswith("DQ216") for w in why):
            add(1, p, "DQ216 explained after a why")
    sellers = [j for j in range(pos[0] + 1, len(call)) if call[j].role == "seller"]
    conceded = next((f for j in sellers if (f := call[j].view.first_phrase(concede))), None)
    if conceded:
        add(2, pos[0], f"DQ214 rep concedes '{conceded}'")
    walked = next((f for j in sellers if (f := _walk_away(call[j]))), None)
    if walked and not conceded:
        # asked why, heard the answer, then let it go: the call established it (2); without a why (1)
        explored = any(responses.get(p) == "explore" for p in pos)
        add(2 if explored else 1, pos[0], f"DQ218 rep walks away '{walked}'")
    last = pos[-1]
    if last == moment_pos[-1] and not agreed and len([u for u in call[last + 1 :] if u.words]) <= 4:
        add(1, last, "DQ217 call ends on it")
    if lost and points:  # corroboration only: the outcome alone establishes nothing
        add(1, pos[0], "DQ219 outcome: lost")
    if points < 2 or at is None:
        return None
    return at, "; ".join(why)


def establish(
    call: list[Utt],
    moment_pos: list[int],
    reasons: list[str],
    responses: list[str],
    min_moments: int = 2,
    outcome: str | None = None,
) -> CallDisqualifiers:
    """`outcome`: the call's recorded outcome as "lost", "won" or None (see `pipeline.detect._outcome_kind`)."""
    found: list[tuple[int, str, str]] = []  # (position, disqualifier, evidence)
    if not {"budget", "fit"} & set(reasons):
        return CallDisqualifiers((), None, None, None, None, "")
    if outcome == "won":  # DQ204: the customer went ahead (deal, meeting): every objection was resolved
        return CallDisqualifiers((), None, None, None, None, "DQ204 outcome: the customer went ahead")
    agreed = agreements(call, frozenset(moment_pos))
    resp_at = dict(zip(moment_pos, responses, strict=True))
    for dq, code in (("budget", "DQ201"), ("fit", "DQ202")):
        pos = [p for p, r in zip(moment_pos, reasons, strict=True) if r == dq]
        # DQ203: an objection the customer later agrees past is resolved; only what follows the last agreement counts
        last_agree = next((a for a in reversed(agreed) if a > min(pos, default=len(call))), None)
        if last_agree is not None:
            pos = [p for p in pos if p > last_agree]
        if not pos:
            continue
        got = _weigh(call, dq, pos, moment_pos, resp_at, agreed, min_moments, lost=outcome == "lost")
        if got is not None:
            found.append((got[0], dq, f"{code} {dq}: {got[1]}"))
    if not found:
        return CallDisqualifiers((), None, None, None, None, "")
    found.sort()
    p = found[0][0]
    after = [u for u in call[p + 1 :] if u.role == "seller" and u.words]
    end_times = [u.end_s if u.end_s is not None else u.start_s for u in call[p:]]
    times = [t for t in end_times if t is not None]
    t0 = call[p].end_s if call[p].end_s is not None else call[p].start_s
    seconds = round(max(times) - t0, 3) if times and t0 is not None else None
    later_moments = [k for k, mp in enumerate(moment_pos) if mp >= p]
    kept = any(responses[k] == "argue" for k in later_moments) or any(u.has("ARGUE") for u in after[1:])
    dqs = tuple(sorted({d for _p, d, _e in found}))
    return CallDisqualifiers(dqs, call[p].idx, len(after), seconds, kept, "; ".join(e for _p, _d, e in found))
