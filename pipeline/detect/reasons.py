"""Why the customer says no, as far as the whole call reveals it.

Per moment (RE1xx cue labels, see docs/rules.md):
1. RE201 the moment's own words: reason cues weighted by length (a multi-word cue such as "geen budget"
   or "zitten al bij" outweighs a single word such as "prijs");
2. RE202 what the customer reveals next: their turns after the moment up to the next moment (the answer
   to the rep's why-question usually holds the reason), at a lower weight;
3. RE203 a bare repeated no ("nee, dat hoeft niet") carries the reason already on the table: the
   previous moment's reason, or for a first moment the next moment's own reason;
4. otherwise `unknown`. A deflection ("stuur maar een mailtje") with no reason given stays unknown.
"""

from __future__ import annotations

from collections import defaultdict

from pipeline.detect.turns import Utt
from pipeline.labels import Reason
from pipeline.nlp import Lexicon

LABEL_TO_REASON = {
    "R_BUDGET": Reason.BUDGET.value,
    "R_FIT": Reason.FIT.value,
    "R_TIMING": Reason.TIMING.value,
    "R_AUTHORITY": Reason.AUTHORITY.value,
    "R_COMPETITOR": Reason.COMPETITOR.value,
    "R_NO_NEED": Reason.NO_NEED.value,
}
# weak reason words (label RW_*): evidence for the reason, never a moment cue on their own
LABEL_TO_REASON.update({"RW_" + k[2:]: v for k, v in list(LABEL_TO_REASON.items())})


def reason_scores(u: Utt) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    covered: set[int] = set()
    cues = u.view.cues
    # a brush-off ("bel ik zelf wel", "ik kijk er zelf wel naar") names no reason
    deflect = [(s, e) for lab, _c, s, e in cues if lab == "DEFLECT"]
    strong = [(s, e) for lab, _c, s, e in cues if lab.startswith("R_")]
    for lab, _c, s, e in cues:
        r = LABEL_TO_REASON.get(lab)
        if r is None or any(ds <= s and e <= de for ds, de in deflect):
            continue
        if lab.startswith("RW_") and any(ss <= s and e <= se for ss, se in strong):
            continue  # a weak word inside a stronger cue ("nodig" in "niet nodig") counts once
        out[r] += u.view.weight(lab, s, e)
        covered.update(range(s, e))
    _compounds(u, covered, out)
    money = u.view.lex.words("reasons.money_words")
    n_money = sum(1 for w in u.words if w in money)
    if n_money and (any(ch.isdigit() for ch in u.text) or _number_word(u)):
        out[Reason.BUDGET.value] += 1.0  # the customer names an amount of money
    elif n_money >= 2 or (u.has("R_BUDGET") and any(ch.isdigit() for ch in u.text)):
        out[Reason.BUDGET.value] += 1.0  # the customer talks money: amounts compared
    return dict(out)


def _number_word(u: Utt) -> bool:
    return any(len(w) > 6 and ("honderd" in w or "duizend" in w) for w in u.words)


def _affixes(lex: Lexicon) -> tuple[tuple[str, str, str], ...]:
    """(reason, "head"/"modifier", part) from the lexicon's `reasons.compound_heads` / `compound_modifiers`."""
    out: list[tuple[str, str, str]] = []
    for kind, name in (("head", "reasons.compound_heads"), ("modifier", "reasons.compound_modifiers")):
        for reason, parts in lex.table(name).items():
            out.extend((str(reason), kind, str(p).lower()) for p in parts)
    return tuple(out)


def _compounds(u: Utt, covered: set[int], out: dict[str, float]) -> None:
    """Dutch compounds carry the reason in one of their parts: "meerjarenbegroting", "bestuursbureau"."""
    affixes: tuple[tuple[str, str, str], ...] = u.view.lex.bundle("reasons.affixes", _affixes)
    for k, w in enumerate(u.words):
        if k in covered or len(w) < 8:
            continue
        for reason, kind, part in affixes:
            if len(w) >= len(part) + 3 and (w.endswith(part) if kind == "head" else w.startswith(part)):
                out[reason] += 0.8
                break


def _best(scores: dict[str, float], minimum: float) -> tuple[str, float] | None:
    if not scores:
        return None
    r, v = max(scores.items(), key=lambda kv: kv[1])
    return (r, v) if v >= minimum else None


def assign(
    call: list[Utt],
    moment_pos: list[int],
    lookahead: int = 4,
    own_min: float = 1.0,
    min_score: float = 0.6,
) -> list[tuple[str, float, str]]:
    """(reason, score 0..1, evidence) for each moment position (index into `call`)."""
    own: list[dict[str, float]] = [reason_scores(call[p]) for p in moment_pos]
    out: list[tuple[str, float, str] | None] = []
    for k, p in enumerate(moment_pos):
        scores = dict(own[k])
        best_own = _best(scores, own_min)
        if best_own is not None:
            out.append((best_own[0], min(1.0, best_own[1] / 3), "RE201 own words"))
            continue
        stop = moment_pos[k + 1] if k + 1 < len(moment_pos) else len(call)
        seen = 0
        for j in range(p + 1, stop):
            if call[j].role != "customer" or not call[j].words:
                continue
            seen += 1
            if seen > lookahead:
                break
            for r, v in reason_scores(call[j]).items():
                scores[r] = scores.get(r, 0.0) + 0.8 * v
        best = _best(scores, min_score)
        if best is not None:
            src = "RE201 own words" if best[0] in own[k] and own[k][best[0]] >= min_score else "RE202 revealed later"
            out.append((best[0], min(1.0, best[1] / 3), src))
            continue
        out.append(None)
    # RE203: bare repeated no inherits; deflections stay unknown
    final: list[tuple[str, float, str]] = []
    for k, p in enumerate(moment_pos):
        got = out[k]
        if got is not None:
            final.append(got)
            continue
        if call[p].has("DEFLECT"):
            final.append((Reason.UNKNOWN.value, 0.5, "RE204 deflection, no reason given"))
            continue
        if k > 0 and final[k - 1][0] != Reason.UNKNOWN.value:
            final.append((final[k - 1][0], 0.4, "RE203 carried from previous no"))
            continue
        if k == 0 and k + 1 < len(moment_pos):
            nxt = _best(own[k + 1], own_min)
            if nxt is not None:
                final.append((nxt[0], 0.3, "RE203 carried from next no"))
                continue
        final.append((Reason.UNKNOWN.value, 0.5, "RE204 no reason revealed"))
    return final
