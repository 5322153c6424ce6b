"""Call-level disqualifiers: `budget` and `fit`, only when the call establishes them.

DQ201 budget / DQ202 fit is established when the customer's budget (fit) objection is firm or repeated:
- two or more moments with that reason, or
- one moment that states it firmly (no money at all, a spending freeze, "past niet", "niks voor ons",
  a hard requirement that is not met), or with amounts far apart (the customer's figure at most half
  of the seller's), or
- the rep concedes it ("dan is het niet voor jullie", "kan ik u niks bieden").
It is not a disqualifier when the call resolves it (DQ203): after it the customer agrees to a meeting,
a demo, a trial or a deal the seller proposes.

Also per call: where it was established (utterance idx), how many seller turns and seconds followed,
and whether the rep kept pitching afterwards (argue responses or argument cues).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.detect.turns import PROPOSAL, Utt, seller_context
from pipeline.nlp import Lexicon

_AMOUNT = re.compile(r"(?:€\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,\d+)?")


@dataclass(frozen=True, slots=True)
class CallDisqualifiers:
    disqualifiers: tuple[str, ...]
    utt_idx: int | None
    turns_after: int | None
    seconds_after: float | None
    kept_pitching: bool | None
    evidence: str


def _phrase(words: list[str], phrases: tuple[str, ...]) -> str | None:
    text = " " + " ".join(words) + " "
    for p in phrases:
        if f" {p} " in text:
            return p
    return None


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
    for m in _AMOUNT.finditer(text):
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


def _agreements(call: list[Utt], moments: frozenset[int] = frozenset()) -> list[int]:
    """Positions where the customer agrees to go ahead: a resolving phrase ("dan doen we dat", "dat verandert
    de zaak"), or a yes to a meeting/deal proposal of the seller."""
    out: list[int] = []
    if not call:
        return out
    lex = call[0].view.lex
    resolve = lex.phrases("disqualifiers.resolve")
    meeting = lex.words("disqualifiers.meeting_words")
    agree = lex.phrases("disqualifiers.agree_starts")
    for j, c in enumerate(call):
        if c.role != "customer" or not c.words or j in moments or c.has("REFUSAL", "NEG_INTENT", "DEFLECT"):
            continue
        if _phrase(c.words, resolve):
            out.append(j)
            continue
        s = next((k for k in range(j - 1, -1, -1) if call[k].role == "seller" and call[k].words), None)
        if s is None or seller_context(call[s])[0] != PROPOSAL or not any(w in meeting for w in call[s].words):
            continue
        text = " ".join(c.words[:3])
        if any(text.startswith(a) for a in agree):
            out.append(j)
    return out


def establish(
    call: list[Utt], moment_pos: list[int], reasons: list[str], responses: list[str], min_moments: int = 2
) -> CallDisqualifiers:
    found: list[tuple[int, str, str]] = []  # (position, disqualifier, evidence)
    lex = call[0].view.lex if call else None
    agreed = _agreements(call, frozenset(moment_pos))
    for dq, code in (("budget", "DQ201"), ("fit", "DQ202")):
        pos = [p for p, r in zip(moment_pos, reasons, strict=True) if r == dq]
        # DQ203: an objection the customer later agrees past is resolved; only what follows the last agreement counts
        last_agree = next((a for a in reversed(agreed) if a > min(pos, default=len(call))), None)
        if last_agree is not None:
            pos = [p for p in pos if p > last_agree]
        if not pos or lex is None:
            continue
        firm_phrases = lex.phrases(f"disqualifiers.firm_{dq}")
        concede = lex.phrases("disqualifiers.concede")
        at: int | None = None
        why = ""
        if len(pos) >= min_moments:
            at, why = pos[min_moments - 1], f"{len(pos)} {dq} objections"
        for p in pos:
            firm = _phrase(call[p].words, firm_phrases)
            if firm:
                at, why = (p, f"firm '{firm}'") if at is None or p < at else (at, why)
                break
            if dq == "budget" and _far_apart(call, p):
                at, why = (p, "amounts far apart") if at is None or p < at else (at, why)
                break
        if at is None:
            for j in range(pos[0] + 1, len(call)):
                if call[j].role == "seller" and _phrase(call[j].words, concede):
                    at, why = pos[0], f"rep concedes '{_phrase(call[j].words, concede)}'"
                    break
        if at is None:
            continue
        found.append((at, dq, f"{code} {dq}: {why}"))
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
