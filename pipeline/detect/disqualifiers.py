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

FIRM = {
    "budget": (
        "geen geld",
        "het geld niet",
        "geen budget",
        "budgetstop",
        "niet betalen",
        "geen cent",
        "niet te betalen",
        "onbetaalbaar",
        "kunnen we niet missen",
        "geen centen",
        "niet ophoesten",
        "keer zo duur",
        "veel te duur",
    ),
    "fit": (
        "houdt het op",
        "past niet",
        "past gewoon niet",
        "werkt niet",
        "niks voor ons",
        "niets voor ons",
        "niet geschikt",
        "harde eis",
        "geen koppeling",
        "niet van toepassing",
        "sluit niet aan",
        "te klein",
        "te groot",
    ),
}
CONCEDE = (
    "niet voor jullie",
    "niet voor u",
    "niks bieden",
    "niets bieden",
    "kan ik u niks",
    "kan ik je niks",
    "dan houdt het op",
    "past het niet",
    "is het niet voor",
    "eerlijk tegen u zijn",
    "eerlijk tegen je zijn",
    "ik ga eerlijk zijn",
    "eerlijk gezegd past",
    "te zwaar voor",
    "niks aan hebt",
    "niks aan heeft",
    "niets aan hebt",
    "niet de juiste partij",
    "niet de juiste oplossing",
    "past beter bij u",
    "past beter bij jullie",
    "passen beter bij u",
    "passen beter bij jullie",
    "niet geschikt voor",
    "hebben wij niet",
    "kunnen wij niet leveren",
)
RESOLVE = (
    "dat verandert de zaak",
    "dat is een ander verhaal",
    "dan is het een ander verhaal",
    "dat klinkt al beter",
    "daar kan ik mee leven",
    "dat is een oplossing",
    "dat lost het op",
    "dan is dat opgelost",
    "dat lijkt me een goed plan",
    "dat valt mee",
    "dat is te doen",
    "dat kunnen we wel betalen",
    "dat past wel",
    "teken ik",
    "dan tekenen we",
    "we gaan ervoor",
    "ik ga akkoord",
    "laten we het doen",
    "laten we dat doen",
    "ik teken",
)
MEETING = frozenset(
    [
        "afspraak",
        "demo",
        "langskomen",
        "inplannen",
        "plannen",
        "proef",
        "proefperiode",
        "tekenen",
        "starten",
        "uitnodiging",
        "datum",
        "kennismaking",
        "vastleggen",
        "vastzetten",
        "presentatie",
        "akkoord",
        "contract",
        "opdracht",
        "bestelling",
        "beginnen",
        "proefomgeving",
        "proefaccount",
        "installatie",
        "installeren",
        "leveren",
        "levering",
    ]
)
AGREE_START = (
    "ja",
    "prima",
    "goed",
    "is goed",
    "akkoord",
    "doe maar",
    "top",
    "lijkt me goed",
    "zeker",
    "graag",
    "oké",
    "prima",
)
_AMOUNT = re.compile(r"(?:€\s*)?(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,\d+)?")
_UNITS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
}
_TENS = {
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
}


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


def _word_number(w: str) -> int | None:
    """Dutch number words up to the tens of thousands: "tweehonderdvijftig", "twaalfhonderd", "zestigduizend"."""
    total, cur, rest = 0, 0, w
    found = False
    while rest:
        for name, val in sorted({**_UNITS, **_TENS}.items(), key=lambda kv: -len(kv[0])):
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


def amounts(text: str, words: list[str]) -> list[float]:
    out: list[float] = []
    for m in _AMOUNT.finditer(text):
        digits = re.sub(r"[.\s]", "", m.group(1))
        if digits.isdigit():
            v = float(digits)
            if v >= 10 and not 1900 <= v <= 2100:
                out.append(v)
    for w in words:
        if len(w) > 6 and ("honderd" in w or "duizend" in w):
            v2 = _word_number(w)
            if v2 is not None and v2 >= 10:
                out.append(float(v2))
    return out


def _far_apart(call: list[Utt], p: int) -> bool:
    """The customer's own figure at most half of the figure the seller named before."""
    mine = amounts(call[p].text, call[p].words)
    if not mine:
        return False
    if max(mine) >= 2 * min(mine):  # "1250 per maand? … wij hebben 200"
        return True
    theirs: list[float] = []
    for j in range(p - 1, max(-1, p - 6), -1):
        if call[j].role == "seller":
            theirs.extend(amounts(call[j].text, call[j].words))
    return bool(theirs) and min(mine) * 2 <= min(theirs)


def _resolved_after(call: list[Utt], p: int) -> int | None:
    """Index of a customer agreement to a meeting/deal proposal after position p, if any."""
    for j in range(p + 1, len(call)):
        if call[j].role == "customer" and _phrase(call[j].words, RESOLVE):
            return j
    for j in range(p + 1, len(call) - 1):
        s = call[j]
        if s.role != "seller" or seller_context(s)[0] != PROPOSAL or not any(w in MEETING for w in s.words):
            continue
        for k in range(j + 1, min(len(call), j + 3)):
            c = call[k]
            if c.role != "customer" or not c.words:
                continue
            text = " ".join(c.words[:3])
            if any(text.startswith(a) for a in AGREE_START) and not c.has("NEE", "REFUSAL", "NEG_INTENT", "DEFLECT"):
                return k
            break
    return None


def establish(
    call: list[Utt], moment_pos: list[int], reasons: list[str], responses: list[str], min_moments: int = 2
) -> CallDisqualifiers:
    found: list[tuple[int, str, str]] = []  # (position, disqualifier, evidence)
    for dq, code in (("budget", "DQ201"), ("fit", "DQ202")):
        pos = [p for p, r in zip(moment_pos, reasons, strict=True) if r == dq]
        if not pos:
            continue
        at: int | None = None
        why = ""
        if len(pos) >= min_moments:
            at, why = pos[min_moments - 1], f"{len(pos)} {dq} objections"
        for p in pos:
            firm = _phrase(call[p].words, FIRM[dq])
            if firm:
                at, why = (p, f"firm '{firm}'") if at is None or p < at else (at, why)
                break
            if dq == "budget" and _far_apart(call, p):
                at, why = (p, "amounts far apart") if at is None or p < at else (at, why)
                break
        if at is None:
            for j in range(pos[0] + 1, len(call)):
                if call[j].role == "seller" and _phrase(call[j].words, CONCEDE):
                    at, why = pos[0], f"rep concedes '{_phrase(call[j].words, CONCEDE)}'"
                    break
        if at is None:
            continue
        last = max(pos)
        if _resolved_after(call, last) is not None:
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
