"""Readers: file bytes -> RawTranscript. One pure module per format, chosen by sniffing content.

Each reader module exposes:
    FORMAT: str                      the format name recorded in `calls.format`
    matches(doc) -> bool             cheap content sniff (doc is parsed JSON for JSON readers,
                                     decoded text for text readers)
    read(doc) -> RawTranscript       raises ReadError (coded) on malformed content

The extension is only a hint: it breaks ties, it never decides alone.
"""

from __future__ import annotations

import json
import re
from types import ModuleType
from typing import Any

from pipeline.decoding import decode
from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawTranscript
from pipeline.readers import (
    assemblyai,
    aws_transcribe,
    azure_speech,
    deepgram,
    google_stt,
    meet,
    neecoach_jsonl,
    plaintext,
    revai,
    rttm,
    speechmatics,
    srt,
    stm,
    tsv,
    vtt,
    whisper_json,
)

# Order matters: the most specific sniff first.
JSON_READERS: tuple[ModuleType, ...] = (
    aws_transcribe,
    deepgram,
    assemblyai,
    azure_speech,
    google_stt,
    revai,
    speechmatics,
    whisper_json,
)
TEXT_READERS: tuple[ModuleType, ...] = (
    neecoach_jsonl,
    meet,  # before vtt: a Meet export may carry a WEBVTT header
    vtt,
    srt,
    rttm,
    stm,
    tsv,
    plaintext,
)


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        pos = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ReadError(ErrorCode.INVALID_JSON, f"{msg}{pos}") from None


# "[00:02] Eva: ..." and Zoom's "[Naam] 11:02:09" start with "[" but are text: a closed bracket
# without quotes or braces, then more words on the same line, is never the start of valid JSON.
_BRACKETED_TEXT = re.compile(r"^\[[^\[\]{}\"\n]{1,60}\][ \t]+\S")


def read_text(text: str, name_hint: str = "") -> RawTranscript:
    """Sniff decoded text and hand it to the one reader that recognises it."""
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped[:1] in "{[" and not _BRACKETED_TEXT.match(stripped):
        # neecoach's own JSONL also starts with "{": try it before whole-document JSON.
        if neecoach_jsonl.matches(text):
            return neecoach_jsonl.read(text)
        doc = _parse_json(text)
        for reader in JSON_READERS:
            if reader.matches(doc):
                return _checked(reader.read(doc))
        raise ReadError(ErrorCode.UNKNOWN_FORMAT, "JSON of no known transcript producer")
    for reader in TEXT_READERS:
        if reader.matches(text):
            return _checked(reader.read(text))
    hint = f" (extension {name_hint.rsplit('.', 1)[-1]!r})" if "." in name_hint else ""
    raise ReadError(ErrorCode.UNKNOWN_FORMAT, f"no reader recognised the content{hint}")


def _checked(raw: RawTranscript) -> RawTranscript:
    if not any(seg.text.strip() for seg in raw.segments):
        raise ReadError(ErrorCode.NO_SPEECH, f"{raw.format} file holds no spoken text")
    return raw


def read_bytes(data: bytes, name_hint: str = "") -> tuple[RawTranscript, str]:
    """Decode and read one file's bytes. Returns (transcript, encoding); raises ReadError only."""
    text, encoding = decode(data)
    try:
        return read_text(text, name_hint), encoding
    except ReadError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # A reader met a shape it did not expect: still a coded error, never a traceback.
        raise ReadError(ErrorCode.MALFORMED, type(exc).__name__) from None
