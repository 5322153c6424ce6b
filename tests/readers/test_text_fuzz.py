"""Fuzzing the text path: whatever bytes arrive, `read_bytes` returns a transcript or raises ReadError.

Real exports are read in place from ../shared (never copied); our own synthetic Dutch
templates are always fuzzed, so the test still runs where ../shared is absent.
"""

from __future__ import annotations

import contextlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import ReadError
from pipeline.normalise import merge_segments
from pipeline.raw import RawTranscript
from pipeline.readers import read_bytes, read_text
from tests.conftest import SHARED

_REAL = [
    ("formats", "zoom", "transcript.vtt"),
    ("formats", "zoom", "input_example.txt"),
    ("formats", "ms-teams", "calltranscript-get_example2_content.vtt"),
    ("formats", "ms-teams", "calltranscript-get_example4_metadataContent.vtt"),
    ("formats", "google-meet", "readme_excerpt_meet_captions.vtt.txt"),
    ("formats", "openai-whisper", "jfk.srt"),
    ("formats", "openai-whisper", "jfk.vtt"),
    ("formats", "openai-whisper", "jfk.tsv"),
    ("formats", "openai-whisper", "jfk.txt"),
    ("formats", "pyannote", "sample.rttm"),
    ("formats", "pyannote", "debug.development.rttm"),
    ("formats", "pyannote", "sample.stm"),
    ("eval", "dev", "calls", "c001.txt"),
    ("eval", "dev", "calls", "c019.txt"),
    ("eval", "dev", "calls", "c008.vtt"),
    ("eval", "dev", "calls", "c007.vtt"),
    ("eval", "dev", "calls", "c005.srt"),
]

_SYNTHETIC = [
    "[00:01] Verkoper: Goedemorgen, met Bram.\n[00:04] Klant: Nee, geen interesse.\nLet op: echt niet.\n",
    "Sanne Bos  0:03\nGoedemorgen.\n\nKlaas  0:09\nAllez, da's niks voor ons.\n",
    "[Sanne] 10:00:01\nDag.\n\n[Klaas] 10:00:04\nHallo.\n",
    "WEBVTT\n\nab-12/18-0\n0:0:0.0 --> 0:0:5.320\n<v Sanne de Wit>Goedemorgen &amp; welkom\n\n"
    "ab-12/19-0\n-0:0:1.0 --> 0:0:7.0\n<v Klaas>Nee.</v>\n",
    'WEBVTT\n\n00:01.000 --> 00:02.000\n{"speakerName":"Sanne","spokenText":"Hallo."}\n',
    "1\n00:00:01,000 --> 00:00:02,000\nVerkoper: Hallo,\ngoedemiddag.\n\n"
    "2\n00:00:02,500 --> 00:00:03,000\nKlant: Nee.\n",
    "00:00:00.000 --> 00:00:04.000\n(Sanne)\nhallo daar\n-\n \n(Klaas)\nnee\n",
    "SPEAKER g 1 0.500 1.250 <NA> <NA> A <NA> <NA>\nLEXEME g 1 0.5 0.2 nee lex A <NA> <NA>\n",
    "g 1 Sanne 0.50 2.00 Goedemorgen.\ng 1 Klaas 2.10 3.00 Nee, dank u.\n",
    "start\tend\ttext\n0\t2500\tGoedemorgen.\n2500\t4000\tNee.\n",
    '{"speaker": "Sanne", "text": "Hallo.", "start": 0.5}\n{"speaker": "Klant", "text": "Nee."}\n',
]


def _corpus() -> list[str]:
    texts = list(_SYNTHETIC)
    for parts in _REAL:
        path = SHARED.joinpath(*parts)
        if path.exists():
            texts.append(path.read_text(encoding="utf-8"))
    return texts


CORPUS = _corpus()
_TIME_CHAR = re.compile(r"[0-9:.,]")
_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check(data: bytes) -> None:
    try:
        raw, encoding = read_bytes(data, "fuzz.txt")
    except ReadError as err:
        assert err.code.value.startswith("E")
        return
    assert isinstance(raw, RawTranscript)
    assert isinstance(encoding, str)
    assert any(s.text.strip() for s in raw.segments)
    merge_segments(raw.segments)  # the next stage copes with whatever a reader returns


@_SETTINGS
@given(st.text(max_size=400))
def test_text_fuzz_random_text(text: str) -> None:
    _check(text.encode("utf-8"))


@_SETTINGS
@given(st.binary(max_size=400))
def test_text_fuzz_random_bytes(data: bytes) -> None:
    _check(data)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(CORPUS))
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["drop", "swap", "dup", "corrupt", "insert", "truncate", "join"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "corrupt":
            junk = draw(
                st.sampled_from(["", "x", "-", "99", ":", ".", "\u00ad", "-->", "\t", "<v ", "&#99999999;"])
            )
            flips = draw(st.lists(st.booleans(), min_size=len(lines[i]), max_size=len(lines[i])))
            lines[i] = "".join(
                junk if flip and _TIME_CHAR.match(ch) else ch
                for ch, flip in zip(lines[i], flips, strict=True)
            )
        elif op == "insert":
            lines.insert(i, draw(st.text(max_size=40)))
        elif op == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
    out = "\n".join(lines)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out = out.replace("\n", newline)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
    return out.encode(encoding, errors="replace")


@_SETTINGS
@given(_mutated())
def test_text_fuzz_mutated_real_files(data: bytes) -> None:
    _check(data)


@_SETTINGS
@given(st.sampled_from(CORPUS), st.text(max_size=30))
def test_text_fuzz_read_text_direct(text: str, noise: str) -> None:
    """`read_text` (decoded text, as readers see it) with noise at either end."""
    for variant in (noise + text, text + noise, "\ufeff" + text):
        with contextlib.suppress(ReadError):
            read_text(variant, "fuzz")


def test_text_fuzz_corpus_is_not_empty() -> None:
    assert len(CORPUS) >= len(_SYNTHETIC)
