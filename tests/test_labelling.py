"""Active learning round trip: export least-confident utterances, label them, import, train."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.labelling import LABEL_CONFIG, export_tasks
from pipeline.modelstore import read_info
from pipeline.run import RunRequest, execute
from pipeline.train.data import from_label_studio
from pipeline.train.runner import train_from_config
from tests.conftest import SAMPLES


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def test_export_label_import_train(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    execute(RunRequest((SAMPLES,), ws, load_settings(), reports=False))
    tasks = export_tasks(ws, load_settings(), n=60)
    assert len(tasks) == 60
    margins = [abs(t["data"]["model_score"] - 0.5) for t in tasks]
    assert margins == sorted(margins)  # least confident first
    assert {"before", "text", "reply", "later", "call_id", "utt_idx"} <= set(tasks[0]["data"])
    assert 'name="moment"' in LABEL_CONFIG and 'value="explore"' in LABEL_CONFIG

    # An annotator labels them (here: from the samples' gold labels) and Label Studio exports.
    gold = {}
    for line in (SAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["call_id"]] = row["moments"]
    exported = []
    for t in tasks:
        d = t["data"]
        hit = next((m for m in gold.get(d["call_id"], []) if _norm(m["quote"]) in _norm(d["text"])), None)
        result = [{"from_name": "moment", "to_name": "text", "type": "choices",
                   "value": {"choices": ["moment" if hit else "no_moment"]}}]
        if hit:
            result += [{"from_name": "response", "to_name": "reply", "type": "choices",
                        "value": {"choices": [hit["response"]]}},
                       {"from_name": "reason", "to_name": "text", "type": "choices",
                        "value": {"choices": [hit["reason"]]}}]
        exported.append({**t, "annotations": [{"result": result, "was_cancelled": False}]})
    export = tmp_path / "ls-export.json"
    export.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")

    examples = from_label_studio(export)
    assert sum(e.task == "moment" for e in examples) == 60
    cfg = tmp_path / "train.toml"
    cfg.write_text(
        f'[data]\nsources = [{{ kind = "label_studio", path = "{export}" }}]\n'
        f'[train]\nseed = 1\nmax_epochs = 3\n[output]\nroot = "{tmp_path / "models"}"\nversion = "ls1"\n'
        'tasks = ["moment"]\n', encoding="utf-8")
    result = train_from_config(cfg)
    info = read_info(Path(result["moment"]["path"]), "moment")
    assert info.meta["n_train"] + info.meta["n_val"] == 60
    assert any("label_studio" in s for s in info.meta["data_sources"])


def test_export_cli_writes_tasks_and_interface(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    execute(RunRequest((SAMPLES,), ws, load_settings(), reports=False))
    out = tmp_path / "lab" / "tasks.json"
    out.parent.mkdir()
    res = CliRunner().invoke(app, ["export-for-labelling", str(ws), "--n", "5", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert len(json.loads(out.read_text())) == 5
    assert (out.parent / "label_config.xml").read_text().startswith("<View>")
    missing = CliRunner().invoke(app, ["export-for-labelling", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2
