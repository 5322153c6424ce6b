"""Coded errors. Every input problem has a code, a short title and a human message.

Codes are stable: ops teams grep for them and docs/ops.md lists them.
E1xx: the bytes of a file, E2xx: its structure, E3xx: the manifest, E4xx: config and environment.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    EMPTY_FILE = "E101"
    BINARY_FILE = "E102"
    UNDECODABLE = "E103"
    TOO_LARGE = "E104"
    UNREADABLE = "E105"
    UNKNOWN_FORMAT = "E201"
    INVALID_JSON = "E202"
    NO_SPEECH = "E203"
    NO_SPEAKERS = "E204"
    MALFORMED = "E205"
    MANIFEST_FILE_MISSING = "E301"
    MANIFEST_OUTSIDE = "E302"
    MANIFEST_INVALID = "E303"
    CONFIG_INVALID = "E401"
    MODEL_INVALID = "E402"
    WORKSPACE_LOCKED = "E403"
    INPUT_MISSING = "E404"
    WRITE_FAILED = "E405"


TITLES: dict[ErrorCode, str] = {
    ErrorCode.EMPTY_FILE: "empty file",
    ErrorCode.BINARY_FILE: "binary content, not a transcript",
    ErrorCode.UNDECODABLE: "text encoding could not be decoded",
    ErrorCode.TOO_LARGE: "file larger than the configured limit",
    ErrorCode.UNREADABLE: "file could not be read",
    ErrorCode.UNKNOWN_FORMAT: "unknown transcript format",
    ErrorCode.INVALID_JSON: "invalid JSON",
    ErrorCode.NO_SPEECH: "no speech text in the file",
    ErrorCode.NO_SPEAKERS: "no speaker information, roles cannot be decided",
    ErrorCode.MALFORMED: "recognised format, but malformed content",
    ErrorCode.MANIFEST_FILE_MISSING: "manifest row names a file that does not exist",
    ErrorCode.MANIFEST_OUTSIDE: "manifest row points outside the manifest's folder",
    ErrorCode.MANIFEST_INVALID: "manifest could not be read",
    ErrorCode.CONFIG_INVALID: "invalid configuration",
    ErrorCode.MODEL_INVALID: "model directory refused",
    ErrorCode.WORKSPACE_LOCKED: "workspace is locked by another run",
    ErrorCode.INPUT_MISSING: "input path does not exist",
    ErrorCode.WRITE_FAILED: "workspace could not be written",
}


class NeecoachError(Exception):
    """Base of all coded errors. `str(err)` is safe to show a user: it never holds transcript text."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        title = TITLES.get(self.code, "error")
        return f"{self.code.value} {title}" + (f": {self.detail}" if self.detail else "")


class ReadError(NeecoachError):
    """A transcript file that cannot be used; becomes a quarantine row."""


class ManifestError(NeecoachError):
    """A manifest problem (whole file: exit 2; single row: quarantine row)."""


class UsageError(NeecoachError):
    """Configuration or environment error: exit code 2, nothing written."""
