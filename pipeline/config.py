"""Configuration: TOML files -> one frozen Settings object, passed in, never global.

`configs/default.toml` holds every default; `--config FILE` overrides any subset of it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ErrorCode, UsageError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "default.toml"


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None


@dataclass(frozen=True)
class IngestSettings:
    max_file_bytes: int
    merge_max_gap_s: float
    extensions: tuple[str, ...]
    ignore: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    data: dict[str, Any]  # treat as read-only; a plain dict so workers can receive it
    source: str

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return copy.deepcopy(value) if isinstance(value, dict) else {}

    @property
    def hash(self) -> str:
        canon = json.dumps(self.data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    def section_hash(self, *names: str) -> str:
        canon = json.dumps({n: self.section(n) for n in names}, sort_keys=True, default=str)
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]

    @property
    def ingest(self) -> IngestSettings:
        s = self.section("ingest")
        try:
            return IngestSettings(
                max_file_bytes=int(float(s.get("max_file_mb", 100)) * 1024 * 1024),
                merge_max_gap_s=float(s.get("merge_max_gap_s", 3.0)),
                extensions=tuple(str(e).lower() for e in s.get("extensions", [])),
                ignore=tuple(str(e) for e in s.get("ignore", [])),
            )
        except (TypeError, ValueError) as exc:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"[ingest]: {exc}") from None

    def path(self, section: str, key: str, default: str) -> Path:
        """A path setting: absolute, or relative to the working directory, else to the project."""
        value = Path(str(self.section(section).get(key, default)))
        if value.is_absolute() or value.exists():
            return value
        return PROJECT_ROOT / value


def load_settings(override: Path | None = None) -> Settings:
    data = _load_toml(DEFAULT_CONFIG)
    source = str(DEFAULT_CONFIG)
    if override is not None:
        data = _merge(data, _load_toml(override))
        source = f"{DEFAULT_CONFIG} + {override}"
    return Settings(data, source)
