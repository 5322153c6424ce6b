"""Every label the pipeline speaks, defined once and reused by tables, models and reports."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SELLER = "seller"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class RoleSource(StrEnum):
    """How the seller's speaker label was decided, strongest first."""

    MANIFEST = "manifest"
    SIDECAR = "sidecar"
    ROSTER = "roster"
    INFERRED = "inferred"
    GENERIC_LABEL = "generic_label"  # "Verkoper:" / "Klant:" style labels
    NONE = "none"


class Reason(StrEnum):
    BUDGET = "budget"
    FIT = "fit"
    TIMING = "timing"
    AUTHORITY = "authority"
    COMPETITOR = "competitor"
    NO_NEED = "no_need"
    UNKNOWN = "unknown"


class Response(StrEnum):
    EXPLORE = "explore"
    ARGUE = "argue"
    ACCEPT = "accept"
    OTHER = "other"


class Disqualifier(StrEnum):
    BUDGET = "budget"
    FIT = "fit"


ROLES = [r.value for r in Role]
REASONS = [r.value for r in Reason]
RESPONSES = [r.value for r in Response]
DISQUALIFIERS = [d.value for d in Disqualifier]
