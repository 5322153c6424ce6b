"""Rules-only reason macro-F1 and confusion matrix on data/train/moments*.jsonl. Not a test.

Each gold moment becomes a mini-call (context, the customer's `text`, the next turns, as in bench/eval_blend.py)
that the detector reads with every model weight at 0; reasons are scored on the items it detects as moments.
data/holdout is never read.

    .venv/bin/python bench/reasons_rules.py [GOLD>PRED ...]   e.g. "fit>unknown" or "*>budget" lists the misses
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.eval_blend import TRAIN_DIR, _rows, mini_calls  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.detect import DetectSettings, detect  # noqa: E402
from pipeline.evaluate import macro_f1  # noqa: E402
from pipeline.labels import REASONS  # noqa: E402
from pipeline.nlp import build_nlp  # noqa: E402


def main(argv: list[str]) -> int:
    settings = load_settings()
    base = {**settings.section("detect"), "model_weight": 0.0, "response_model_weight": 0.0, "reason_model_weight": 0.0}
    nlp = build_nlp(settings.section("nlp"))
    rows = [r for path in sorted(TRAIN_DIR.glob("moments*.jsonl")) for r in _rows(path) if r["moment"]]
    utts, target = mini_calls(rows)
    got = {m["call_id"]: m for m in detect(utts, nlp, DetectSettings.from_mapping(base)).moments.iter_rows(named=True)
           if target.get(m["call_id"]) == m["utt_idx"]}
    pairs = [(r["reason"], got[r["id"]]["reason"]) for r in rows if r["id"] in got]
    print(f"detected {len(pairs)} / {len(rows)} gold moments")
    acc = sum(g == p for g, p in pairs) / len(pairs)
    print(f"reason macro-F1 {macro_f1(pairs, list(REASONS)):.4f}, accuracy {acc:.4f}")
    conf = Counter(pairs)
    print("gold \\ pred".ljust(12) + "".join(lab[:7].rjust(8) for lab in REASONS))
    for g in REASONS:
        print(g[:11].ljust(12) + "".join(str(conf[(g, p)]).rjust(8) for p in REASONS))
    for spec in argv:
        g0, p0 = spec.split(">")
        for r in rows:
            m = got.get(r["id"])
            if m and r["reason"] != m["reason"] and g0 in ("*", r["reason"]) and p0 in ("*", m["reason"]):
                print(f"--- {r['id']} gold={r['reason']} pred={m['reason']}: {r['text']}")
                print(f"    {m['evidence'].split('; ')[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
