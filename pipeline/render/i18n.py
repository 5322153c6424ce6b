"""Message files (`messages/<lang>.toml`) and locale-aware number formatting.

Every word a report shows lives in a message file or a template; code only picks keys.
A `messages_dir` from `[reports]` may hold a `<lang>.toml` whose keys override the packaged ones.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ErrorCode, UsageError

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
LANGUAGES = ("nl", "en")


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


@dataclass(frozen=True)
class Messages:
    lang: str
    data: dict[str, Any]

    @classmethod
    def load(cls, lang: str, override_dir: Path | None = None) -> Messages:
        if lang not in LANGUAGES:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"[reports] language must be one of {LANGUAGES}, not {lang!r}")
        data = _read(MESSAGES_DIR / f"{lang}.toml")
        if override_dir is not None:
            extra = override_dir / f"{lang}.toml"
            if extra.is_file():
                data = _merge(data, _read(extra))
        return cls(lang, data)

    def get(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise KeyError(f"message {key!r} missing in {self.lang}.toml")
            node = node[part]
        return node

    def t(self, key: str, **kw: Any) -> str:
        text = self.get(key)
        if not isinstance(text, str):
            raise KeyError(f"message {key!r} is not a string")
        return text.format(**kw) if kw else text

    # --- numbers ---------------------------------------------------------------------------

    @property
    def na(self) -> str:
        return self.t("format.na")

    def num(self, value: float | int | None, decimals: int = 1) -> str:
        if value is None:
            return self.na
        text = f"{float(value):,.{decimals}f}"
        # Python's "1,234.5" -> locale separators via a placeholder swap.
        return (
            text.replace(",", "\x00")
            .replace(".", self.t("format.decimal"))
            .replace("\x00", self.t("format.thousands"))
        )

    def integer(self, value: float | int | None) -> str:
        return self.na if value is None else self.num(round(float(value)), 0)

    def pct(self, value: float | None, decimals: int = 0) -> str:
        return self.na if value is None else self.t("format.percent", value=self.num(100.0 * value, decimals))

    def seconds(self, value: float | None) -> str:
        return self.na if value is None else self.t("format.seconds", value=self.num(value, 0))

    def fmt(self, kind: str, value: float | int | None) -> str:
        if kind == "pct":
            return self.pct(None if value is None else float(value))
        if kind == "int":
            return self.integer(value)
        if kind == "sec":
            return self.seconds(None if value is None else float(value))
        if kind == "num0":
            return self.num(value, 0)
        return self.num(value, 1)
