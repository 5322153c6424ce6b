"""Bytes -> text: BOMs, UTF-16 Windows exports, cp1252 fallback, CRLF. Pure."""

from __future__ import annotations

import codecs
import re

from pipeline.errors import ErrorCode, ReadError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _looks_utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: every other byte is NUL for mostly-ASCII text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")


def _is_binary(text: str) -> bool:
    sample = text[:8000]
    if not sample:
        return False
    return "\x00" in sample or len(_BAD_CHARS.findall(sample)) / len(sample) > 0.02


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises ReadError E101/E102/E103. Line endings become '\\n'."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ReadError(ErrorCode.EMPTY_FILE)
    encoding: str | None = None
    body = data
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding, body = enc, data[len(bom):]
            break
    if encoding is None:
        encoding = _looks_utf16_without_bom(data)
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _is_binary(text):
            raise ReadError(ErrorCode.BINARY_FILE)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise ReadError(ErrorCode.EMPTY_FILE)
        return text, enc
    if b"\x00" in data[:8000]:
        raise ReadError(ErrorCode.BINARY_FILE)
    raise ReadError(ErrorCode.UNDECODABLE, "tried utf-8, utf-16 and cp1252")
