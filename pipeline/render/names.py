"""Report file names that are safe for any rep name.

A name becomes a lower-case ASCII slug of letters, digits and single dashes ("Sanne de Vries" ->
"sanne-de-vries"), at most 60 characters. A short hash of the full name is appended when the slug
is empty, reserved ("index", Windows device names), shared by two reps, or shortened - so every
rep gets a distinct, stable file name, and "../../etc/x" can never leave the reports folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

RESERVED = frozenset(
    {"index", "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
MAX_LEN = 60


def slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def file_stems(reps: Iterable[str]) -> dict[str, str]:
    """rep name -> file stem (no extension), distinct for distinct names."""
    names = sorted(set(reps))
    slugs = {n: slug(n) for n in names}
    counts: dict[str, int] = {}
    for s in slugs.values():
        counts[s] = counts.get(s, 0) + 1
    out: dict[str, str] = {}
    for n, s in slugs.items():
        short = s[:MAX_LEN].rstrip("-")
        if not short or short in RESERVED or counts[s] > 1 or short != s:
            short = f"{short}-{_digest(n)}" if short else f"rep-{_digest(n)}"
        out[n] = short
    return out
