"""Why the customer says no, as far as the whole call reveals it.

Per moment (RE1xx cue labels, see docs/rules.md):
1. RE201 the moment's own words: reason cues weighted by length (a multi-word cue such as "geen budget"
   or "zitten al bij" outweighs a single word such as "prijs"); overlapping cues of one reason count once
   (the strongest); plus what the words mean together:
   - RE210 a price on the table (the seller just named an amount) leans an objection towards budget
     (weakly: it adds to other budget evidence and never decides alone);
   - RE211 served and satisfied ("we hebben Eneco en dat bevalt prima") is competitor, not no_need;
   - RE212 a running contract with a later moment to come back ("ons contract loopt nog tot 2027, bel dan
     maar terug") is timing, not competitor;
2. RE202 what the call reveals next, up to the next moment or until the rep moves on to another offer
   or makes a new proposal after a first reply:
   the customer's turns (the answer to the rep's why-question usually holds the reason) at a lower
   weight, and RE213 the rep restating the reason ("dan is dit niet de goede oplossing voor u", "dan
   past het niet binnen uw budget"; not after a deflection);
3. RE203 a bare repeated no ("nee, dat hoeft niet") carries the reason already on the table: the
   previous moment's reason, unless the rep put something else on the table in between ("we hebben
   ook…", "daarnaast…": lexicon `reasons.new_offer_words`) - but a cheaper way to the same thing
   ("korting", "huren", "in termijnen": `reasons.cheaper_offer_words`) keeps a budget reason;
4. RE205 a default reading of the moment's own words when nothing else names a reason (lexicon
   `reasons.defaults`): an impossibility ("dat gaat niet", "dan houdt het op", "heeft geen zin") is fit;
   a bare "dat hoeft niet" stays unknown;
5. RE203 for a first moment, the next moment's own reason;
6. otherwise `unknown`. A deflection ("stuur maar een mailtje") with no reason given stays unknown (RE204).
"""

from __future__ import annotations

import re
from collections import defaultdict

from pipeline.detect.turns import PROPOSAL, Utt, seller_context
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
# reason-only evidence (label RW_*): weak words (0.7) and reason phrases with their own weight; they name a
# reason but never make a turn a moment
LABEL_TO_REASON.update({"RW_" + k[2:]: v for k, v in list(LABEL_TO_REASON.items())})

_YEAR = re.compile(r"\b20[2-4]\d\b")
# a supplier named in a written transcript: "bij Greenchoice", "via Syntra", "we hebben Eneco"
_NAMED = re.compile(r"\b(?:bij|via|met|door|hebben|gebruiken|in)\s+(?:[A-Z][\w&-]*[a-z][\w&-]*|[A-Z]{2,}\b)")


def _clustered(cues: list[tuple[str, float, int, int]]) -> dict[str, float]:
    """Per reason, overlapping cues count once (the strongest): "we hebben al een" is one cue, not three."""
    out: dict[str, float] = defaultdict(float)
    by_reason: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for r, w, s, e in cues:
        by_reason[r].append((s, e, w))
    for r, spans in by_reason.items():
        spans.sort()
        end, best = -1, 0.0
        for s, e, w in spans:
            if s >= end:
                out[r] += best
                best = 0.0
            best = max(best, w)
            end = max(end, e)
        out[r] += best
    return out


def not_money(u: Utt) -> bool:
    """RE215 the customer says it is not the money ("'t is nie om de centen", "de prijs is het probleem niet":
    lexicon `reasons.not_money`)."""
    return u.view.first_phrase(u.view.lex.phrases("reasons.not_money")) is not None


def reason_scores(u: Utt) -> dict[str, float]:
    cues = u.view.cues
    lex = u.view.lex
    # a brush-off ("bel ik zelf wel", "ik kijk er zelf wel naar") names no reason; one that defers to someone
    # ("dat moet ik eerst met mijn dochter bespreken", NM122) does: who decides
    deflect = [(s, e, c == "NM122") for lab, c, s, e in cues if lab == "DEFLECT"]
    found: list[tuple[str, float, int, int]] = []
    covered: set[int] = set()
    for lab, _c, s, e in cues:
        r = LABEL_TO_REASON.get(lab)
        if r is None or any(
            ds <= s and e <= de and not (defers and r == Reason.AUTHORITY.value) for ds, de, defers in deflect
        ):
            continue
        found.append((r, u.view.weight(lab, s, e), s, e))
        covered.update(range(s, e))
    out: dict[str, float] = defaultdict(float, _clustered(found))
    _compounds(u, covered, out)
    money = lex.words("reasons.money_words")
    n_money = sum(map(money.__contains__, u.words))
    if n_money and (any(map(str.isdigit, u.text)) or _number_word(u)):
        out[Reason.BUDGET.value] += 1.0  # the customer names an amount of money
    elif n_money >= 2 or (u.has("R_BUDGET") and any(map(str.isdigit, u.text))):
        out[Reason.BUDGET.value] += 1.0  # the customer talks money: amounts compared
    text = u.text
    # the substring tests are cheap necessary conditions that spare most texts a regex scan
    if "20" in text and _YEAR.search(text):
        out[Reason.TIMING.value] += 0.7  # a year: "tot eind 2027"
    if text != text.lower() and _NAMED.search(text):  # a name needs a capital
        out[Reason.COMPETITOR.value] += 0.8  # a named supplier
    _served_and_timed(u, found, out)
    if not_money(u):
        out[Reason.BUDGET.value] = 0.0  # RE215 "'t is nie om de centen", "de prijs is het probleem niet"
    if out.get(Reason.NO_NEED.value, 0.0) > 0 and any(lab == "R_FIT" for lab, _c, _s, _e in cues):
        # RE216 a named mismatch (a fit phrase, not a lone fit word) beats a generic no need in the same turn:
        # "nee hoor, geen behoefte aan, onze kraampjes zijn veel te klein" is fit (pooled over the tuning sets,
        # fit was read as no_need 13 times, the reverse never)
        out[Reason.FIT.value] += lex.table("reasons.context_weights").get("fit_over_no_need", 0.5)
    budget, timing = out.get(Reason.BUDGET.value, 0.0), out.get(Reason.TIMING.value, 0.0)
    if budget >= 1.0 and timing > budget:
        # RE214 money beats time: "de kas is leeg tot na de oogst", "dit jaar geen budget meer" are budget
        out[Reason.TIMING.value] = 0.9 * budget
    return dict(out)


