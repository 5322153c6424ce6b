#!/usr/bin/env python3
"""Validate a labelled evaluation set (SCHEMA.md format; stdlib only): python3 scripts/check_set.py SET_DIR.

Checks:
  - manifest.csv has the right columns, unique call ids, and every file exists
  - every gold.jsonl call_id is in the manifest (and vice versa)
  - every moment quote and not_moment is found in exactly one customer utterance
    (customer = any speaker other than the manifest's rep_speaker), matching
    case-insensitively with whitespace collapsed; moments are in call order
  - labels are in the allowed sets; disqualifiers are a subset of [budget, fit]
  - discovery count is a non-negative int; outcome/date are valid
  - cue/segment times increase (srt, vtt, json)
Prints a summary and exits non-zero on any error.
"""
import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.getcwd()
REASONS = {"budget", "fit", "timing", "authority", "competitor", "no_need", "unknown"}
RESPONSES = {"explore", "argue", "accept", "other"}
DISQ = {"budget", "fit"}
OUTCOMES = {"meeting", "deal", "follow_up", "lost"}
TIME = re.compile(r"(\d+):(\d\d):(\d\d)[.,](\d{3})\s*-->\s*(\d+):(\d\d):(\d\d)[.,](\d{3})")


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def secs(h, m, s, ms):
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse_cues(text):
    """Yield (start, end, payload) for srt/vtt cue blocks."""
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [l for l in block.split("\n") if l.strip()]
        for i, line in enumerate(lines):
            m = TIME.search(line)
            if m:
                g = m.groups()
                yield secs(*g[:4]), secs(*g[4:]), " ".join(lines[i + 1:])
                break


NAME_LINE = r"^([^:]{1,40}):\s*(.*)$"  # "Daan: …", in .txt lines and .srt cues
# per cue format: how a cue names its speaker, and what a cue without one lacks
CUE_SPEAKER = {
    "srt": (NAME_LINE, "speaker"),
    "vtt": (r"^<v\s+([^>]+)>(.*?)(</v>)?$", "voice tag"),
}


