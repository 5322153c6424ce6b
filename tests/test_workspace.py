"""The nightly workspace: incremental, crash-safe, locked, accounted for."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from filelock import FileLock

from pipeline.config import load_settings
from pipeline.run import RunRequest, execute
from pipeline.store import LOCK_NAME, Transaction
from tests.conftest import ROOT, SAMPLES

TABLES = ("calls", "utterances", "moments", "quarantine", "reps")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "in"
    shutil.copytree(SAMPLES, dst)
    return dst


def run(corpus: Path, ws: Path, config: Path | None = None, full: bool = False) -> dict:
    execute(RunRequest((corpus,), ws, load_settings(config), full=full, workers=1))
    return json.loads((ws / "run.json").read_text())


def table_bytes(ws: Path) -> dict[str, bytes]:
    return {t: (ws / f"{t}.parquet").read_bytes() for t in TABLES if (ws / f"{t}.parquet").exists()}


def tables(ws: Path) -> dict[str, pl.DataFrame]:
    return {t: pl.read_parquet(ws / f"{t}.parquet") for t in TABLES if (ws / f"{t}.parquet").exists()}


def test_rerun_with_nothing_new_touches_nothing(corpus: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    first = run(corpus, ws)
    assert first["counts"]["processed"] == 14 and first["counts"]["quarantined"] == 1
    before = table_bytes(ws)
    second = run(corpus, ws)
    assert second["counts"]["processed"] == 0
    assert second["counts"]["unchanged"] == 15
    assert table_bytes(ws) == before
    assert len(list((ws / "runs").glob("*.json"))) == 2


def test_touching_one_file_reprocesses_exactly_that_one(corpus: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run(corpus, ws)
    f = corpus / "calls" / "s003.txt"
    f.write_text(f.read_text(encoding="utf-8") + "Klant: Tot ziens.\n", encoding="utf-8")
    again = run(corpus, ws)
    assert again["counts"]["processed"] == 1
    assert again["counts"]["unchanged"] == 14
    calls = pl.read_parquet(ws / "calls.parquet")
    assert calls.height == 14 and calls["call_id"].n_unique() == 14


def test_changing_a_threshold_reprocesses_everything(corpus: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run(corpus, ws)
    cfg = tmp_path / "cfg.toml"
    cfg.write_text("[detect]\nmoment_threshold = 0.55\n", encoding="utf-8")
    again = run(corpus, ws, cfg)
    assert again["counts"]["processed"] == 14


def test_accounting_adds_up(corpus: Path, tmp_path: Path) -> None:
    shutil.copy(corpus / "calls" / "s001.txt", corpus / "calls" / "s001_copy.txt")
    c = run(corpus, tmp_path / "ws")["counts"]
    assert c["duplicates"] == 1
    assert c["processed"] + c["unchanged"] + c["quarantined"] + c["duplicates"] == c["seen"] == 16


@pytest.mark.parametrize("point", ["staged:calls", "staged:moments", "committed", "renamed"])
def test_kill_9_then_rerun_equals_uninterrupted(corpus: Path, tmp_path: Path, point: str) -> None:
    reference = tmp_path / "ref"
    run(corpus, reference)
    ws = tmp_path / "ws"
    # A first night completes; the second is killed mid-way after a file changed.
    run(corpus, ws)
    run(corpus, reference)
    f = corpus / "calls" / "s004.txt"
    f.write_text(f.read_text(encoding="utf-8") + "Klant: Dag.\n", encoding="utf-8")
    run(corpus, reference)
    env = {**os.environ, "NEECOACH_CRASH_AT": point}
    cmd = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "--out", str(ws), "--workers", "1"]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == -9
    run(corpus, ws)
    got, want = tables(ws), tables(reference)
    assert set(got) == set(want)
    for name in want:
        assert got[name].equals(want[name]), name
    assert not (ws / ".staging").exists()


def test_second_concurrent_run_refuses(corpus: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with FileLock(str(ws / LOCK_NAME)):
        proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(corpus), "--out", str(ws)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "E403" in proc.stderr
    assert not (ws / "calls.parquet").exists()


def test_stale_lock_of_dead_process_is_recovered(corpus: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    code = f"from filelock import FileLock; import os; FileLock({str(ws / LOCK_NAME)!r}).acquire(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert (ws / LOCK_NAME).exists()
    assert run(corpus, ws)["counts"]["processed"] == 14


def test_write_error_leaves_previous_tables_intact(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    run(corpus, ws)
    before = table_bytes(ws)
    (corpus / "calls" / "s002.txt").write_text("Klant: Nee.\nVerkoper: Jammer.\n", encoding="utf-8")
    real = Transaction.table

    def full_disk(self: Transaction, name: str, df: pl.DataFrame, table: object = None) -> None:
        if name == "moments":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, name, df, table)  # type: ignore[arg-type]

    monkeypatch.setattr(Transaction, "table", full_disk)
    with pytest.raises(OSError):
        execute(RunRequest((corpus,), ws, load_settings(), workers=1))
    assert table_bytes(ws) == before


def test_many_tiny_files_and_one_large_file(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(1500):
        text = f"Verkoper: Dag, met Els van Firma {i}.\nKlant: Nee, dank u.\n"
        (src / f"t{i:04d}.txt").write_text(text, encoding="utf-8")
    big = src / "big.txt"
    line = "Verkoper: Wij helpen bedrijven met hun energie, en dat doen we al twintig jaar met veel plezier.\n"
    with big.open("w", encoding="utf-8") as fh:
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line * 1000)
            fh.write("Klant: Ja, dat snap ik, vertel.\n")
    summary = execute(RunRequest((src,), tmp_path / "ws", load_settings(), detect=False))
    assert summary.processed == 1501 and summary.quarantined == 0


def _sorted(t: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    keys = {"calls": ["call_id"], "utterances": ["call_id", "idx"], "moments": ["call_id", "utt_idx"],
            "quarantine": ["source_file"], "reps": ["rep"]}
    return {name: df.drop("processed_with", strict=False).sort(keys[name]) for name, df in t.items()}


def test_incremental_merge_equals_a_full_run(corpus: Path, tmp_path: Path) -> None:
    """Utterances are merged by streaming (old rows less replaced calls, then new parts)."""
    ws = tmp_path / "ws"
    run(corpus, ws)
    f = corpus / "calls" / "s003.txt"
    f.write_text(f.read_text(encoding="utf-8") + "Klant: Nee, echt niet, dank u.\n", encoding="utf-8")
    assert run(corpus, ws)["counts"]["processed"] == 1
    fresh = tmp_path / "fresh"
    run(corpus, fresh)
    got, want = _sorted(tables(ws)), _sorted(tables(fresh))
    assert set(got) == set(want)
    for name in want:
        assert got[name].equals(want[name]), name
    # every utterance belongs to a call, once
    u = got["utterances"]
    assert set(u["call_id"].unique()) == set(got["calls"]["call_id"])
    assert u.select("call_id", "idx").is_duplicated().sum() == 0


def test_shards_write_their_utterances_and_return_only_small_tables(corpus: Path, tmp_path: Path) -> None:
    from pipeline.ingest import plan
    from pipeline.run import ShardContext, _role_context, process_shard

    settings = load_settings()
    sources, _ = plan([corpus], corpus / "manifest.csv", settings.ingest)
    ctx = ShardContext(settings.ingest, _role_context(settings), settings, True)
    returned = process_shard(sources[:3], ctx)
    part = tmp_path / "part.parquet"
    written = process_shard(sources[:3], ctx, part)
    assert returned.utterances.height > 0 and returned.utterances_part is None
    assert written.utterances.height == 0 and written.utterances_part == str(part)
    assert pl.read_parquet(part).equals(returned.utterances.select(pl.read_parquet(part).columns))
    assert written.calls.equals(returned.calls) and written.moments.equals(returned.moments)
    assert written.peak_rss_mb > 0


def test_one_call_id_in_two_shards_is_renamed_in_every_table(corpus: Path, tmp_path: Path) -> None:
    rows = (corpus / "manifest.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    out = [rows[0]]
    for line in rows[1:]:
        cells = line.split(",")
        if cells[0].endswith(("s001.txt", "s014.jsonl")):
            cells[header.index("call_id")] = "same-id"
        out.append(",".join(cells))
    (corpus / "manifest.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    ws = tmp_path / "ws"
    run(corpus, ws)
    t = tables(ws)
    ids = t["calls"]["call_id"].to_list()
    renamed = [c for c in ids if c.startswith("same-id-")]
    assert "same-id" in ids and len(renamed) == 1
    assert set(t["utterances"]["call_id"].unique()) == set(ids)
    assert t["utterances"].filter(pl.col("call_id") == renamed[0]).height > 0


def test_two_worker_processes_give_the_tables_of_one(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(48):  # enough files for a process pool (fewer run in-process)
        lines = [f"Verkoper: Goedemorgen, met Els van Firma {i}. Hoe regelt u dat nu?",
                 "Klant: Nee, daar hebben we geen budget voor." if i % 2 else "Klant: Ja nee, klopt.",
                 "Verkoper: Mag ik vragen waarom niet?", f"Klant: We zitten al bij {i % 5} anderen."]
        (src / f"c{i:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = load_settings()
    execute(RunRequest((src,), tmp_path / "one", settings, workers=1, reports=False))
    summary = execute(RunRequest((src,), tmp_path / "two", settings, workers=2, reports=False))
    assert summary.processed == 48
    one, two = tables(tmp_path / "one"), tables(tmp_path / "two")
    for name in one:
        assert one[name].equals(two[name]), name
    assert json.loads((tmp_path / "two" / "run.json").read_text())["peak_rss_mb"]["workers"] > 0


@pytest.mark.parametrize(("outcome", "expected"), [("lost", ["budget"]), ("deal", []), ("", [])])
def test_the_manifest_outcome_reaches_the_disqualifier_rules(tmp_path: Path, outcome: str, expected: list) -> None:
    """One price objection with one firmness cue: the outcome 'lost' corroborates it (DQ219), 'deal' rules it out
    (DQ204), no outcome leaves it below the bar; `disqualifier_evidence` says which."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "c1.txt").write_text(
        "Verkoper: Voor de hele vloot komt dat op 2.400 euro per jaar. Zal ik het contract klaarzetten?\n"
        "Klant: Nee, dat is echt te duur voor ons.\n"
        "Verkoper: Jammer. Mag ik u over een paar maanden nog eens bellen?\n"
        "Klant: Dat mag, maar ik beloof niks.\n"
        "Verkoper: Prima. Rijden jullie nu nog met de papieren ritlijsten?\n"
        "Klant: Ja, de chauffeurs vullen die elke vrijdag in.\n"
        "Verkoper: Helder, dan spreken we elkaar in het voorjaar. Fijne dag.\n",
        encoding="utf-8",
    )
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file,call_id,rep,rep_speaker,date,outcome\nin/c1.txt,c1,Anna,Verkoper,2027-02-01,{outcome}\n",
                        encoding="utf-8")
    ws = tmp_path / "ws"
    execute(RunRequest((src,), ws, load_settings(), manifest=manifest, workers=1, reports=False))
    call = pl.read_parquet(ws / "calls.parquet").row(0, named=True)
    assert call["disqualifiers"] == expected
    ev = call["disqualifier_evidence"] or ""
    if outcome == "lost":
        assert ev.startswith("DQ201 budget") and "DQ219 outcome: lost" in ev
    elif outcome == "deal":
        assert ev.startswith("DQ204")
    else:
        assert ev == ""