def _served_and_timed(u: Utt, found: list[tuple[str, float, int, int]], out: dict[str, float]) -> None:
    """RE211 served + satisfied is competitor; RE212 a running contract + a later date is timing."""
    comp, need, timing = Reason.COMPETITOR.value, Reason.NO_NEED.value, Reason.TIMING.value
    lex = u.view.lex
    if out.get(comp, 0.0) >= 0.7 and out.get(need, 0.0) > 0:
        satisfied = lex.words("reasons.satisfied_words")
        moved = max((w for r, w, s, e in found if r == need and satisfied & set(u.words[s:e])), default=0.0)
        if moved:
            out[comp] += moved
            out[need] = max(0.0, out[need] - moved)
    # a running contract is timing when the customer points to a later moment ("bel volgend jaar maar terug",
    # "daar kijk ik nu niet naar"); "we zitten bij X en dat contract loopt nog" stays competitor
    contract = lex.words("reasons.contract_words")
    if (
        out.get(timing, 0.0) >= 1.5
        and out.get(comp, 0.0) > 0
        and contract & set(u.words)
        and u.view.first_phrase(lex.phrases("reasons.later_cues"))
    ):
        out[timing] += out[comp]
        out[comp] = 0.0


def _number_word(u: Utt) -> bool:
    return any(len(w) > 6 and ("honderd" in w or "duizend" in w) for w in u.words)


_ByLength = tuple[tuple[int, dict[str, tuple[int, str]]], ...]
AffixIndex = tuple[_ByLength, _ByLength]


def _affixes(lex: Lexicon) -> AffixIndex:
    """The lexicon's `reasons.compound_heads` / `compound_modifiers` indexed by part length: per length, part ->
    (its position in the lexicon, reason). The first part in lexicon order that fits a word wins."""
    heads: dict[int, dict[str, tuple[int, str]]] = {}
    mods: dict[int, dict[str, tuple[int, str]]] = {}
    n = 0
    for table, name in ((heads, "reasons.compound_heads"), (mods, "reasons.compound_modifiers")):
        for reason, parts in lex.table(name).items():
            for p in parts:
                part = str(p).lower()
                table.setdefault(len(part), {}).setdefault(part, (n, str(reason)))
                n += 1
    return tuple(sorted(heads.items())), tuple(sorted(mods.items()))


def _compounds(u: Utt, covered: set[int], out: dict[str, float]) -> None:
    """Dutch compounds carry the reason in one of their parts: "meerjarenbegroting", "bestuursbureau"."""
    heads, mods = u.view.lex.bundle("reasons.affixes", _affixes)
    for k, w in enumerate(u.words):
        if k in covered or len(w) < 8:
            continue
        best: tuple[int, str] | None = None
        for length, table in heads:
            if len(w) >= length + 3 and (hit := table.get(w[-length:])) is not None and (best is None or hit < best):
                best = hit
        for length, table in mods:
            if len(w) >= length + 3 and (hit := table.get(w[:length])) is not None and (best is None or hit < best):
                best = hit
        if best is not None:
            out[best[1]] += 0.8


def price_quoted(call: list[Utt], p: int, seller_turns: int = 2) -> bool:
    """RE210: one of the seller's last turns before position p names a price (an amount with a money word,
    "per maand", a percentage fee)."""
    seen = 0
    for j in range(p - 1, -1, -1):
        u = call[j]
        if u.role != "seller" or not u.words:
            continue
        if u.names_price is None:
            u.names_price = _names_price(u)
        if u.names_price:
            return True
        seen += 1
        if seen >= seller_turns:
            break
    return False


def _price_words(lex: Lexicon) -> frozenset[str]:
    return frozenset(lex.words("reasons.money_words") | lex.words("reasons.price_words"))


