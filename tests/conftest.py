from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FORMATS = SHARED / "formats"
DEV = SHARED / "eval" / "dev"
SAMPLES = ROOT / "data" / "samples"


def shared_file(*parts: str) -> Path:
    """A file under ../shared (never copied into the project); skip when not laid out."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path
