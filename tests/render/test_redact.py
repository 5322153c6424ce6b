"""Redaction of customer personal data in quotes (Dutch and Flemish forms)."""

from __future__ import annotations

import pytest

from pipeline.render.redact import Redactor, label_name_tokens, names_in_text

PH = {"email": "[E]", "iban": "[IBAN]", "phone": "[TEL]", "address": "[ADRES]", "postcode": "[PC]", "name": "[NAAM]"}
R = Redactor(PH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bel me op 06-12345678.", "Bel me op [TEL]."),
        ("Mijn nummer is 0612345678", "Mijn nummer is [TEL]"),
        ("Bel 06 1234 5678 maar", "Bel [TEL] maar"),
        ("Op +31 6 12345678 of +31612345678", "Op [TEL] of [TEL]"),
        ("Kantoor: 020-1234567.", "Kantoor: [TEL]."),
        ("Via +31 (0)20 123 4567", "Via [TEL]"),
        ("Gsm 0470 12 34 56", "Gsm [TEL]"),
        ("Bel +32 470 12 34 56 of 0032 9 123 45 67", "Bel [TEL] of [TEL]"),
        ("Vast nummer 09/123.45.67", "Vast nummer [TEL]"),
        ("Mail ron.smit@example.nl even", "Mail [E] even"),
        ("j.de-vries+sales@bedrijf.co.uk", "[E]"),
        ("ron punt smit apenstaartje gmail punt com", "[E]"),
        ("IBAN NL91 ABNA 0417 1643 00 graag", "IBAN [IBAN] graag"),
        ("rekening NL91ABNA0417164300.", "rekening [IBAN]."),
        ("BE68 5390 0754 7034 is het", "[IBAN] is het"),
        ("We zitten op de Kerkstraat 12, 1234 AB Utrecht.", "We zitten op de [ADRES]."),
        ("Adres: Kortrijksesteenweg 210 bus 3, 9000 Gent", "Adres: [ADRES]"),
        ("Stationsplein 4a", "[ADRES]"),
        ("postcode 2611 HK", "[ADRES]"),
        ("de postcode is 9000", "de [ADRES]"),
        ("huisnummer 27", "[ADRES]"),
        ("Het is 1234 AB daar", "Het is [PC] daar"),
    ],
)
def test_patterns(text: str, expected: str) -> None:
    assert R(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dat kost 1500 euro per maand.",
        "In 2024 is dat te duur.",
        "We hebben 12 medewerkers en 3 vestigingen.",
        "Bel me over 2 weken terug.",
        "Datum 01-02-2024 om 10 uur.",
        "Nee, daar hebben we geen budget voor.",
    ],
)
def test_ordinary_sentences_stay(text: str) -> None:
    assert R(text) == text


def test_names_the_call_reveals() -> None:
    texts = ["Met Ron Smit, goedemorgen.", "Ja, u spreekt met Anja.", "Mijn naam is Karel van den Berg."]
    names = R.call_names(["Ron Smit"], texts, ["Dag meneer De Wit, hoe gaat het?"])
    assert {"Ron", "Smit", "Anja", "Karel", "Berg", "Wit"} <= names
    assert R("Nee hoor, Smit hier, geen interesse.", names) == "Nee hoor, [NAAM] hier, geen interesse."
    assert R("Met Ron Smit, goedemorgen.", names) == "Met [NAAM], goedemorgen."
    assert R("Oké meneer Smit, fijne dag.", names) == "Oké meneer [NAAM], fijne dag."
    assert R("Dag mevrouw Van der Linden.") == "Dag mevrouw [NAAM]."
    # introduced names are found in the quote itself too, without knowing the call
    assert R("Goedemiddag, met Pieter Jansen.") == "Goedemiddag, met [NAAM]."
    assert R("U spreekt met Anja.") == "U spreekt met [NAAM]."


@pytest.mark.parametrize(
    ("label", "tokens"),
    [
        ("Ron Smit", ["Ron", "Smit"]),
        ("Anja de Boer", ["Anja", "Boer"]),
        ("Klant", []),
        ("klant", []),
        ("Customer", []),
        ("SPEAKER_01", []),
        ("Speaker 2", []),
        ("spk_0", []),
        ("A", []),
        ("Spreker B", []),
        ("Klant (Ron Smit)", ["Ron", "Smit"]),
        (None, []),
    ],
)
def test_speaker_labels(label: str | None, tokens: list[str]) -> None:
    assert label_name_tokens(label) == tokens


def test_names_in_text_ignores_lower_case_words() -> None:
    assert names_in_text("ik ben bang dat het niet past") == []
    assert names_in_text("Ik ben Tevreden") == ["Tevreden"]  # accepted over-redaction


def test_switches() -> None:
    r = Redactor(PH, phone=False, names=False)
    assert r("06-12345678 ron@x.nl", ["Ron"]) == "06-12345678 [E]"
    assert r("Met Ron Smit.", ["Ron"]) == "Met Ron Smit."
    assert R("") == "" and R(None) == ""


def test_surnames_next_to_a_known_name_and_the_reps_own_name() -> None:
    names = R.call_names(["Koen"], ["Ja, Koen Verbist hier."], ["Zal ik meneer Kroeze bellen?"])
    assert R("Ja, Koen Verbist hier.", names) == "Ja, [NAAM] hier."
    assert R("Hans Kroeze, de bestuurder.", names) == "[NAAM], de bestuurder."
    assert R("Ik had graag Koen Maes gesproken.", names) == "Ik had graag [NAAM] gesproken."
    assert R("Goedemorgen Koen, fijn.", names) == "Goedemorgen [NAAM], fijn."
    keep = ["Sanne", "Vries"]
    assert R("Goedemorgen, met Sanne de Vries van Zonwerk. Spreek ik met Koen?", names, keep) == (
        "Goedemorgen, met Sanne de Vries van Zonwerk. Spreek ik met [NAAM]?"
    )
