"""Reader stub for rttm (to be implemented)."""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawTranscript

FORMAT = "rttm"


def matches(doc: Any) -> bool:
    return False


def read(doc: Any) -> RawTranscript:
    raise NotImplementedError
