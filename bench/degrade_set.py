"""Render a labelled set as raw speech recognition, or Flemish, to measure robustness on your own labels. Not a test.

The held-out calls neecoach is judged on include raw speech-recognition text and Flemish speakers; a labelled set
written tidy and in Netherlands Dutch says little about those. This script reads a set in the evaluation format
(`../shared/eval/SCHEMA.md`: `calls/`, `manifest.csv`, `gold.jsonl`) with neecoach's own readers and writes a
new set in that format, with the same labels, where every utterance is

- `--style asr` (default): lower case, no punctuation, ASR fillers ("eh") at a share of the sentence breaks
  (`--fillers`), and long turns split by the other side's backchannel ("ja", "mm") at a share of them (`--split`);
  a filler or a split never falls inside a labelled quote, so every gold quote stays a substring;
- `--style tidy`: the text as it was (for `--flemish` alone);
- `--flemish`: a few frequent Flemish forms put in word by word (niet -> nie, nee -> neen, het -> 't, dat -> da,
  je -> ge, maar -> mor, ...), in the utterances and in the quotes alike.

Then score it as any set: `neecoach evaluate OUT_DIR`. The variants are synthetic (real ASR also mishears words and
real Flemish is more than a word list); they isolate what punctuation, case, fillers, split turns and these forms
do to the detector. Write them outside the repository when the source set may not be copied (the shared dev set).

    .venv/bin/python bench/degrade_set.py ../shared/eval/dev /tmp/dev-asr --split 0.35 --fillers 0.4 --seed 11
    .venv/bin/python bench/degrade_set.py ../shared/eval/dev /tmp/dev-vl --style tidy --flemish
    neecoach evaluate /tmp/dev-asr
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.ingest import Quarantined, SourceFile, ingest_file  # noqa: E402
from pipeline.manifest import CallMeta  # noqa: E402
from pipeline.run import _role_context  # noqa: E402

FLEMISH = {
    "niet": "nie", "nee": "neen", "het": "'t", "dat": "da", "je": "ge", "jij": "gij", "jou": "u", "jouw": "uw",
    "even": "efkes", "nou": "awel", "goed": "goe", "maar": "mor", "wat": "wa", "eens": "ne keer",
    "heb je": "hebde", "ben je": "zijde", "kun je": "kunde", "leuk": "plezant",
}
BACKCHANNELS = ("ja", "mm", "ja ja", "oké")
_WORD = re.compile(r"(?<![\w'])[\w']+(?![\w'])")
_PAIR = re.compile(r"\b(heb je|ben je|kun je)\b", re.IGNORECASE)


def flemish(text: str) -> str:
    def swap(m: re.Match[str]) -> str:
        w = m.group(0)
        r = FLEMISH.get(w.lower())
        if r is None:
            return w
        return r[0].upper() + r[1:] if w[0].isupper() else r

    return _WORD.sub(swap, _PAIR.sub(swap, text))


def render(text: str, asr: bool, vl: bool) -> str:
    """The transformation applied to utterances and quotes alike (so quotes stay substrings)."""
    text = text.replace("’", "'")
    if vl:
        text = flemish(text)
    if asr:
        text = re.sub(r"[.,?!;:\"“”…()]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def _spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    out = []
    for q in quotes:
        at = text.find(q) if q else -1
        if at >= 0:
            out.append((at, at + len(q)))
    return out


def degrade_utterance(text: str, quotes: list[str], rnd: random.Random, args: argparse.Namespace) -> str:
    asr = args.style == "asr"
    parts = [render(p, asr, args.flemish) for p in re.split(r"(?<=[.?!])\s+", text)]
    parts = [p for p in parts if p]
    plain = " ".join(parts)
    if not asr:
        return plain
    spans = _spans(plain, quotes)
    out: list[str] = []
    pos = 0
    for k, p in enumerate(parts):
        if k:
            if not any(a < pos < b for a, b in spans) and rnd.random() < args.fillers:
                out.append("eh")
            pos += 1
        out.append(p)
        pos += len(p)
    joined = " ".join(out)
    if rnd.random() < args.fillers and not any(a == 0 for a, _b in spans):
        joined = "eh " + joined
    return joined


def _split(text: str, quotes: list[str], rnd: random.Random) -> tuple[str, str] | None:
    """Cut a long turn at a word boundary outside every quote (at least four words on each side)."""
    words = text.split()
    if len(words) <= 12:
        return None
    spans = _spans(text, quotes)
    cuts, pos = [], 0
    for k, w in enumerate(words[:-4]):
        pos += len(w) + 1
        if k >= 4 and not any(a < pos < b for a, b in spans):
            cuts.append(k + 1)
    if not cuts:
        return None
    k = rnd.choice(cuts)
    return " ".join(words[:k]), " ".join(words[k:])


def degrade(set_dir: Path, out_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings(args.config)
    roles = _role_context(settings)
    rnd = random.Random(args.seed)
    asr = args.style == "asr"
    gold = [json.loads(line) for line in (set_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    quotes = {
        g["call_id"]: [render(m["quote"], asr, args.flemish) for m in g["moments"]]
        + [render(q, asr, args.flemish) for q in g["not_moments"]]
        for g in gold
    }
    with (set_dir / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        manifest = list(csv.DictReader(fh))
    (out_dir / "calls").mkdir(parents=True, exist_ok=True)
    n_split = 0
    skipped: list[str] = []
    kept: list[dict[str, str]] = []
    for row in manifest:
        cid = row["call_id"]
        result = ingest_file(
            SourceFile((set_dir / row["file"]).resolve(), CallMeta(rep_speaker=row.get("rep_speaker") or None)),
            settings.ingest, roles,
        )
        if isinstance(result, Quarantined):  # a file neecoach cannot read stays out of the variant, said so
            skipped.append(f"{row['file']}: {result.error_code}")
            continue
        kept.append(row)
        utts = result.utterances
        if not row.get("rep_speaker"):  # the manifest left it to role inference: write down what was inferred
            row["rep_speaker"] = next((u["speaker"] for u in utts if u["role"] == "seller"), "")
        speakers = list(dict.fromkeys(u["speaker"] for u in utts))
        segments: list[dict[str, Any]] = []
        t = 0.0
        for u in utts:
            start = u["start_s"] if u["start_s"] is not None else t
            start = max(start, t)
            end = max(u["end_s"] if u["end_s"] is not None else start + 2.5, start + 0.6)
            text = degrade_utterance(u["text"], quotes.get(cid, []), rnd, args)
            other = next((s for s in speakers if s != u["speaker"]), None)
            cut = _split(text, quotes.get(cid, []), rnd) if asr and other and rnd.random() < args.split else None
            if cut is not None:
                mid = start + (end - start) / 2
                segments.append({"start": start, "end": mid - 0.3, "text": " " + cut[0], "speaker": u["speaker"]})
                segments.append({"start": mid - 0.25, "end": mid - 0.05, "text": " " + rnd.choice(BACKCHANNELS),
                                 "speaker": other})
                segments.append({"start": mid, "end": end, "text": " " + cut[1], "speaker": u["speaker"]})
                n_split += 1
            else:
                segments.append({"start": start, "end": end, "text": " " + text, "speaker": u["speaker"]})
            t = end + 0.05
        (out_dir / "calls" / f"{cid}.json").write_text(
            json.dumps({"segments": segments}, ensure_ascii=False, indent=1), encoding="utf-8")
        row["file"] = f"calls/{cid}.json"
    with (out_dir / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(manifest[0]))
        writer.writeheader()
        writer.writerows(kept)
    ids = {row["call_id"] for row in kept}
    with (out_dir / "gold.jsonl").open("w", encoding="utf-8") as fh:
        for g in gold:
            if g["call_id"] not in ids:
                continue
            g = dict(g)
            g["moments"] = [dict(m, quote=render(m["quote"], asr, args.flemish)) for m in g["moments"]]
            g["not_moments"] = [render(q, asr, args.flemish) for q in g["not_moments"]]
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    return {"calls": len(kept), "skipped": skipped, "split_turns": n_split, "out": str(out_dir)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--style", choices=("asr", "tidy"), default="asr")
    ap.add_argument("--flemish", action="store_true")
    ap.add_argument("--fillers", type=float, default=0.25, help="share of sentence breaks that get an 'eh'")
    ap.add_argument("--split", type=float, default=0.0, help="share of long turns split by a backchannel")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--config", type=Path, default=None)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        raise SystemExit(f"{args.out_dir} exists and is not empty")
    print(json.dumps(degrade(args.set_dir, args.out_dir, args)))


if __name__ == "__main__":
    main()
