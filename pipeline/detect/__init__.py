"""Detection: utterance rows -> moments, utterance features, call features. Pure and table-shaped.

    detect(utterances, nlp, settings, models=None) -> Detections

`utterances` has the UTTERANCES columns (call_id, idx, speaker, role, start_s, end_s, text), one row per
turn. `nlp` comes from `pipeline.nlp.build_nlp`; `settings` from the `[detect]` section of the config.
Every utterance goes through the tokenizer and the cue matcher once (`nlp.cue_views`); the heavier
context rules run only on candidate customer turns (a cheap cue gate) and the seller turns around them.

`models` is an optional hook; where it has these methods they are used on top of the rules:
    moment_proba(items: list[dict]) -> list[float]     items: {"context": seller text, "text": customer text,
                                                                 "reply": the seller's next turn}
    response_proba(items: list[dict]) -> list[dict[str, float]]   items: {"moment": ..., "text": seller text}
    reason_proba(items: list[dict]) -> list[dict[str, float]]     items: {"text": moment text, "later": text}
    model_tag(task: str) -> str      (optional) how evidence names the model, e.g. "reason/v3"

Blending (weights in `[detect]`; 0 = that task is rules only and its model is never called):
- moments (`model_weight`): score = (1 - w) * rule score + w * P(moment), against `moment_threshold`; a
  P(moment) of at least `model_lift_above` makes a moment whatever the rule score (NM124), and with
  `model_lift_all_turns` the model also reads the customer turns the rules did not make candidates (NM125);
- responses and reasons (`response_model_weight`, `reason_model_weight`): the rule's label and its
  confidence c become a distribution (c on the rule's label, 1 - c spread over the others), blended
  with the model's probabilities as (1 - w) * rules + w * model; the label with the highest blended
  score wins, and a tie keeps the rule's label. A response's confidence comes from its rule code
  (`responses.confidence`), a reason's is the rule's reason score.
Where the model changed the decision, or its own top label confirms it, `evidence` says so:
"model:reason/v3 0.82" (the model's probability of the chosen label), "… (rules: fit)" when it changed it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, fields
from operator import itemgetter
from pathlib import Path
from typing import Any

import polars as pl
from spacy.language import Language

from pipeline.detect import disqualifiers as dq_mod
from pipeline.detect import moments as moments_mod
from pipeline.detect import reasons as reasons_mod
from pipeline.detect import responses as responses_mod
from pipeline.detect.questions import analyse, with_discovery
from pipeline.detect.turns import NEUTRAL_Q, NONE, PITCH_Q, STATEMENT, WHY_Q, Utt, is_backchannel, seller_context
from pipeline.labels import REASONS, RESPONSES, Reason
from pipeline.nlp import CueView, add_token_cues, cue_views
from pipeline.schema import MOMENTS, conform
from pipeline.textinputs import reply_after

__all__ = ["Blended", "DetectSettings", "Detections", "blend_label", "detect"]


@dataclass(frozen=True)
class DetectSettings:
    """Thresholds of the detector; defaults mirror `[detect]` in configs/default.toml."""

    moment_threshold: float = 0.5
    recent_offer_turns: int = 2
    response_max_customer_skip: int = 3
    reason_lookahead_turns: int = 4
    reason_model_later_turns: int = 1
    reason_min_score: float = 0.6
    disqualifier_min_moments: int = 2
    model_weight: float = 0.4
    model_veto_below: float = 0.1
    model_lift_above: float = 1.01
    model_lift_all_turns: bool = False
    response_model_weight: float = 0.7
    reason_model_weight: float = 0.7
    outcome_lost: tuple[str, ...] = ("lost",)
    outcome_won: tuple[str, ...] = ("deal", "meeting")
    batch_size: int = 512

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> DetectSettings:
        data = dict(data or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"[detect]: unknown settings {unknown}")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls, name)
            if isinstance(default, tuple):
                if isinstance(value, str) or not isinstance(value, list | tuple):
                    raise ValueError(f"[detect] {name}: expected a list of strings")
                kwargs[name] = tuple(str(v).strip().lower() for v in value)
            else:
                kwargs[name] = type(default)(value)
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> DetectSettings:
        with Path(path).open("rb") as fh:
            return cls.from_mapping(tomllib.load(fh).get("detect", {}))


@dataclass(frozen=True)
class Detections:
    moments: pl.DataFrame
    utterance_features: pl.DataFrame
    call_features: pl.DataFrame


UTTERANCE_FEATURES_SCHEMA = {
    "call_id": pl.String(),
    "idx": pl.Int64(),
    "n_words": pl.Int64(),
    "is_question": pl.Boolean(),
    "n_questions": pl.Int64(),
    "n_discovery": pl.Int64(),
    "moment_score": pl.Float64(),  # the detector's moment score; 0.0 for non-candidates and seller turns
}
CALL_FEATURES_SCHEMA = {
    "call_id": pl.String(),
    "disqualifiers": pl.List(pl.String()),
    "disqualifier_utt_idx": pl.Int64(),
    "turns_after_disqualifier": pl.Int64(),
    "seconds_after_disqualifier": pl.Float64(),
    "kept_pitching_after_disqualifier": pl.Boolean(),
    "disqualifier_evidence": pl.String(),
    "discovery_questions_before_first_nee": pl.Int64(),
}


def _call_utts(rows: list[dict[str, Any]], views: list[CueView]) -> list[Utt]:
    out = []
    for r, view in zip(rows, views, strict=True):
        q = analyse(view)
        role = r["role"] or "unknown"
        if role == "customer":
            moments_mod.drop_reported(view)
        if role == "seller" and q.is_question:
            q = with_discovery(view, q)
        out.append(
            Utt(
                idx=int(r["idx"]),
                role=role,
                start_s=r["start_s"],
                end_s=r["end_s"],
                text=r["text"] or "",
                view=view,
                q=q,
                n_words=len(view.words),
                labels=frozenset(map(itemgetter(0), view.cues)),  # the cues' labels
            )
        )
    return out


ModelRequest = tuple[str, list[dict[str, str]]]  # (models method, items)


def _run_batched(gens: list[Generator[ModelRequest, Any, Any]], models: Any) -> list[Any]:
    """Drive per-call detections in lock step: every round, the requests of all calls for one model
    go to that model in one batch (one call per model and round instead of one per call)."""
    results: list[Any] = [None] * len(gens)
    pending: dict[int, ModelRequest] = {}
    for i, g in enumerate(gens):
        try:
            pending[i] = next(g)
        except StopIteration as stop:
            results[i] = stop.value
    while pending:
        by_task: dict[str, list[int]] = {}
        for i, (task, _items) in pending.items():
            by_task.setdefault(task, []).append(i)
        answers: dict[int, list[Any]] = {}
        for task, ids in by_task.items():
            batch = [item for i in ids for item in pending[i][1]]
            out = list(getattr(models, task)(batch))
            k = 0
            for i in ids:
                m = len(pending[i][1])
                answers[i] = out[k:k + m]
                k += m
        nxt: dict[int, ModelRequest] = {}
        for i, ans in answers.items():
            try:
                nxt[i] = gens[i].send(ans)
            except StopIteration as stop:
                results[i] = stop.value
        pending = nxt
    return results


def _model_fn(models: Any, name: str, w: float) -> Any:
    if models is None or w <= 0.0:
        return None
    return getattr(models, name, None)


def _model_tag(models: Any, task: str) -> str:
    fn = getattr(models, "model_tag", None)
    tag = fn(task) if callable(fn) else None
    return f"model:{tag or task}"


# NM124: no lift where the turn answers nothing the rep said (the call's opening) or answers the rep's
# why-question (CX110: that answer gives the reason of a no already counted), nor where the rules read a yes
# (a go-ahead at the end of the turn NM212, a yes given before NM213, a no taken back NM215) or one of the
# harmless "nee"s they know best (reassurance NM201, agreement NM202, sympathy NM204)
UNLIFTABLE = frozenset({NONE, WHY_Q})
NOT_LIFTED = ("NM212", "NM213", "NM215", "NM201", "NM202", "NM204")


def _liftable(m: moments_mod.MomentScore) -> bool:
    return m.context not in UNLIFTABLE and not any(e.startswith(NOT_LIFTED) for e in m.evidence)


def _moment_items(call: list[Utt], positions: Sequence[int]) -> list[dict[str, str]]:
    """The moment model's items: each customer turn with the text of the last seller turn before it and of the
    first seller turn after it (read only by a model trained on it, `Models.moment_reads_reply`)."""
    return [{"context": next((call[j].text for j in range(p - 1, -1, -1) if call[j].role == "seller"), ""),
             "text": call[p].text,
             "reply": reply_after((u.role, u.text) for u in call[p + 1:])}
            for p in positions]


def _blend_one(score: float, pr: float, w: float, thr: float, veto_below: float, lift_above: float) -> float:
    """One candidate's moment score from its rule score and the model's P(moment) (NM113, NM124)."""
    blended = (1 - w) * score + w * pr
    if score >= thr and pr >= veto_below:
        blended = max(blended, thr)  # a rule moment stands unless the model is clearly against it
    if pr >= lift_above:
        blended = max(blended, thr)  # a model that is sure lifts the turn whatever the rules scored
    return blended


def _model_blend(
    models: Any, call: list[Utt], cands: list[int], scores: list[float], w: float, thr: float = 0.5,
    veto_below: float = 0.0, lift_above: float = 1.01, liftable: Sequence[bool] = (),
) -> Generator[ModelRequest, Any, tuple[list[float], list[float | None] | None]]:
    """(blended moment scores, the model's P(moment) per candidate, None where it was not asked).

    The model is asked only where it can change the decision: with weight w, a rule score below
    (thr - w) / (1 - w) stays below the threshold and one at or above thr / (1 - w) stays above,
    whatever the model says. Elsewhere the score is the rule's. The blend is asymmetric (NM113): the
    model lifts a borderline turn freely, but a turn the rules already call a moment stays one unless the
    model's P(moment) is below `veto_below` (a lukewarm model does not overrule a clear "ik zei nee").
    With `lift_above` <= 1 (NM124) every `liftable` candidate under the threshold is asked, and one whose
    P(moment) reaches `lift_above` is a moment even where the rules scored it low.
    """
    fn = _model_fn(models, "moment_proba", w)
    if fn is None or not cands:
        return scores, None
    lo, hi = (thr - w) / (1 - w) if w < 1 else 0.0, thr / (1 - w) if w < 1 else 2.0
    lift = [lift_above <= 1.0 and k < len(liftable) and liftable[k] for k in range(len(scores))]
    ask = [k for k, sc in enumerate(scores) if (lift[k] or lo <= sc) and sc < hi]
    if not ask:
        return scores, [None] * len(scores)
    answers = [float(pr) for pr in (yield ("moment_proba", _moment_items(call, [cands[k] for k in ask])))]
    probs: list[float | None] = [None] * len(scores)
    blended = list(scores)
    for k, pr in zip(ask, answers, strict=True):
        probs[k] = pr
        blended[k] = _blend_one(scores[k], pr, w, thr, veto_below, lift_above if lift[k] else 2.0)
    return blended, probs


def _model_candidates(
    models: Any, call: list[Utt], cands: list[int], w: float, lift_above: float
) -> Generator[ModelRequest, Any, list[int]]:
    """NM125: the customer turns that no cue and no proposal made a candidate, read by the moment model; the
    ones whose P(moment) reaches `lift_above` join the candidates (their rule score stays what it is, so
    only the model's lift in `_model_blend` can make them moments)."""
    fn = _model_fn(models, "moment_proba", w)
    if fn is None or lift_above > 1.0:
        return cands
    have = set(cands)
    extra = [p for p, u in enumerate(call)
             if p not in have and u.role == "customer" and len(u.words) >= 3 and not is_backchannel(u)]
    if not extra:
        return cands
    answers = [float(pr) for pr in (yield ("moment_proba", _moment_items(call, extra)))]
    lifted = [p for p, pr in zip(extra, answers, strict=True) if pr >= lift_above]
    return sorted(cands + lifted) if lifted else cands


@dataclass(frozen=True, slots=True)
class Blended:
    label: str
    score: float  # the blended score of `label`
    evidence: str  # "" when the model neither changed nor confirmed the rule's label


def blend_label(
    rule_label: str, rule_conf: float, probs: Mapping[str, float], labels: Sequence[str], w: float, tag: str
) -> Blended:
    """Blend one rule decision (label + confidence) with a model's class probabilities."""
    conf = min(1.0, max(0.0, float(rule_conf)))
    others = (1.0 - conf) / max(1, len(labels) - 1)
    blended = {
        lab: (1 - w) * (conf if lab == rule_label else others) + w * float(probs.get(lab, 0.0)) for lab in labels
    }
    best = rule_label
    for lab in labels:
        if blended[lab] > blended.get(best, float("-inf")):
            best = lab
    top = max(labels, key=lambda lab: float(probs.get(lab, 0.0)))
    p_best = float(probs.get(best, 0.0))
    if best != rule_label:
        ev = f"{tag} {p_best:.2f} (rules: {rule_label})"
    elif top == rule_label:
        ev = f"{tag} {p_best:.2f}"
    else:
        ev = ""
    return Blended(best, blended.get(best, conf), ev)


def _later_customer(call: list[Utt], p: int, stop: int, lookahead: int) -> str:
    """What the customer says after moment p, up to the next moment (the reason rules read the same)."""
    out: list[str] = []
    for j in range(p + 1, stop):
        if call[j].role == "customer" and call[j].words:
            out.append(call[j].text)
            if len(out) >= lookahead:
                break
    return " ".join(out)


def _blend_responses(
    models: Any, call: list[Utt], pos: list[int], responses: list[Any], w: float
) -> Generator[ModelRequest, Any, list[tuple[str, float | None, str]]]:
    """(label, response_score, model evidence) per moment; the rules' label and None where no model runs."""
    fn = _model_fn(models, "response_proba", w)
    if fn is None or not pos:
        return [(r.label, None, "") for r in responses]
    by_idx = {u.idx: u for u in call}
    items = []
    for p, r in zip(pos, responses, strict=True):
        reply = by_idx[r.utt_idx].text if r.utt_idx is not None else ""
        items.append({"moment": call[p].text, "text": reply})
    tag = _model_tag(models, "response")
    out: list[tuple[str, float | None, str]] = []
    for r, probs in zip(responses, (yield ("response_proba", items)), strict=True):
        b = blend_label(r.label, responses_mod.confidence(r.evidence), probs, RESPONSES, w, tag)
        out.append((b.label, b.score, b.evidence))
    return out


def _blend_reasons(
    models: Any, call: list[Utt], pos: list[int], reasons: list[tuple[str, float, str]], w: float, later_turns: int
) -> Generator[ModelRequest, Any, list[tuple[str, float, str]]]:
    """(reason, reason_score, evidence) per moment, the model's evidence appended where it counts."""
    fn = _model_fn(models, "reason_proba", w)
    if fn is None or not pos:
        return reasons
    # A rule confidence c can only be overturned when c - (1 - c) / (n - 1) < w / (1 - w) (the model
    # all-in on another label): ask the model only for those moments.
    n = len(REASONS)
    ask = [k for k, (_, score, _) in enumerate(reasons)
           if w >= 1 or score - (1 - score) / (n - 1) < w / (1 - w)]
    if not ask:
        return reasons
    items = []
    for k in ask:
        p = pos[k]
        stop = pos[k + 1] if k + 1 < len(pos) else len(call)
        items.append({"text": call[p].text, "later": _later_customer(call, p, stop, later_turns)})
    tag = _model_tag(models, "reason")
    out = list(reasons)
    unknown = Reason.UNKNOWN.value
    for k, probs in zip(ask, (yield ("reason_proba", items)), strict=True):
        label, score, ev = reasons[k]
        if ev.startswith(("RE201", "RE203")):
            # RE206 the moment's own words name a reason, or a bare repeated no carries the one on the table:
            # the model may name another one, not erase it; its "no reason" vote goes to the rules' reason (a
            # bag of words reads "nee, dank u" as a brush-off even when "… niet kunnen betalen" follows, and it
            # cannot see the earlier no a repeated one refers to)
            moved = float(probs.get(unknown, 0.0))
            probs = {lab: (0.0 if lab == unknown else p) for lab, p in probs.items()}
            probs[label] = probs.get(label, 0.0) + moved
        if label != Reason.BUDGET.value and reasons_mod.not_money(call[pos[k]]):
            # RE215 "het gaat niet om het geld": a bag of words still reads "geld" as budget; its vote goes to the rules
            probs = dict(probs)
            probs[label] = probs.get(label, 0.0) + float(probs.get(Reason.BUDGET.value, 0.0))
            probs[Reason.BUDGET.value] = 0.0
        b = blend_label(label, score, probs, REASONS, w, tag)
        out[k] = (b.label, b.score, f"{ev}; {b.evidence}" if b.evidence else ev)
    return out


def _mark_why_questions(
    call: list[Utt], moments: list[int], settings: DetectSettings, responses: dict[int, Any]
) -> set[int]:
    """CX110: the rep's explore question right after a clear no ("mag ik vragen waarom?", "hoe lossen jullie
    dat nu op?") asks for the reason: the customer's answer gives it, it is no new no. Marks those seller turns
    after the given moment positions and returns their positions. `responses` caches each moment's response
    by position (the later stages reuse it)."""
    pos_of = {u.idx: k for k, u in enumerate(call)}
    marked: set[int] = set()
    for p in moments:
        r = responses.get(p) or responses_mod.respond(call, p, settings.response_max_customer_skip)
        responses[p] = r
        if r.utt_idx is None or r.label != "explore":
            continue
        j = pos_of[r.utt_idx]
        if seller_context(call[j])[0] in (NEUTRAL_Q, PITCH_Q, STATEMENT):
            call[j].context = (WHY_Q, "CX110")
            marked.add(j)
    return marked


def _detect_call(
    call_id: str,
    call: list[Utt],
    settings: DetectSettings,
    models: Any,
    moment_scores: list[float] | None = None,
    outcome: str | None = None,
) -> Generator[ModelRequest, Any, tuple[list[dict[str, Any]], dict[str, Any]]]:
    """One call's detection. A generator: it yields its model requests (task, items) and receives the
    model's answers, so that `detect` can batch the requests of many calls into one model call."""
    cands = [p for p in range(len(call)) if moments_mod.is_candidate_in(call, p)]
    if settings.model_lift_all_turns:
        cands = yield from _model_candidates(models, call, cands, settings.model_weight, settings.model_lift_above)
    scored = [moments_mod.score_moment(call, p, settings.recent_offer_turns) for p in cands]
    thr = settings.moment_threshold
    responses_at: dict[int, Any] = {}
    # the rules' moments first (so that the model cannot feed back into its own context) ...
    marked = _mark_why_questions(call, [p for p, m in zip(cands, scored, strict=True) if m.score >= thr], settings,
                                 responses_at)
    if marked:  # only the answers to a marked turn change (their candidacy does not: NM112 is for proposals)
        scored = [moments_mod.score_moment(call, p, settings.recent_offer_turns) if m.context_idx in marked else m
                  for p, m in zip(cands, scored, strict=True)]
    scores, mprobs = yield from _model_blend(
        models, call, cands, [m.score for m in scored], settings.model_weight, thr, settings.model_veto_below,
        settings.model_lift_above, [_liftable(m) for m in scored],
    )
    # ... then the moments the model lifted: an answer to their why-question is rescored with the model
    # probability it already has (or on the rules alone), so CX110 can only take moments away
    lifted = [p for p, m, sc in zip(cands, scored, scores, strict=True) if m.score < thr <= sc]
    late = _mark_why_questions(call, lifted, settings, responses_at) if lifted else set()
    if late:
        w = settings.model_weight
        for k, (p, m) in enumerate(zip(cands, scored, strict=True)):
            if m.context_idx in late:
                scored[k] = moments_mod.score_moment(call, p, settings.recent_offer_turns)
                pr = mprobs[k] if mprobs is not None else None
                # the plain blend: an answer to the rep's why-question is neither kept by the rules nor lifted
                scores[k] = scored[k].score if pr is None else (1 - w) * scored[k].score + w * pr
    if moment_scores is not None:
        for p, sc in zip(cands, scores, strict=True):
            moment_scores[p] = round(float(sc), 4)
    keep = _one_per_split_turn(call, cands, [k for k, s in enumerate(scores) if s >= thr], scores)
    pos = [cands[k] for k in keep]
    kept = [(scored[k], scores[k]) for k in keep]
    moment_ev: list[str] = []
    if mprobs is not None:
        tag = _model_tag(models, "moment")
        for k in keep:
            pr = mprobs[k]
            if pr is None:  # not asked: the rules alone were decisive
                moment_ev.append("")
            elif scored[k].score < thr:
                moment_ev.append(f"{tag} {pr:.2f} (rules: {scored[k].score:.2f})")
            elif pr >= 0.5:
                moment_ev.append(f"{tag} {pr:.2f}")
            else:
                moment_ev.append("")

    responses = [responses_at.get(p) or responses_mod.respond(call, p, settings.response_max_customer_skip)
                 for p in pos]
    reasons = reasons_mod.assign(call, pos, settings.reason_lookahead_turns, min_score=settings.reason_min_score)
    reasons = yield from _blend_reasons(
        models, call, pos, reasons, settings.reason_model_weight, settings.reason_model_later_turns
    )
    resp_final = yield from _blend_responses(models, call, pos, responses, settings.response_model_weight)
    dq = dq_mod.establish(
        call, pos, [r[0] for r in reasons], [r[0] for r in resp_final], settings.disqualifier_min_moments,
        outcome=_outcome_kind(outcome, settings),
    )
    pos_set = {p: k for k, p in enumerate(pos)}
    rows = []
    for k, p in enumerate(pos):
        m, s = kept[k]
        resp = responses[k]
        resp_label, resp_score, resp_model_ev = resp_final[k]
        reason, reason_score, reason_ev = reasons[k]
        resp_ev = f"{resp.evidence}; {resp_model_ev}" if resp_model_ev else resp.evidence
        entrenched = False
        if resp_label == "argue" and resp.utt_idx is not None:
            rpos = next(q for q in range(p, len(call)) if call[q].idx == resp.utt_idx)
            nxt = next(
                (q for q in range(rpos + 1, len(call)) if call[q].role == "customer" and not is_backchannel(call[q])),
                None,
            )
            entrenched = nxt is not None and nxt in pos_set
        rows.append(
            {
                "call_id": call_id,
                "utt_idx": call[p].idx,
                "text": call[p].text,
                "reason": reason,
                "response": resp_label,
                "asked_why_first": resp_label == "explore",
                "response_utt_idx": resp.utt_idx,
                "score": round(s, 4),
                "evidence": "; ".join((*m.evidence, *[e for e in moment_ev[k : k + 1] if e], resp_ev, reason_ev)),
                "reason_score": round(reason_score, 4),
                "response_score": None if resp_score is None else round(resp_score, 4),
                "acknowledged": resp.acknowledged,
                "patience_s": resp.patience_s,
                "entrenched": entrenched,
                "after_disqualifier": dq.utt_idx is not None and call[p].idx > dq.utt_idx,
            }
        )
    first = pos[0] if pos else None
    n_disc = sum(u.q.n_discovery for u in call[:first] if u.role == "seller") if first is not None else 0
    feats = {
        "call_id": call_id,
        "disqualifiers": list(dq.disqualifiers),
        "disqualifier_utt_idx": dq.utt_idx,
        "turns_after_disqualifier": dq.turns_after,
        "seconds_after_disqualifier": dq.seconds_after,
        "kept_pitching_after_disqualifier": dq.kept_pitching,
        "disqualifier_evidence": dq.evidence or None,
        "discovery_questions_before_first_nee": n_disc,
    }
    return rows, feats


def _one_per_split_turn(call: list[Utt], cands: list[int], keep: list[int], scores: list[float]) -> list[int]:
    """NM118 one no, one moment: customer pieces separated only by the rep's backchannels ("nee dat" - "mm" -
    "is eigenlijk niks voor ons") are one turn split by speech recognition; of its pieces above the threshold
    only the highest-scoring stays a moment (on a tie, the later piece, which usually carries the words); a piece
    that itself says no (a refusal, objection or reason cue) goes before one that only leads in to it."""
    out: list[int] = []
    for k in keep:
        if out:
            prev = out[-1]
            a, b = cands[prev], cands[k]
            between = call[a + 1 : b]
            if between and all(
                u.role != "customer" and (not u.words or is_backchannel(u)) for u in between
            ):
                if call[a].has("REFUSAL", "NEG_INTENT", "DEFLECT"):
                    continue  # the first piece already refuses in so many words: the no starts there
                if (moments_mod.says_no(call[b]), scores[k]) >= (moments_mod.says_no(call[a]), scores[prev]):
                    out[-1] = k
                continue
        out.append(k)
    return out


def _outcome_kind(outcome: str | None, settings: DetectSettings) -> str | None:
    """The call's recorded outcome (manifest/CRM) as "lost", "won" or None (unknown, follow-up, other)."""
    o = (outcome or "").strip().lower()
    if not o:
        return None
    if o in settings.outcome_lost:
        return "lost"
    return "won" if o in settings.outcome_won else None


def detect(
    utterances: pl.DataFrame,
    nlp: Language,
    settings: DetectSettings,
    models: Any | None = None,
    outcomes: Mapping[str, str | None] | None = None,
) -> Detections:
    """Find every customer "nee" moment, the rep's response, reasons and call-level features.

    `outcomes` (call_id -> the recorded outcome, e.g. the manifest's `outcome`) is optional evidence for
    call-level disqualifiers (DQ204/DQ219); without it they rest on the words alone."""
    utts = utterances.sort(["call_id", "idx"], maintain_order=True)
    rows = utts.select(["call_id", "idx", "role", "start_s", "end_s", "text"]).to_dicts()
    texts = [r["text"] or "" for r in rows]
    views = cue_views(nlp, texts, batch_size=settings.batch_size)
    # the token Matcher (slow) only runs on customer turns: the only ones its patterns are for
    add_token_cues(nlp, [v for v, r in zip(views, rows, strict=True) if r["role"] != "seller"])
    moment_rows: list[dict[str, Any]] = []
    call_rows: list[dict[str, Any]] = []
    feat_rows: dict[str, list[Any]] = {k: [] for k in UTTERANCE_FEATURES_SCHEMA}
    calls: list[tuple[str, list[Utt], list[float]]] = []
    start = 0
    n = len(rows)
    while start < n:
        cid = rows[start]["call_id"]
        end = start
        while end < n and rows[end]["call_id"] == cid:
            end += 1
        call = _call_utts(rows[start:end], views[start:end])
        calls.append((cid, call, [0.0] * len(call)))
        start = end
    outcomes = outcomes or {}
    results = _run_batched(
        [_detect_call(cid, call, settings, models, ms, outcomes.get(cid)) for cid, call, ms in calls], models
    )
    for (cid, call, mscores), (mrows, feats) in zip(calls, results, strict=True):
        feat_rows["moment_score"].extend(mscores)
        for u in call:
            feat_rows["call_id"].append(cid)
            feat_rows["idx"].append(u.idx)
            feat_rows["n_words"].append(u.n_words)
            feat_rows["is_question"].append(u.q.is_question)
            feat_rows["n_questions"].append(u.q.n_questions)
            feat_rows["n_discovery"].append(u.q.n_discovery)
        moment_rows.extend(mrows)
        call_rows.append(feats)
    moments = pl.DataFrame(moment_rows, schema=MOMENTS.schema) if moment_rows else MOMENTS.empty()
    return Detections(
        moments=conform(moments, MOMENTS),
        utterance_features=pl.DataFrame(feat_rows, schema=UTTERANCE_FEATURES_SCHEMA),
        call_features=pl.DataFrame(call_rows, schema=CALL_FEATURES_SCHEMA),
    )
