"""Redaction of customer personal data in quoted transcript text.

What is replaced (each switchable in `[reports.redact]`, all on by default):

- `email`: addresses, also spoken ones ("ron punt smit apenstaartje voorbeeld punt nl").
- `iban`: IBANs with or without spaces (NL91 ABNA 0417 1643 00, BE68 5390 0754 7034).
- `phone`: Dutch and Belgian numbers: 06-12345678, 020 123 4567, 0470 12 34 56, +31 6 12345678,
  +31 (0)20 ..., 0032 9 ..., i.e. a leading 0 or +31/+32/0031/0032 and 8-9 more digits with
  spaces, dots, dashes or slashes between them.
- `address`: a street with a house number (Kerkstraat 12, Kortrijksesteenweg 210 bus 3), with a
  following Dutch (1234 AB) or Belgian (9000 Gent) postcode; "huisnummer 12"; "postcode ...";
  a Dutch postcode 1234 AB anywhere.
- `names`: names the call reveals, redacted in every quote of that call: the customer's speaker
  label when it is a name (not "Klant", "Speaker 1", "SPEAKER_00", ...), names introduced in the
  customer's words ("met Ron Smit", "u spreekt met Anja", "mijn naam is ...", "ik ben ...") and
  names after a form of address ("meneer Smit", "mevrouw De Wit") in anyone's words. Each part of
  such a name is replaced case-insensitively wherever it occurs in the call's quotes.

Known limits: numbers spoken as words ("nul zes ...") and lower-case names the call never
introduces are not recognised. Over-redaction (a surname that is also a word) is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PARTICLES = frozenset(
    {"van", "de", "der", "den", "ter", "ten", "het", "'t", "la", "le", "du", "di", "von", "vd", "v", "d", "en"}
)
# Speaker labels that are roles or machine ids, never names (lower case).
GENERIC_LABELS = frozenset(
    {
        "klant", "customer", "client", "cliënt", "speaker", "spreker", "spk", "spk_", "verkoper", "seller",
        "agent", "rep", "vertegenwoordiger", "prospect", "caller", "beller", "gesprekspartner",
        "unknown", "onbekend", "channel", "kanaal", "ch", "guest", "gast", "interviewer", "user",
        "host", "participant", "deelnemer", "buyer", "koper", "sales", "callee", "persoon", "person",
        "mevrouw", "meneer", "mijnheer", "dhr", "mevr", "mw", "heer", "speaker_", "left", "right",
        "links", "rechts", "a", "b", "c", "s", "x",
    }
)

# Capitalised words that may stand before a name without being part of it.
NOT_NAMES = frozenset(
    {
        "goedemorgen", "goedemiddag", "goedenavond", "goeiemorgen", "goeiemiddag", "goeienavond", "goeiedag",
        "dag", "hallo", "hoi", "hey", "allo", "meneer", "mevrouw", "mijnheer", "juffrouw", "dhr", "mevr", "mw",
        "ja", "jawel", "nee", "neen", "oké", "ok", "okay", "merci", "bedankt", "dank", "dankjewel", "sorry",
        "beste", "lieve", "dus", "maar", "en", "of", "want", "ik", "u", "je", "jij", "ge", "gij", "wij", "we",
        "dat", "dit", "die", "het", "de", "een", "hier", "daar", "tot", "met", "voor", "naar", "van", "bij",
        "spreek", "is", "zeg", "kijk", "luister", "nou", "nu", "goed", "prima", "top", "perfect", "super",
        "jammer", "fijn", "mooi", "welkom", "collega", "klant", "hi", "hello", "thanks", "mister", "mrs", "mr",
        "ms", "dear", "yes", "no", "with", "this", "and", "but", "so", "the", "a",
    }
)

_UP = "A-ZÀ-ÖØ-Þ"
_WORD = r"[\wÀ-ÿ'’-]+"
_NAME = (
    rf"[{_UP}][\wÀ-ÿ'’-]+"
    rf"(?:\s+(?:(?:van|de|der|den|ter|ten|het|'t|van\s+der|van\s+den|van\s+de|de\s+la)\s+)?[{_UP}][\wÀ-ÿ'’-]+){{0,2}}"
)
_INTRO = re.compile(
    r"(?i:\b(?:u\s+spreekt|je\s+spreekt|jij\s+spreekt|spreek\s+je|spreek\s+ik|spreekt\s+u|"
    r"mijn\s+naam\s+is|ik\s+ben|ik\s+heet|dit\s+is|hier\s+is|naam\s+is)"
    r"(?:\s+met)?"
    r"|(?:^|[.,!?]\s*|\b(?:goedemorgen|goedemiddag|goedenavond|hallo|hoi|dag|ja|jazeker|goeiedag|"
    r"goeiemorgen|goeiemiddag|goeienavond|allo)\W{0,2}\s*)met)\s+(?P<name>" + _NAME + ")"
)
_HIER = re.compile(r"(?:^|[.,!?]\s+|(?i:\bja),?\s+)(?P<name>" + _NAME + r")\s+hier\b")  # "Koen Verbist hier"
_ADDRESSED = re.compile(
    r"(?i:\b(?:meneer|mevrouw|mijnheer|mevr\.?|dhr\.?|mw\.?|juffrouw|madame|monsieur))\s+(?P<name>" + _NAME + ")"
)

_EMAIL = re.compile(
    r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?i:\b[\w.+-]+(?:\s+punt\s+[\w-]+)*\s+apenstaartje\s+[\w-]+(?:\s+(?:punt|dot)\s+[\w-]+)+)"
)
# Country, check digits, a first block (bank code: letters allowed), then blocks holding a digit.
_IBAN = re.compile(
    r"(?i)\b[A-Z]{2}\d{2}[ ]?[A-Z0-9]{4}(?:[ ]?(?=[A-Z0-9]{0,3}\d)[A-Z0-9]{4}){1,6}(?:[ ]?\d{1,4})?\b"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?3[12](?:\s?\(0\))?|0)(?:[\s./-]{0,3}\d){8,9}(?![\d])"
)
_STREETS = (
    "straat|laan|weg|plein|dreef|steenweg|lei|kaai|dijk|singel|gracht|kade|hof|pad|steeg|baan|markt|"
    "park|veld|plantsoen|wal|haven|burgwal|boulevard|ring|erf|dam|brink|vest|hoeve|berg|heide|kouter|"
    "akker|dries|wegel|poort|dreef"
)
_ADDRESS = re.compile(
    rf"(?i)\b[\wÀ-ÿ'-]{{2,}}(?:{_STREETS})\s+\d{{1,4}}(?:\s?[a-z]\b)?(?:\s?(?:bus|bis)\s?\d+)?"
    r"(?:,?\s+[1-9]\d{3}(?:\s?[a-z]{2}\b)?(?:\s+[A-ZÀ-Þ][\w-]+)?)?"
    r"|(?i:\bhuisnummer\s+\d{1,4}(?:\s?[a-z]\b)?)"
    r"|(?i:\bpostcode\s+(?:is\s+)?[1-9]\d{3}(?:\s?[a-z]{2}\b)?)"
)
_POSTCODE_NL = re.compile(
    r"(?i)\b[1-9]\d{3}\s?(?!(?:en|of|in|op|om|is|al|nu|te|je|ze|we|er|na|zo|ja|ik|de|da|at|an|bv|mb|gb|kb|"
    r"km|cm|mm|kg|pm|am|uu|st|ct|eu|jr|nl|be)\b)[a-z]{2}\b"
)

PLACEHOLDER_KEYS = ("email", "iban", "phone", "address", "postcode", "name")


def name_parts(name: str) -> list[str]:
    """The parts of a name worth redacting: no particles (van, de, ...), no single letters."""
    return [t for t in re.findall(_WORD, name) if len(t) >= 2 and t.lower() not in PARTICLES]


def label_name_tokens(label: str | None, generic: Iterable[str] = GENERIC_LABELS) -> list[str]:
    """Name parts of a speaker label ("Ron Smit" -> [Ron, Smit]); [] for "Klant", "SPEAKER_00", "A"."""
    if not label or re.search(r"\d", label):
        return []
    generic_set = {g.lower() for g in generic}
    toks = [t for t in name_parts(label) if t.lower().strip("_") not in generic_set and t.lower() not in generic_set]
    return toks


def _swap_name(m: re.Match[str], placeholder: str) -> str:
    whole, start = m.group(0), m.start(0)
    return whole[: m.start("name") - start] + placeholder + whole[m.end("name") - start:]


def names_in_text(text: str) -> list[str]:
    """Name parts introduced in the text ("met Ron Smit" -> [Ron, Smit]; "meneer Smit" -> [Smit])."""
    out: list[str] = []
    for rx in (_INTRO, _HIER, _ADDRESSED):
        for m in rx.finditer(text or ""):
            out.extend(name_parts(m.group("name")))
    return out


@dataclass(frozen=True)
class Redactor:
    placeholders: Mapping[str, str]
    email: bool = True
    iban: bool = True
    phone: bool = True
    address: bool = True
    names: bool = True
    generic_labels: frozenset[str] = field(default=GENERIC_LABELS)

    @classmethod
    def from_settings(cls, switches: Mapping[str, object], placeholders: Mapping[str, str]) -> Redactor:
        extra = switches.get("generic_speaker_labels", [])
        generic = GENERIC_LABELS | {str(x).lower() for x in extra} if isinstance(extra, list) else GENERIC_LABELS
        return cls(
            placeholders=placeholders,
            email=bool(switches.get("email", True)),
            iban=bool(switches.get("iban", True)),
            phone=bool(switches.get("phone", True)),
            address=bool(switches.get("address", True)),
            names=bool(switches.get("names", True)),
            generic_labels=frozenset(generic),
        )

    def call_names(self, customer_labels: Iterable[str | None], customer_texts: Iterable[str | None],
                   all_texts: Iterable[str | None] = ()) -> frozenset[str]:
        """Every name part a call reveals about its customer (see module doc)."""
        if not self.names:
            return frozenset()
        names: set[str] = set()
        for label in customer_labels:
            names.update(label_name_tokens(label, self.generic_labels))
        for text in customer_texts:
            names.update(names_in_text(text or ""))
        for text in all_texts:
            for m in _ADDRESSED.finditer(text or ""):
                names.update(name_parts(m.group("name")))
        return frozenset(n for n in names if n.lower() not in self.generic_labels)

    def __call__(self, text: str | None, names: Iterable[str] = (), keep: Iterable[str] = ()) -> str:
        """`text` with personal data replaced; `names` are the call's name parts (see call_names);
        `keep` are name parts never replaced (the rep's own name in "met Sanne de Vries van ...")."""
        if not text:
            return ""
        out = text
        ph = self.placeholders
        if self.email:
            out = _EMAIL.sub(ph["email"], out)
        if self.iban:
            out = _IBAN.sub(ph["iban"], out)
        if self.address:
            out = _ADDRESS.sub(ph["address"], out)
        if self.phone:
            out = _PHONE.sub(ph["phone"], out)
        if self.address:
            out = _POSTCODE_NL.sub(ph["postcode"], out)
        if self.names:
            kept = {k.lower() for k in keep}

            def own(name: str) -> bool:
                toks = name_parts(name)
                return bool(toks) and toks[0].lower() in kept

            found = {t for rx in (_INTRO, _HIER, _ADDRESSED) for m in rx.finditer(out)
                     if not own(m.group("name")) for t in name_parts(m.group("name"))} | set(names)
            for rx in (_INTRO, _HIER, _ADDRESSED):
                out = rx.sub(lambda m: m.group(0) if own(m.group("name")) else _swap_name(m, ph["name"]), out)
            toks = sorted({t for t in found if t and t.lower() not in self.generic_labels | kept},
                          key=len, reverse=True)
            if toks:
                rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(t) for t in toks) + r")(?![\w])", re.I)
                out = rx.sub(ph["name"], out)
            dup = re.escape(ph["name"])
            # a surname right after a redacted first name ("[naam] Maes gesproken") goes too
            out = re.sub(rf"{dup}(?:\s+(?:(?:van|de|der|den|ter|ten|het)\s+)*[{_UP}][\w'’-]+)+", ph["name"], out)
            # ... and a first name right before a redacted surname ("Hans [naam]"), unless it is a
            # greeting, a title or an ordinary sentence opener
            out = re.sub(
                rf"\b([{_UP}][\w'’-]+)\s+{dup}",
                lambda m: m.group(0) if m.group(1).lower() in NOT_NAMES else ph["name"],
                out,
            )
            out = re.sub(rf"{dup}(?:\s+(?:(?:van|de|der|den|ter|ten)\s+)*{dup})+", ph["name"], out)
        return out
