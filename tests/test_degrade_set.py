"""bench/degrade_set.py: a labelled set rendered as raw ASR or Flemish stays a valid set with the same labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.degrade_set import degrade, flemish, parse_args, render

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


def _gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_flemish_forms_and_raw_asr_rendering() -> None:
    assert flemish("Nee, dat heb je niet. Maar goed.") == "Neen, da hebde nie. Mor goe."
    assert render("Nee, dat is Het Probleem niet!", asr=True, vl=False) == "nee dat is het probleem niet"


def test_degraded_samples_are_a_valid_set_with_the_same_labels(tmp_path: Path) -> None:
    out = tmp_path / "asr-vl"
    args = parse_args([str(SAMPLES), str(out), "--flemish", "--fillers", "0.5", "--split", "0.5", "--seed", "3"])
    summary = degrade(SAMPLES, out, args)
    assert summary["split_turns"] > 0
    # the set validator: every quote is found in exactly one customer utterance, times increase, labels are valid
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_set.py"), str(out)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    before, after = _gold(SAMPLES / "gold.jsonl"), _gold(out / "gold.jsonl")
    assert [(g["call_id"], [(m["reason"], m["response"]) for m in g["moments"]], g["disqualifiers"]) for g in before] \
        == [(g["call_id"], [(m["reason"], m["response"]) for m in g["moments"]], g["disqualifiers"]) for g in after]
    text = " ".join(s["text"] for f in (out / "calls").glob("*.json")
                    for s in json.loads(f.read_text(encoding="utf-8"))["segments"])
    assert text == text.lower() and "?" not in text and " eh " in text and " neen " in text