def parse(path):
    """Return (utterances [(speaker, text)], times [(start, end)])."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    ext = path.rsplit(".", 1)[-1]
    utts, times = [], []
    if ext == "txt":
        for line in text.splitlines():
            line = re.sub(r"^\[\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\]\s*", "", line)  # "[00:01] Daan: …"
            m = re.match(NAME_LINE, line)
            if m:
                utts.append((m.group(1).strip(), m.group(2)))
    elif ext in CUE_SPEAKER:
        if ext == "vtt" and not text.startswith("WEBVTT"):
            raise ValueError("missing WEBVTT header")
        pattern, what = CUE_SPEAKER[ext]
        for a, b, payload in parse_cues(text):
            m = re.match(pattern, payload)
            if not m:
                raise ValueError(f"{ext} cue without {what}: {payload[:40]!r}")
            utts.append((m.group(1).strip(), m.group(2)))
            times.append((a, b))
    elif ext == "json":
        for seg in json.loads(text)["segments"]:
            utts.append((seg["speaker"], seg["text"]))
            times.append((float(seg["start"]), float(seg["end"])))
    else:
        raise ValueError(f"unknown format {ext}")
    return utts, times


def main():
    errors = []
    err = errors.append
    with open(os.path.join(HERE, "manifest.csv"), newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != ["file", "call_id", "rep", "rep_speaker", "date", "outcome"]:
            err(f"manifest columns: {reader.fieldnames}")
        manifest = list(reader)
    ids = [r["call_id"] for r in manifest]
    if len(ids) != len(set(ids)):
        err("duplicate call_id in manifest")
    man = {r["call_id"]: r for r in manifest}
    parsed = {}
    for r in manifest:
        path = os.path.join(HERE, r["file"])
        if not os.path.exists(path):
            err(f"{r['call_id']}: missing file {r['file']}")
            continue
        if r["outcome"] not in OUTCOMES:
            err(f"{r['call_id']}: bad outcome {r['outcome']}")
        try:
            d = dt.date.fromisoformat(r["date"])
            if d.weekday() >= 5:
                err(f"{r['call_id']}: {d} is a weekend day (the sets hold weekday calls)")
        except ValueError:
            err(f"{r['call_id']}: bad date {r['date']}")
        try:
            utts, times = parse(path)
        except Exception as e:  # noqa: BLE001
            err(f"{r['call_id']}: parse error {e}")
            continue
        speakers = {s for s, _ in utts}
        if r["rep_speaker"] not in speakers:
            err(f"{r['call_id']}: rep_speaker {r['rep_speaker']!r} not in file speakers {speakers}")
        if len(speakers) < 2:
            err(f"{r['call_id']}: only one speaker")
        prev = -1.0
        for a, b in times:
            if not (a >= prev and b > a):
                err(f"{r['call_id']}: times not increasing at {a}-{b}")
                break
            prev = b
        parsed[r["call_id"]] = utts

    gold = []
    with open(os.path.join(HERE, "gold.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    gold.append(json.loads(line))
                except json.JSONDecodeError as e:
                    err(f"gold line {n}: {e}")
    gids = [g.get("call_id") for g in gold]
    if len(gids) != len(set(gids)):
        err("duplicate call_id in gold")
    for cid in set(gids) - set(man):
        err(f"gold call_id {cid} not in manifest")
    for cid in set(man) - set(gids):
        err(f"manifest call_id {cid} has no gold")

    stats = Counter()
    for g in gold:
        cid = g.get("call_id")
        keys = {"call_id", "rep", "moments", "not_moments", "disqualifiers",
                "discovery_questions_before_first_nee"}
        if set(g) != keys:
            err(f"{cid}: keys {sorted(g)}")
            continue
        if cid not in parsed:
            continue
        row = man[cid]
        if g["rep"] != row["rep"]:
            err(f"{cid}: gold rep {g['rep']!r} != manifest rep {row['rep']!r}")
        utts = parsed[cid]
        cust = [(i, norm(t)) for i, (s, t) in enumerate(utts) if s != row["rep_speaker"]]

        def locate(q, what):
            hits = [(i, t.find(norm(q))) for i, t in cust if norm(q) in t]
            if len(hits) != 1:
                err(f"{cid}: {what} {q!r} found in {len(hits)} customer utterances")
                return None
            return hits[0]

        last = (-1, -1)
        for m in g["moments"]:
            if set(m) != {"quote", "reason", "response"}:
                err(f"{cid}: moment keys {sorted(m)}")
                continue
            if m["reason"] not in REASONS:
                err(f"{cid}: bad reason {m['reason']}")
            if m["response"] not in RESPONSES:
                err(f"{cid}: bad response {m['response']}")
            pos = locate(m["quote"], "moment")
            if pos is not None:
                if pos < last:
                    err(f"{cid}: moment {m['quote']!r} out of order")
                last = pos
            stats["moments"] += 1
        for q in g["not_moments"]:
            locate(q, "not_moment")
            stats["not_moments"] += 1
        if not set(g["disqualifiers"]) <= DISQ or len(set(g["disqualifiers"])) != len(g["disqualifiers"]):
            err(f"{cid}: bad disqualifiers {g['disqualifiers']}")
        dq = g["discovery_questions_before_first_nee"]
        if not isinstance(dq, int) or dq < 0:
            err(f"{cid}: bad discovery count {dq}")
        if not g["moments"] and dq != 0:
            err(f"{cid}: discovery count must be 0 without moments")

    fmts = Counter(r["file"].rsplit(".", 1)[-1] for r in manifest)
    print(f"calls: {len(manifest)}  gold: {len(gold)}  moments: {stats['moments']}  "
          f"not_moments: {stats['not_moments']}  formats: {dict(sorted(fmts.items()))}")
    if errors:
        print(f"FAILED with {len(errors)} error(s):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("OK: all checks passed")


if __name__ == "__main__":
    main()
