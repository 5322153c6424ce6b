"""Labelled data -> (input text, label) examples per task, from any supported source.

Sources:
- `neecoach`: the project's own format (`data/train/moments.jsonl`, `data/train/seller_turns.jsonl`;
  see docs/training.md);
- `eval_set`: a labelled set in the evaluation format (calls/, manifest.csv, gold.jsonl);
- `label_studio`: a Label Studio JSON export of tasks made by `neecoach export-for-labelling`.
Every input text is built by `pipeline.textinputs`, exactly as at run time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ErrorCode, UsageError
from pipeline.evaluate import norm
from pipeline.labels import REASONS, RESPONSES
from pipeline.textinputs import moment_input, reason_input, reply_after, response_input


@dataclass(frozen=True)
class Example:
    task: str
    text: str
    label: str
    group: str  # examples of one group (a call, a dialogue) stay on one side of the split
    source: str


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}:{n}: {exc.msg}") from None


def _last(turns: list[dict[str, Any]], role: str) -> str:
    for t in reversed(turns):
        if t.get("role") == role:
            return str(t.get("text", ""))
    return ""


def from_neecoach(folder: Path, moment_reply: bool = False) -> list[Example]:
    out: list[Example] = []
    src = f"neecoach:{folder}"
    for moments in sorted(folder.glob("moments*.jsonl")):  # moments.jsonl, moments_more.jsonl, ...
        for row in _jsonl(moments):
            gid = str(row.get("id"))
            ctx, nxt = row.get("context") or [], row.get("next") or []
            text = str(row["text"])
            is_moment = bool(row.get("moment"))
            answer = reply_after((str(t.get("role")), str(t.get("text", ""))) for t in nxt)
            out.append(Example("moment", moment_input(text, _last(ctx, "seller"), answer if moment_reply else None),
                               "moment" if is_moment else "no_moment", gid, src))
            if not is_moment:
                continue
            if row.get("response") in RESPONSES:
                out.append(Example("response", response_input(answer, text), row["response"], gid, src))
            if row.get("reason") in REASONS:
                later = " ".join(str(t.get("text", "")) for t in nxt if t.get("role") == "customer")
                out.append(Example("reason", reason_input(text, later), row["reason"], gid, src))
    turns = folder / "seller_turns.jsonl"
    if turns.exists():
        for row in _jsonl(turns):
            if row.get("after_no") and row.get("response") in RESPONSES:
                ctx = row.get("context") or []
                out.append(Example("response", response_input(str(row["text"]), _last(ctx, "customer")),
                                   row["response"], str(row.get("id")), src))
    return out


def from_eval_set(set_dir: Path, moment_reply: bool = False) -> list[Example]:
    """A labelled set (SCHEMA.md): ingest its calls, then label every customer utterance."""
    from pipeline.config import load_settings
    from pipeline.ingest import IngestedCall, RoleContext, ingest_file, plan
    from pipeline.roles import load_role_rules, load_roster

    settings = load_settings()
    gold = {r["call_id"]: r for r in _jsonl(set_dir / "gold.jsonl")}
    sources, _ = plan((set_dir / "calls",), set_dir / "manifest.csv", settings.ingest)
    roles = RoleContext(load_roster(None), load_role_rules(settings.path("roles", "rules", "configs/roles.toml")))
    src = f"eval_set:{set_dir}"
    out: list[Example] = []
    for s in sources:
        res = ingest_file(s, settings.ingest, roles)
        if not isinstance(res, IngestedCall):
            continue
        g = gold.get(res.call["call_id"])
        if g is None:
            continue
        utts = res.utterances
        pending = [(norm(m["quote"]), m) for m in g.get("moments", [])]
        for i, u in enumerate(utts):
            if u["role"] != "customer":
                continue
            text = u["text"]
            before = next((x["text"] for x in reversed(utts[:i]) if x["role"] == "seller"), "")
            answer = reply_after((x["role"], x["text"]) for x in utts[i + 1:])
            hit = next((p for p in pending if p[0] in norm(text)), None)
            gid = res.call["call_id"]
            out.append(Example("moment", moment_input(text, before, answer if moment_reply else None),
                               "moment" if hit else "no_moment", gid, src))
            if hit is None:
                continue
            pending.remove(hit)
            m = hit[1]
            out.append(Example("response", response_input(answer, text), m["response"], gid, src))
            later = " ".join(x["text"] for x in utts[i + 1:i + 5] if x["role"] == "customer")
            out.append(Example("reason", reason_input(text, later), m["reason"], gid, src))
    return out


def from_label_studio(path: Path, moment_reply: bool = False) -> list[Example]:
    """Label Studio JSON export of neecoach tasks (see `neecoach export-for-labelling`)."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None
    out: list[Example] = []
    for task in tasks if isinstance(tasks, list) else []:
        data = task.get("data", {})
        choices: dict[str, str] = {}
        for ann in task.get("annotations", []):
            if ann.get("was_cancelled"):
                continue
            for res in ann.get("result", []):
                value = res.get("value", {})
                if res.get("type") == "choices" and value.get("choices"):
                    choices[str(res.get("from_name"))] = str(value["choices"][0])
        if not choices:
            continue
        gid = str(data.get("call_id", task.get("id")))
        text, before = str(data.get("text", "")), str(data.get("before", ""))
        src = f"label_studio:{path}"
        if choices.get("moment") in ("moment", "no_moment"):
            reply = str(data.get("reply", "")) if moment_reply else None
            out.append(Example("moment", moment_input(text, before, reply), choices["moment"], gid, src))
        if choices.get("moment") == "moment":
            if choices.get("response") in RESPONSES:
                out.append(Example("response", response_input(str(data.get("reply", "")), text),
                                   choices["response"], gid, src))
            if choices.get("reason") in REASONS:
                later = str(data.get("later", ""))
                out.append(Example("reason", reason_input(text, later), choices["reason"], gid, src))
    return out


def load_sources(sources: list[dict[str, str]], base: Path, moment_reply: bool = False) -> list[Example]:
    """Every source's examples; `moment_reply`: the moment examples read the rep's reply too (MOMENT_INPUTS)."""
    out: list[Example] = []
    for s in sources:
        kind, path = s.get("kind"), Path(str(s.get("path", "")))
        path = path if path.is_absolute() else base / path
        if kind == "neecoach":
            out += from_neecoach(path, moment_reply)
        elif kind == "eval_set":
            out += from_eval_set(path, moment_reply)
        elif kind == "label_studio":
            out += from_label_studio(path, moment_reply)
        else:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"unknown data source kind {kind!r}")
    return out


def data_hash(examples: list[Example]) -> str:
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.task, e.group, e.text, e.label)):
        h.update(f"{e.task}\t{e.group}\t{e.label}\t{e.text}\n".encode())
    return h.hexdigest()[:16]


def split(examples: list[Example], val_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Deterministic split by group hash: the same data and seed always give the same split."""
    def bucket(group: str) -> float:
        d = hashlib.sha256(f"{seed}:{group}".encode()).digest()
        return int.from_bytes(d[:8], "big") / 2**64

    train = [e for e in examples if bucket(e.group) >= val_fraction]
    val = [e for e in examples if bucket(e.group) < val_fraction]
    return train, val
