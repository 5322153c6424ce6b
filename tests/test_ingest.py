"""Ingest: every input ends as a call or a coded quarantine row; roles; manifest problems; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_settings
from pipeline.run import RunRequest, execute

runner = CliRunner()

CALL_TXT = """[00:01] Verkoper: Goedemiddag, met Ilse van Groenhuis Energie. Spreek ik met de eigenaar?
[00:06] Klant: Ja, daar spreekt u mee. Waar gaat het over?
[00:09] Verkoper: Wij helpen bakkerijen besparen op hun stroom. Hoe is dat nu bij jullie geregeld?
[00:15] Klant: Nee hoor, dat hebben we goed geregeld. We zitten al bij een andere partij.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def ingest(tmp_path: Path, *inputs: Path, manifest: Path | None = None) -> tuple[int, Path]:
    ws = tmp_path / "ws"
    summary = execute(RunRequest(tuple(inputs), ws, load_settings(), manifest=manifest, detect=False, reports=False))
    return summary.exit_code, ws


def test_plain_text_call_gets_roles_from_generic_labels(tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", CALL_TXT)
    code, ws = ingest(tmp_path, tmp_path / "in")
    assert code == 0
    calls = pl.read_parquet(ws / "calls.parquet")
    utts = pl.read_parquet(ws / "utterances.parquet")
    assert calls.row(0, named=True)["role_source"] == "generic_label"
    assert utts["role"].to_list() == ["seller", "customer", "seller", "customer"]
    assert utts["start_s"].to_list() == [1.0, 6.0, 9.0, 15.0]
    assert utts["idx"].to_list() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "E101"),
        ("blank.txt", b"  \n\n ", "E101"),
        ("binary.json", bytes(range(256)) * 8, "E102"),
        ("broken.json", b'{"segments": [{"start": 1.0, "text": "hallo"', "E202"),
        ("unknown.json", b'{"foo": 1}', "E201"),
        ("nospeakers.json", json.dumps({"segments": [{"start": 0, "end": 1, "text": "hallo daar"}]}).encode(), "E204"),
    ],
)
def test_bad_input_is_quarantined_with_a_code(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    write(tmp_path / "in" / name, content)
    write(tmp_path / "in" / "good.txt", CALL_TXT)
    exit_code, ws = ingest(tmp_path, tmp_path / "in")
    assert exit_code == 1
    q = pl.read_parquet(ws / "quarantine.parquet")
    assert q["error_code"].to_list() == [code]
    assert q["message"][0].startswith(code)
    assert pl.read_parquet(ws / "calls.parquet").height == 1  # the batch went on


def test_too_large_file_is_quarantined(tmp_path: Path) -> None:
    write(tmp_path / "in" / "big.txt", CALL_TXT * 50)
    cfg = write(tmp_path / "small.toml", "[ingest]\nmax_file_mb = 0.001\n")
    summary = execute(RunRequest((tmp_path / "in",), tmp_path / "ws", load_settings(cfg), detect=False))
    assert summary.exit_code == 1
    assert pl.read_parquet(tmp_path / "ws" / "quarantine.parquet")["error_code"].to_list() == ["E104"]


def test_manifest_problems_become_quarantine_rows(tmp_path: Path) -> None:
    write(tmp_path / "set" / "calls" / "a.txt", CALL_TXT)
    write(tmp_path / "secret.txt", CALL_TXT)
    manifest = write(
        tmp_path / "set" / "manifest.csv",
        "file,call_id,rep,rep_speaker,date,outcome\n"
        "calls/a.txt,x1,Ilse Groen,Verkoper,2026-10-01,lost\n"
        "calls/missing.txt,x2,Ilse Groen,Verkoper,2026-10-02,lost\n"
        "../secret.txt,x3,Ilse Groen,Verkoper,2026-10-03,lost\n",
    )
    code, ws = ingest(tmp_path, tmp_path / "set" / "calls", manifest=manifest)
    assert code == 1
    q = pl.read_parquet(ws / "quarantine.parquet").sort("error_code")
    assert q["error_code"].to_list() == ["E301", "E302"]
    call = pl.read_parquet(ws / "calls.parquet").row(0, named=True)
    assert (call["call_id"], call["rep"], call["role_source"], str(call["date"])) == (
        "x1", "Ilse Groen", "manifest", "2026-10-01")


def test_manifest_csv_in_input_folder_is_used(tmp_path: Path) -> None:
    write(tmp_path / "set" / "calls" / "a.txt", CALL_TXT)
    write(tmp_path / "set" / "manifest.csv", "file,call_id,rep\ncalls/a.txt,m1,Ilse Groen\n")
    code, ws = ingest(tmp_path, tmp_path / "set")
    assert code == 0
    assert pl.read_parquet(ws / "calls.parquet")["call_id"].to_list() == ["m1"]


def test_sidecar_names_the_rep(tmp_path: Path) -> None:
    text = "Anna: Goedemorgen.\nPiet: Hallo Anna.\nAnna: Hoe gaat het?\nPiet: Prima.\n"
    write(tmp_path / "in" / "b.txt", text)
    write(tmp_path / "in" / "b.txt.meta.json", json.dumps({"rep": "Piet Pot", "rep_speaker": "Piet"}))
    code, ws = ingest(tmp_path, tmp_path / "in")
    assert code == 0
    call = pl.read_parquet(ws / "calls.parquet").row(0, named=True)
    assert (call["rep"], call["rep_speaker"], call["role_source"]) == ("Piet Pot", "Piet", "sidecar")


def test_identical_content_is_processed_once(tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", CALL_TXT)
    write(tmp_path / "in" / "copy" / "a2.txt", CALL_TXT)
    code, ws = ingest(tmp_path, tmp_path / "in")
    assert code == 0
    assert pl.read_parquet(ws / "calls.parquet").height == 1
    run = json.loads((ws / "run.json").read_text())
    assert run["counts"]["duplicates"] == 1
    c = run["counts"]
    assert c["processed"] + c["unchanged"] + c["quarantined"] + c["duplicates"] == c["seen"]


def test_encodings_utf16_and_cp1252(tmp_path: Path) -> None:
    text = CALL_TXT.replace("Groenhuis", "Groenhuis Café")
    write(tmp_path / "in" / "u16.txt", text.replace("\n", "\r\n").encode("utf-16"))
    write(tmp_path / "in" / "w.txt", text.replace("bakkerijen", "bakkerijën").encode("cp1252"))
    code, ws = ingest(tmp_path, tmp_path / "in")
    assert code == 0
    calls = pl.read_parquet(ws / "calls.parquet").sort("call_id")
    assert calls["encoding"].to_list() == ["utf-16-le", "cp1252"]
    utts = pl.read_parquet(ws / "utterances.parquet")
    assert utts.filter(pl.col("text").str.contains("Café")).height == 2


def test_unresolved_roles_are_kept_and_flagged(tmp_path: Path) -> None:
    write(tmp_path / "in" / "c.txt", "Anna: Goedemorgen.\nPiet: Hallo.\nAnna: Mooi weer.\nPiet: Zeker.\n")
    code, ws = ingest(tmp_path, tmp_path / "in")
    assert code == 0
    call = pl.read_parquet(ws / "calls.parquet").row(0, named=True)
    assert "role_unresolved" in call["flags"]
    assert set(pl.read_parquet(ws / "utterances.parquet")["role"]) == {"unknown"}


def test_cli_exit_codes(tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", CALL_TXT)
    ok = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "ws")])
    assert ok.exit_code == 0, ok.output
    write(tmp_path / "in" / "bad.json", b"{nope")
    bad = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "ws")])
    assert bad.exit_code == 1
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nothere"), "--out", str(tmp_path / "ws2")])
    assert missing.exit_code == 2
    assert "E404" in missing.output
    assert not (tmp_path / "ws2").exists()
    badcfg = write(tmp_path / "bad.toml", "[ingest\n")
    cfg = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--out", str(tmp_path / "ws3"), "--config", str(badcfg)])
    assert cfg.exit_code == 2
    assert "E401" in cfg.output
    assert "Traceback" not in cfg.output


def test_inspect_prints_utterances(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", CALL_TXT)
    res = runner.invoke(app, ["inspect", str(f)])
    assert res.exit_code == 0
    assert "seller" in res.output and "customer" in res.output