def _names_price(u: Utt) -> bool:
    """An amount with a money word: "450 euro", "drie euro vijftig per maand", "acht procent fee"."""
    lex = u.view.lex
    ws = set(u.words)
    if not ws & lex.bundle("reasons.price_words_all", _price_words):
        return False
    return any(map(str.isdigit, u.text)) or _number_word(u) or bool(lex.words("reasons.price_units") & ws)


def _own(call: list[Utt], p: int) -> dict[str, float]:
    scores = reason_scores(call[p])
    if price_quoted(call, p) and not not_money(call[p]):
        scores[Reason.BUDGET.value] = scores.get(Reason.BUDGET.value, 0.0) + call[p].view.lex.table(
            "reasons.context_weights"
        ).get("price_quoted", 0.5)
    return scores


def _rep_restates(u: Utt) -> dict[str, float]:
    """RE213: the rep names the reason back ("dan past het niet binnen uw budget")."""
    out: dict[str, float] = {}
    for reason, phrases in u.view.lex.phrase_table("reasons.rep_restates").items():
        if u.view.first_phrase(phrases):
            out[reason] = 1.0
    return out


def _new_offer(call: list[Utt], prev: int, p: int, kind: str = "new") -> bool:
    """The rep put something else on the table between two moments ("we hebben ook een leaseregeling",
    "daarnaast…", "nog een laatste ding"): a bare no to it says nothing about the earlier reason.
    kind="cheaper": the rep's last turn answered with a cheaper way to the same thing ("korting", "huren",
    "afbetalen": `reasons.cheaper_offer_words`); a bare no to that keeps a budget reason (RE203)."""
    words = call[p].view.lex.words(f"reasons.{kind}_offer_words")
    for j in range(p - 1, prev, -1):
        if call[j].role == "seller" and call[j].words:
            return any(w in words for w in call[j].words)
    return False


def _default_reading(u: Utt) -> str | None:
    """RE205: what the moment's own words mean when nothing else in the call names a reason."""
    for reason, phrases in u.view.lex.phrase_table("reasons.defaults").items():
        if u.view.first_phrase(phrases):
            return reason
    return None


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
    own: list[dict[str, float]] = [_own(call, p) for p in moment_pos]
    out: list[tuple[str, float, str] | None] = []
    for k, p in enumerate(moment_pos):
        scores = dict(own[k])
        best_own = _best(scores, own_min)
        if best_own is not None:
            out.append((best_own[0], min(1.0, best_own[1] / 3), "RE201 own words"))
            continue
        stop = moment_pos[k + 1] if k + 1 < len(moment_pos) else len(call)
        seen = 0
        rep_turns = 0
        restated = False
        new_offer = call[p].view.lex.words("reasons.new_offer_words")
        for j in range(p + 1, stop):
            if call[j].role == "seller" and call[j].words:
                if call[j].has("PROPOSAL", "PITCH") and any(w in new_offer for w in call[j].words):
                    break  # the rep moved on to another offer: what follows is about that one
                if rep_turns >= 1 and seller_context(call[j])[0] == PROPOSAL:
                    break  # a later proposal (a call-back, a smaller trial): the answers are about it
                rep_turns += 1
                if rep_turns <= 3:
                    for r, v in _rep_restates(call[j]).items():
                        scores[r] = scores.get(r, 0.0) + v
                        restated = True
                continue
            if call[j].role != "customer" or not call[j].words:
                continue
            seen += 1
            if seen > lookahead:
                break
            for r, v in reason_scores(call[j]).items():
                scores[r] = scores.get(r, 0.0) + 0.8 * v
        best = _best(scores, min_score)
        if best is not None:
            if best[0] in own[k] and own[k][best[0]] >= min_score:
                src = "RE201 own words"
            else:
                src = "RE213 rep restates" if restated else "RE202 revealed later"
            out.append((best[0], min(1.0, best[1] / 3), src))
            continue
        out.append(None)
    # RE203: bare repeated no inherits; RE205 default readings; deflections stay unknown
    final: list[tuple[str, float, str]] = []
    for k, p in enumerate(moment_pos):
        got = out[k]
        if got is not None:
            final.append(got)
            continue
        if call[p].has("DEFLECT"):
            final.append((Reason.UNKNOWN.value, 0.5, "RE204 deflection, no reason given"))
            continue
        if k > 0 and final[k - 1][0] != Reason.UNKNOWN.value and (
            not _new_offer(call, moment_pos[k - 1], p)
            or (final[k - 1][0] == Reason.BUDGET.value and _new_offer(call, moment_pos[k - 1], p, "cheaper"))
        ):
            final.append((final[k - 1][0], 0.4, "RE203 carried from previous no"))
            continue
        default = _default_reading(call[p])
        if default is not None:
            final.append((default, 0.4, "RE205 default reading"))
            continue
        if k == 0 and k + 1 < len(moment_pos):
            nxt = _best(own[k + 1], own_min)
            if nxt is not None:
                final.append((nxt[0], 0.3, "RE203 carried from next no"))
                continue
        final.append((Reason.UNKNOWN.value, 0.5, "RE204 no reason revealed"))
    return final
