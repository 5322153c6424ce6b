"""Which speaker is the rep: manifest -> sidecar -> roster -> generic label -> inference.

Pure: callers pass in the merged segments, the metadata they have, the roster and the cue set.
Every other speaker with a label is customer side (receptionists and colleagues included);
segments without a speaker label stay `unknown`.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ErrorCode, UsageError
from pipeline.labels import Role, RoleSource
from pipeline.raw import RawSegment


@dataclass(frozen=True)
class Cue:
    name: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class RoleRules:
    cues: tuple[Cue, ...]
    seller_labels: frozenset[str]
    customer_labels: frozenset[str]
    first_turns: int = 6


@dataclass(frozen=True)
class Roster:
    """Known rep names: full names and aliases, compared case-insensitively."""

    names: dict[str, str] = field(default_factory=dict)  # alias (lower) -> canonical rep name

    def match(self, label: str) -> str | None:
        return self.names.get(label.strip().lower())


@dataclass(frozen=True)
class RoleDecision:
    rep_speaker: str | None
    source: RoleSource
    confidence: float
    flags: tuple[str, ...] = ()
    rep_name: str | None = None  # from the roster, when it decided

    def role_of(self, speaker: str | None) -> Role:
        if speaker is None or self.rep_speaker is None:
            return Role.UNKNOWN
        return Role.SELLER if speaker == self.rep_speaker else Role.CUSTOMER


def load_role_rules(path: Path) -> RoleRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cues = tuple(
            Cue(str(c["name"]), float(c["weight"]), re.compile(str(c["regex"])))
            for c in data.get("cue", [])
        )
        return RoleRules(
            cues=cues,
            seller_labels=frozenset(s.lower() for s in data.get("seller_labels", [])),
            customer_labels=frozenset(s.lower() for s in data.get("customer_labels", [])),
            first_turns=int(data.get("first_turns", 6)),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, re.error) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None


def load_roster(path: Path | None) -> Roster:
    if path is None or not path.exists():
        return Roster()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None
    names: dict[str, str] = {}
    for rep in data.get("rep", []):
        name = str(rep.get("name", "")).strip()
        if not name:
            continue
        for alias in [name, *(str(a) for a in rep.get("aliases", []))]:
            names[alias.strip().lower()] = name
    return Roster(names)


_LABEL_CLEAN = re.compile(r"[\d_\-.:()\[\]]+")


def _label_kind(label: str, rules: RoleRules) -> Role | None:
    words = _LABEL_CLEAN.sub(" ", label.lower()).split()
    if any(w in rules.seller_labels for w in words):
        return Role.SELLER
    if any(w in rules.customer_labels for w in words):
        return Role.CUSTOMER
    return None


def _find_label(wanted: str, speakers: Sequence[str]) -> str | None:
    """The file's speaker label for a name from metadata: exact, then case-insensitive, then first name."""
    if wanted in speakers:
        return wanted
    low = wanted.strip().lower()
    for s in speakers:
        if s.strip().lower() == low:
            return s
    first = [s for s in speakers if s.strip().lower().split()[:1] == low.split()[:1]]
    return first[0] if len(first) == 1 else None


def infer_scores(segments: Sequence[RawSegment], rules: RoleRules) -> dict[str, float]:
    """Cue score per speaker over each speaker's first turns (higher: more likely the rep)."""
    scores: dict[str, float] = defaultdict(float)
    seen: dict[str, int] = defaultdict(int)
    for seg in segments:
        if seg.speaker is None or seen[seg.speaker] >= rules.first_turns:
            continue
        seen[seg.speaker] += 1
        text = seg.text.lower()
        scores[seg.speaker] += 0.0
        for cue in rules.cues:
            if cue.pattern.search(text):
                scores[seg.speaker] += cue.weight
    # Callers do most of the asking early in a call.
    for seg in segments[:12]:
        if seg.speaker is not None and "?" in seg.text:
            scores[seg.speaker] += 0.3
    return dict(scores)


def decide_roles(
    segments: Sequence[RawSegment],
    rep_speaker: str | None,
    rep_speaker_source: RoleSource,
    roster: Roster,
    rules: RoleRules,
) -> RoleDecision:
    speakers = list(dict.fromkeys(s.speaker for s in segments if s.speaker is not None))
    flags: list[str] = []
    if not speakers:
        return RoleDecision(None, RoleSource.NONE, 0.0, ("no_speakers",))
    if len(speakers) == 1:
        flags.append("single_speaker")
    if rep_speaker:
        found = _find_label(rep_speaker, speakers)
        if found is not None:
            return RoleDecision(found, rep_speaker_source, 1.0, tuple(flags))
        flags.append(f"{rep_speaker_source.value}_rep_speaker_not_found")
    matched = {s: roster.match(s) for s in speakers}
    on_roster = [s for s, name in matched.items() if name]
    if len(on_roster) == 1:
        s = on_roster[0]
        return RoleDecision(s, RoleSource.ROSTER, 0.95, tuple(flags), rep_name=matched[s])
    if len(on_roster) > 1:
        flags.append("several_roster_names")
    kinds = {s: _label_kind(s, rules) for s in speakers}
    sellers = [s for s, k in kinds.items() if k is Role.SELLER]
    if len(sellers) == 1:
        return RoleDecision(sellers[0], RoleSource.GENERIC_LABEL, 0.99, tuple(flags))
    customers = [s for s, k in kinds.items() if k is Role.CUSTOMER]
    if len(speakers) == 2 and len(customers) == 1:
        other = next(s for s in speakers if s != customers[0])
        return RoleDecision(other, RoleSource.GENERIC_LABEL, 0.95, tuple(flags))
    scores = infer_scores(segments, rules)
    ranked = sorted(speakers, key=lambda s: (-scores.get(s, 0.0), speakers.index(s)))
    best = ranked[0]
    margin = scores.get(best, 0.0) - (scores.get(ranked[1], 0.0) if len(ranked) > 1 else 0.0)
    if scores.get(best, 0.0) <= 0.0 or (len(ranked) > 1 and margin <= 0.0):
        # No evidence either way: keep the call, roles unknown, flagged for a human.
        flags.append("role_unresolved")
        return RoleDecision(None, RoleSource.NONE, 0.0, tuple(flags))
    confidence = round(min(0.95, 0.5 + margin / 8.0), 3)
    return RoleDecision(best, RoleSource.INFERRED, confidence, tuple(flags))
