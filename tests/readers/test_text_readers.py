"""Text-format readers: real tool exports (read in place from ../shared) and synthetic Dutch cases.

The synthetic lines are our own; nothing here is copied from the evaluation calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from pipeline.errors import ErrorCode, ReadError
from pipeline.normalise import merge_segments
from pipeline.raw import RawTranscript
from pipeline.readers import (
    TEXT_READERS,
    meet,
    neecoach_jsonl,
    plaintext,
    read_bytes,
    read_text,
    rttm,
    srt,
    stm,
    tsv,
    vtt,
)
from pipeline.readers._text_common import (
    credible_labels,
    name_like,
    parse_seconds,
    parse_timestamp,
    split_label,
)
from tests.conftest import shared_file

# ====================================================================== real exports


@dataclass(frozen=True)
class Digest:
    """A long utterance, checked exactly by hash (so the file's text is not copied here)."""

    sha256: str
    tail: str


@dataclass(frozen=True)
class Expect:
    parts: tuple[str, ...]
    format: str
    speakers: int
    utterances: int
    first: str | Digest
    last: str | Digest


_JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

REAL: list[Expect] = [
    Expect(
        ("formats", "zoom", "transcript.vtt"),
        "vtt",
        2,
        56,
        "Let's do that",
        Digest(
            "b3de4323f92cfd947bbff3e27314df1f54d220c825295417cee9149d2eba5cbf",
            "then it might be",
        ),
    ),
    Expect(
        ("formats", "zoom", "input_example.txt"),
        "plaintext",
        2,
        8,
        "How you doing?",
        "Yeah, I'm… I mean, I'm… I'm about 4 months in, and that's still quite a bit to, "
        "like, wrap my head around, and…",
    ),
    Expect(
        ("formats", "ms-teams", "calltranscript-get_example2_content.vtt"),
        "vtt",
        1,
        1,
        "This is a transcript test.",
        "This is a transcript test.",
    ),
    Expect(
        ("formats", "ms-teams", "calltranscript-get_example4_metadataContent.vtt"),
        "vtt",
        1,
        1,
        "This is a transcription test.",
        "This is a transcription test.",
    ),
    Expect(
        ("formats", "google-meet", "readme_excerpt_meet_captions.vtt.txt"),
        "meet",
        2,
        4,
        "I wanted to start with first is just a little bit of background so we know who we're "
        "talking to. Um what is your uh background?",
        "or buggy",
    ),
    Expect(("formats", "openai-whisper", "jfk.srt"), "srt", 0, 1, _JFK, _JFK),
    Expect(("formats", "openai-whisper", "jfk.vtt"), "vtt", 0, 1, _JFK, _JFK),
    Expect(("formats", "openai-whisper", "jfk.tsv"), "tsv", 0, 1, _JFK, _JFK),
    Expect(("formats", "openai-whisper", "jfk.txt"), "plaintext", 0, 1, _JFK, _JFK),
    Expect(
        ("formats", "pyannote", "sample.stm"),
        "stm",
        2,
        9,
        "Hello?",
        "Oh, I don't hear that in New Jersey now.",
    ),
]

REFUSED: list[tuple[tuple[str, ...], ErrorCode, str]] = [
    (("formats", "pyannote", "sample.rttm"), ErrorCode.NO_SPEECH, "rttm"),
    (("formats", "pyannote", "debug.development.rttm"), ErrorCode.NO_SPEECH, "rttm"),
]


def _same(actual: str, expected: str | Digest) -> bool:
    if isinstance(expected, Digest):
        digest = hashlib.sha256(actual.encode("utf-8")).hexdigest()
        return digest == expected.sha256 and actual.endswith(expected.tail)
    return actual == expected


def _read_path(*parts: str) -> tuple[RawTranscript, str]:
    path = shared_file(*parts)
    return read_bytes(path.read_bytes(), path.name)


@pytest.mark.parametrize("case", REAL, ids=lambda c: "/".join(c.parts[1:]))
def test_text_real_export(case: Expect) -> None:
    raw, _ = _read_path(*case.parts)
    assert raw.format == case.format
    utterances = merge_segments(raw.segments)
    assert len({u.speaker for u in utterances if u.speaker is not None}) == case.speakers
    assert len(utterances) == case.utterances
    assert _same(utterances[0].text, case.first), utterances[0].text
    assert _same(utterances[-1].text, case.last), utterances[-1].text


@pytest.mark.parametrize("parts,code,fmt", REFUSED, ids=lambda v: v[-1] if isinstance(v, tuple) else None)
def test_text_real_export_refused(parts: tuple[str, ...], code: ErrorCode, fmt: str) -> None:
    path = shared_file(*parts)
    text = path.read_text(encoding="utf-8")
    assert rttm.matches(text)  # recognised, so never "unknown format"
    with pytest.raises(ReadError) as err:
        read_bytes(path.read_bytes(), path.name)
    assert err.value.code == code
    assert err.value.detail == "RTTM holds speaker turns but no words"


def test_text_zoom_vtt_details() -> None:
    raw, encoding = _read_path("formats", "zoom", "transcript.vtt")
    assert encoding == "utf-8"
    # 9 cues have no "Naam:" prefix; they continue the previous speaker.
    assert raw.meta["cues_speaker_inherited"] == "9"
    assert raw.segments[2].speaker == raw.segments[1].speaker == "Dora Demszky"
    assert raw.segments[2].start == pytest.approx(7.17)
    assert {s.speaker for s in raw.segments} == {"Ashlee Kupor (SL)", "Dora Demszky"}


def test_text_teams_and_meet_details() -> None:
    raw, _ = _read_path("formats", "ms-teams", "calltranscript-get_example2_content.vtt")
    assert (raw.segments[0].start, raw.segments[0].end) == (0.0, pytest.approx(5.32))
    raw, _ = _read_path("formats", "ms-teams", "calltranscript-get_example4_metadataContent.vtt")
    assert raw.segments[0].speaker == "User Name"
    assert raw.segments[0].start == pytest.approx(16.246)
    raw, _ = _read_path("formats", "google-meet", "readme_excerpt_meet_captions.vtt.txt")
    assert [s.speaker for s in raw.segments] == ["DF", "DF", "DF", "DB", "DF", "DB"]
    assert raw.segments[3].start == raw.segments[2].start == 16.0  # two speakers share a cue


def test_text_zoom_txt_and_stm_times() -> None:
    raw, _ = _read_path("formats", "zoom", "input_example.txt")
    assert raw.meta["style"] == "zoom"
    assert raw.segments[0].start == 0.0  # wall clock made relative to the first header
    assert raw.segments[-1].start == 35.0
    raw, _ = _read_path("formats", "pyannote", "sample.stm")
    assert (raw.segments[0].start, raw.segments[0].end) == (6.68, 7.16)


DEV = [
    ("c001.txt", "plaintext", 2, 32),  # "[mm:ss] Naam: tekst"
    ("c002.txt", "plaintext", 2, 18),  # "[mm:ss] Verkoper:/Klant:"
    ("c019.txt", "plaintext", 2, 24),  # "Verkoper:/Klant:" without times
    ("c039.txt", "plaintext", 2, 14),  # multi-word label
    ("c008.vtt", "vtt", 2, 16),  # Teams, GUID cue ids, </v>
    ("c007.vtt", "vtt", 2, 18),  # voice tags without </v>
    ("c009.vtt", "vtt", 3, 32),  # three participants
    ("c005.srt", "srt", 2, 15),
]


@pytest.mark.parametrize("name,fmt,speakers,utterances", DEV)
def test_text_dev_calls(name: str, fmt: str, speakers: int, utterances: int) -> None:
    raw, _ = _read_path("eval", "dev", "calls", name)
    assert raw.format == fmt
    merged = merge_segments(raw.segments)
    assert len({u.speaker for u in merged}) == speakers
    assert all(u.speaker for u in merged)
    assert len(merged) == utterances


# ====================================================================== helpers


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("00:00:01.500", 1.5),
        ("01:02:03.250", 3723.25),
        ("00:00.000", 0.0),  # Whisper VTT, no hours
        ("02:05.5", 125.5),
        ("0:0:5.320", 5.32),  # Teams, unpadded
        ("0:0:0.0", 0.0),
        ("-0:0:1.5", -1.5),  # Teams, before transcription started
        ("00:00:01,500", 1.5),  # SRT comma
        ("[02:05]", 125.0),
        ("[1:02:05]", 3725.0),
        ("(00:07)", 7.0),
        ("\ufeff00:00:01.000", 1.0),
        ("00:61", None),
        ("01:60:00", None),
        ("1.5", None),
        ("abc", None),
        ("", None),
        ("9" * 40 + ":00", None),  # bounded, never an overflow
    ],
)
def test_text_parse_timestamp(text: str, seconds: float | None) -> None:
    got = parse_timestamp(text)
    assert got == (pytest.approx(seconds) if seconds is not None else None)


def test_text_parse_seconds_refuses_inf_nan() -> None:
    assert parse_seconds("6.68") == 6.68
    assert parse_seconds("12,5") == 12.5
    for bad in ("inf", "nan", "1e999", "Infinity", "", "1.2.3"):
        assert parse_seconds(bad) is None


@pytest.mark.parametrize(
    "line,label",
    [
        ("Jan: hallo", "Jan"),
        ("Jan de Vries: hallo", "Jan de Vries"),
        ("Ashlee Kupor (SL): hallo", "Ashlee Kupor (SL)"),
        ("MEVROUW DE VRIES: ja", "MEVROUW DE VRIES"),
        ("Dhr. J.P. Jansen: ja", "Dhr. J.P. Jansen"),
        ("SPEAKER_00: ja", "SPEAKER_00"),
        ("Spreker 2:", "Spreker 2"),
        ("Allez, da's niks voor ons: echt niet", None),  # comma: a sentence, not a name
        ("Dit is een veel te lange zin voor een naam: echt", None),  # > 5 words
        ("Om 10:30 kan ik: ja", None),
        ("http://voorbeeld.nl", None),
        ("Wat denkt u? Ik: niets", None),
        ("12 uur: prima", None),
        (": leeg", None),
    ],
)
def test_text_split_label_syntax(line: str, label: str | None) -> None:
    got = split_label(line)
    assert (got[0] if got else None) == label


def test_text_name_like() -> None:
    assert name_like("Jan de Vries")
    assert name_like("Nadia El Amrani")
    assert name_like("Petra (Bakkerij Bol)")
    assert not name_like("Let op")
    assert not name_like("Nee. Ik zei")
    assert not name_like("jan")


def test_text_credible_labels_rules() -> None:
    # Recurring labels are speakers; "Let op"/"Tip" never are; a once-only single word in a
    # file where speakers recur is not; a once-only multi-word name is.
    cands = [
        ("Jan", False),
        ("Piet", False),
        ("Jan", False),
        ("Let op", False),
        ("Tip", False),
        ("Kortingscode", False),
        ("Piet", False),
        ("Anne de Wit", False),
    ]
    assert credible_labels(cands, units=12) == {"jan", "piet", "anne de wit"}
    # With only one recurring speaker, a once-only name is the other party.
    assert credible_labels([("Sanne", False), ("Ruud", False), ("Sanne", False)], 4) == {"sanne", "ruud"}
    # A timestamped line makes a once-only label credible.
    two_recurring = [("Jan", False), ("Jan", False), ("Piet", False), ("Piet", False)]
    assert credible_labels([*two_recurring, ("Kassa", True)], 5) == {"jan", "piet", "kassa"}
    assert credible_labels([*two_recurring, ("Kassa", False)], 5) == {"jan", "piet"}
    # Short exchange where nobody recurs: labels dominate the file, so they count.
    assert credible_labels([("Jan", False), ("Piet", False)], 2) == {"jan", "piet"}
    # One labelled line in ten lines of prose: not a speaker.
    assert credible_labels([("Kortingscode", False)], 10) == set()
    # Generic role labels always count.
    assert credible_labels([("Klant", False)], 10) == {"klant"}


# ====================================================================== plaintext


def _speakers(raw: RawTranscript) -> list[str | None]:
    return [s.speaker for s in raw.segments]


def _texts(raw: RawTranscript) -> list[str]:
    return [s.text for s in raw.segments]


def test_text_plain_colon_labels_and_continuation() -> None:
    raw = read_text(
        "Sanne: Goedemorgen, met Sanne van Zonwerk.\n"
        "Ik bel over de zonwering die u had aangevraagd.\n"
        "\n"
        "Ruud: Ja, klopt. Maar eerlijk gezegd is het budget op.\n"
        "Sanne: Mag ik vragen wat er veranderd is?\n"
    )
    assert raw.format == "plaintext"
    assert _speakers(raw) == ["Sanne", "Ruud", "Sanne"]
    assert (
        _texts(raw)[0]
        == "Goedemorgen, met Sanne van Zonwerk. Ik bel over de zonwering die u had aangevraagd."
    )
    assert raw.segments[0].start is None


def test_text_plain_bracket_times() -> None:
    raw = read_text(
        "[00:03] Verkoper: Goedemiddag, met Bram van Dakwerk.\n"
        "[00:09] Klant: Ja, zeg het maar.\n"
        "[01:02:03] Verkoper: Dan plan ik een afspraak in.\n"
    )
    assert _speakers(raw) == ["Verkoper", "Klant", "Verkoper"]
    assert [s.start for s in raw.segments] == [3.0, 9.0, 3723.0]


def test_text_plain_upper_case_and_multiword_names() -> None:
    raw = read_text(
        "BRAM: Goedemiddag, spreek ik met mevrouw Van Dijk?\n"
        "MEVROUW VAN DIJK: Daar spreekt u mee.\n"
        "BRAM: Ik bel over uw dakgoot.\n"
        "Jan de Vries: Ik kom er even bij, ik ben haar collega.\n"
    )
    assert _speakers(raw) == ["BRAM", "MEVROUW VAN DIJK", "BRAM", "Jan de Vries"]


def test_text_plain_false_prefixes_stay_text() -> None:
    raw = read_text(
        "Sanne: We hebben deze maand een actie.\n"
        "Let op: die loopt maar tot vrijdag.\n"
        "Tip: vraag ook naar de onderhoudsbeurt.\n"
        "Kortingscode: ZOMER.\n"
        "Ruud: Nee, laat maar. Let op: ik zeg nee.\n"
        "Sanne: Jammer. Mag ik vragen waarom?\n"
        "Ruud: Tip: bel over een jaar terug.\n"
    )
    assert _speakers(raw) == ["Sanne", "Ruud", "Sanne", "Ruud"]
    assert _texts(raw)[0] == (
        "We hebben deze maand een actie. Let op: die loopt maar tot vrijdag. "
        "Tip: vraag ook naar de onderhoudsbeurt. Kortingscode: ZOMER."
    )
    assert _texts(raw)[1] == "Nee, laat maar. Let op: ik zeg nee."


def test_text_plain_timestamped_false_prefix_continues_speaker() -> None:
    raw = read_text(
        "[00:01] Klant: Hallo.\n[00:04] Let op: de lijn kraakt.\n[00:06] Verkoper: Hoort u mij?\n"
    )
    assert _speakers(raw) == ["Klant", "Klant", "Verkoper"]
    assert _texts(raw)[1] == "Let op: de lijn kraakt."


def test_text_plain_flemish() -> None:
    raw = read_text("Verkoper: Zullen we een demo inplannen?\nKlant: Allez, da's niks voor ons, hé.\n")
    assert _speakers(raw) == ["Verkoper", "Klant"]
    assert _texts(raw)[1] == "Allez, da's niks voor ons, hé."


def test_text_plain_otter_style() -> None:
    raw = read_text(
        "Sanne Bos  0:03\n"
        "Goedemorgen, met Sanne.\n"
        "Ik bel over uw offerte.\n"
        "\n"
        "Klaas  0:09\n"
        "Nee, dat hoeft niet meer.\n"
        "\n"
        "Sanne Bos  1:02:04\n"
        "Jammer, een fijne dag nog.\n"
    )
    assert raw.meta["style"] == "otter"
    assert _speakers(raw) == ["Sanne Bos", "Klaas", "Sanne Bos"]
    assert _texts(raw)[0] == "Goedemorgen, met Sanne. Ik bel over uw offerte."
    assert [s.start for s in raw.segments] == [3.0, 9.0, 3724.0]


def test_text_plain_zoom_txt_style() -> None:
    raw = read_text(
        "[Sanne Bos] 14:59:58\nGoedemiddag allemaal.\n\n"
        "[Klaas Peeters] 15:00:03\nDag Sanne. Let op: ik heb maar tien minuten.\n\n"
        "[Sanne Bos] 15:00:07\nDan hou ik het kort.\n"
    )
    assert raw.meta["style"] == "zoom"
    assert _speakers(raw) == ["Sanne Bos", "Klaas Peeters", "Sanne Bos"]
    assert [s.start for s in raw.segments] == [0.0, 5.0, 9.0]
    assert _texts(raw)[1] == "Dag Sanne. Let op: ik heb maar tien minuten."


def test_text_plain_zoom_txt_past_midnight() -> None:
    raw = read_text("[Sanne] 23:59:59\nNog even dit.\n\n[Klaas] 00:00:04\nGoed.\n")
    assert [s.start for s in raw.segments] == [0.0, 5.0]


def test_text_plain_bare_text_has_no_speakers() -> None:
    raw = read_text("Dit is een opname zonder sprekers.\nNog een zin: zonder naam ervoor.\n")
    assert raw.format == "plaintext"
    assert raw.meta["style"] == "bare"
    assert not raw.has_speakers
    assert len(raw.segments) == 2


def test_text_plain_single_line() -> None:
    raw = read_text("Anne de Wit: Nee, dank u, we zijn al voorzien.")
    assert _speakers(raw) == ["Anne de Wit"]


def test_text_plain_matches_only_readable_text() -> None:
    assert plaintext.matches("Hallo daar")
    assert not plaintext.matches("12:00 -- 13:00 ;; 14:00")
    assert not plaintext.matches("   \n\n")
    with pytest.raises(ReadError) as err:
        read_text("1234 5678 90 -- 11 ;; 12")
    assert err.value.code == ErrorCode.UNKNOWN_FORMAT


_PLAIN = "Verkoper: Goedemiddag, met Bram. Hebt u één minuutje?\nKlant: Nee, sorry, ik zit in een overleg.\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (_PLAIN.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + _PLAIN.encode("utf-8"), "utf-8"),
        (_PLAIN.replace("\n", "\r\n").encode("utf-16"), "utf-16-le"),  # BOM + LE on this platform
        (_PLAIN.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (_PLAIN.encode("cp1252"), "cp1252"),
    ],
    ids=["crlf", "utf8-bom", "utf16-bom-crlf", "utf16-nobom", "cp1252"],
)
def test_text_plain_encodings(data: bytes, encoding: str) -> None:
    raw, got = read_bytes(data, "gesprek.txt")
    assert got == encoding
    assert _speakers(raw) == ["Verkoper", "Klant"]
    assert _texts(raw) == [
        "Goedemiddag, met Bram. Hebt u één minuutje?",
        "Nee, sorry, ik zit in een overleg.",
    ]


def test_text_stray_bom_and_cr_in_text() -> None:
    raw = read_text("\ufeffVerkoper: Dag.\r\nKlant: Hallo.\r\n")
    assert _speakers(raw) == ["Verkoper", "Klant"]
    assert _texts(raw) == ["Dag.", "Hallo."]


def test_text_bracketed_text_is_not_json() -> None:
    raw = read_text("[00:02] Verkoper: Goedemorgen.\n[00:05] Klant: Morgen.\n")
    assert raw.format == "plaintext"
    with pytest.raises(ReadError) as err:
        read_text('[{"start": 0, "text": "afgebroken')
    assert err.value.code == ErrorCode.INVALID_JSON


# ====================================================================== vtt

_TEAMS = (
    "WEBVTT\n\n"
    "NOTE opgenomen via Teams\nmet twee deelnemers\n\n"
    "STYLE\n::cue { color: yellow }\n\n"
    "5c1e2f00-1b2c-4d5e-8f90-a1b2c3d4e5f6/18-0\n"
    "-0:0:1.5 --> 0:0:2.250\n"
    "<v Sanne de Wit>Goedemorgen &amp; welkom bij Zonwerk.\n\n"
    "5c1e2f00-1b2c-4d5e-8f90-a1b2c3d4e5f6/19-0\n"
    "0:0:2.5 --> 0:0:5.320\n"
    "<v Klaas Peeters>Allez, da&#39;s niks voor ons.</v>\n\n"
    "5c1e2f00-1b2c-4d5e-8f90-a1b2c3d4e5f6/20-0\n"
    "0:0:6.0 --> 0:0:8.0\n"
    "<v Sanne de Wit>Mag ik vragen &lt;waarom&gt;?</v> <v Klaas Peeters>Te duur.</v>\n"
)


def test_text_vtt_teams_voice_tags() -> None:
    raw = read_text(_TEAMS)
    assert raw.format == "vtt"
    assert _speakers(raw) == ["Sanne de Wit", "Klaas Peeters", "Sanne de Wit", "Klaas Peeters"]
    assert _texts(raw) == [
        "Goedemorgen & welkom bij Zonwerk.",  # no </v>
        "Allez, da's niks voor ons.",
        "Mag ik vragen <waarom>?",
        "Te duur.",
    ]
    assert (raw.segments[0].start, raw.segments[0].end) == (-1.5, 2.25)
    assert raw.segments[1].end == pytest.approx(5.32)


def test_text_vtt_teams_crlf_bom_bytes() -> None:
    data = b"\xef\xbb\xbf" + _TEAMS.replace("\n", "\r\n").encode("utf-8")
    raw, encoding = read_bytes(data, "teams.vtt")
    assert encoding == "utf-8"
    assert _speakers(raw) == ["Sanne de Wit", "Klaas Peeters", "Sanne de Wit", "Klaas Peeters"]
    raw16, encoding16 = read_bytes(_TEAMS.encode("utf-16"), "teams.vtt")
    assert encoding16.startswith("utf-16")
    assert _texts(raw16) == _texts(raw)


def test_text_vtt_teams_metadata_content() -> None:
    raw = read_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n"
        '{"startDateTime":"2024-05-01T09:00:01Z","speakerName":"Sanne de Wit",'
        '"spokenText":"Goedemorgen, met Sanne.","spokenLanguage":"nl-nl"}\n'
    )
    assert _speakers(raw) == ["Sanne de Wit"]
    assert _texts(raw) == ["Goedemorgen, met Sanne."]
    assert raw.segments[0].start == 1.0


def test_text_vtt_zoom_prefix_and_unnamed_cue_inherits() -> None:
    raw = read_text(
        "WEBVTT\n\n"
        "1\n00:00:00.500 --> 00:00:01.000\nDit is nog voor iemand iets zegt.\n\n"
        "2\n00:00:01.000 --> 00:00:02.000\nJan de Vries: Hallo, met Jan.\n\n"
        "3\n00:00:02.500 --> 00:00:04.000\nen ik bel over uw dak.\n\n"
        "4\n00:00:05.000 --> 00:00:06.000\nPetra (Bakkerij Bol): Nee, dank u.\n\n"
        "5\n00:00:06.000 --> 00:00:07.000\nJan de Vries: Jammer.\n"
    )
    assert _speakers(raw) == [None, "Jan de Vries", "Jan de Vries", "Petra (Bakkerij Bol)", "Jan de Vries"]
    assert raw.meta["cues_speaker_inherited"] == "1"
    merged = merge_segments(raw.segments)
    assert merged[1].text == "Hallo, met Jan. en ik bel over uw dak."


def test_text_vtt_whisper_no_hours() -> None:
    raw = read_text(
        "WEBVTT\n\n00:00.000 --> 00:02.500\nGoedemiddag.\n\n00:02.500 --> 01:05.000\nTot ziens.\n"
    )
    assert not raw.has_speakers
    assert [(s.start, s.end) for s in raw.segments] == [(0.0, 2.5), (2.5, 65.0)]


def test_text_vtt_one_bad_timestamp_keeps_text() -> None:
    raw = read_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nKlant: Hallo.\n\n"
        "00:0x:02.000 --> 00:00:03.000\nKlant: Wie is dit?\n\n"
        "00:00:03.000 --> 00:00:04.000\nVerkoper: Met Bram.\n"
    )
    assert raw.segments[1].start is None
    assert raw.meta["cues_with_bad_times"] == "1"
    assert _texts(raw) == ["Hallo.", "Wie is dit?", "Met Bram."]


def test_text_vtt_mostly_bad_timestamps_refused() -> None:
    with pytest.raises(ReadError) as err:
        read_text("WEBVTT\n\nxx --> yy\nKlant: geheimwoord\n\n00:00:01.000 --> zz\nKlant: nog iets\n")
    assert err.value.code == ErrorCode.MALFORMED
    assert "geheimwoord" not in str(err.value)


def test_text_vtt_header_without_cues_refused() -> None:
    with pytest.raises(ReadError) as err:
        read_text("WEBVTT\n\nNOTE alleen een notitie\n")
    assert err.value.code == ErrorCode.MALFORMED


def test_text_vtt_cue_glued_to_header() -> None:
    raw = read_text("WEBVTT\n00:00:01.000 --> 00:00:02.000\n<v Bram>Goedemiddag.\n")
    assert _speakers(raw) == ["Bram"]


# ====================================================================== srt


def test_text_srt_prefix_multiline_and_tags() -> None:
    raw = read_text(
        "1\n00:00:01,000 --> 00:00:03,000\nVerkoper: Goedemiddag,\nhoe gaat het?\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\n<i>Klant: Prima.</i>\n\n"
        "3\n00:00:05,500 --> 00:00:07,000\nVerkoper: Heeft u even?\nKlant: Nee, echt niet.\n"
    )
    assert raw.format == "srt"
    assert _speakers(raw) == ["Verkoper", "Klant", "Verkoper", "Klant"]
    assert _texts(raw)[0] == "Goedemiddag, hoe gaat het?"
    assert raw.segments[0].end == 3.0


def test_text_srt_without_speakers() -> None:
    raw = read_text(
        "1\n00:00:00,000 --> 00:00:04,000\nGoedemorgen allemaal.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nTot zo.\n"
    )
    assert raw.format == "srt"
    assert _speakers(raw) == [None, None]


# ====================================================================== meet


def test_text_meet_two_speakers_in_one_cue() -> None:
    text = (
        "00:00:00.000 --> 00:00:04.000\n(Sanne Bos)\nGoedemiddag, heeft u een minuutje\n\n"
        "00:00:04.000 --> 00:00:08.000\n(Sanne Bos)\nvoor een korte vraag?\n"
        "-\n \n(Klaas)\nnee eigenlijk niet\n\n"
        "00:00:08.000 --> 00:00:12.000\nhelaas\n"
    )
    assert meet.matches(text)
    raw = read_text(text)
    assert raw.format == "meet"
    assert _speakers(raw) == ["Sanne Bos", "Sanne Bos", "Klaas", "Klaas"]
    merged = merge_segments(raw.segments)
    assert [u.text for u in merged] == [
        "Goedemiddag, heeft u een minuutje voor een korte vraag?",
        "nee eigenlijk niet helaas",
    ]
    # With a WEBVTT header it is still Meet (meet is sniffed before vtt).
    assert read_text("WEBVTT\n\n" + text).format == "meet"


# ====================================================================== rttm / stm / tsv


def test_text_rttm_refused_and_lexeme_read() -> None:
    turns = "SPEAKER gesprek1 1 0.500 2.250 <NA> <NA> SPEAKER_00 <NA> <NA>\n" * 3
    assert rttm.matches(turns)
    with pytest.raises(ReadError) as err:
        read_text(turns)
    assert err.value.code == ErrorCode.NO_SPEECH
    lexemes = (
        "SPEAKER g 1 0.00 1.00 <NA> <NA> A <NA> <NA>\n"
        "LEXEME g 1 0.10 0.30 goedemorgen lex A <NA> <NA>\n"
        "LEXEME g 1 1.20 0.20 nee lex B <NA> <NA>\n"
    )
    raw = read_text(lexemes)
    assert raw.format == "rttm"
    assert [(s.speaker, s.text) for s in raw.segments] == [("A", "goedemorgen"), ("B", "nee")]
    assert raw.segments[0].end == pytest.approx(0.4)


def test_text_stm() -> None:
    raw = read_text(
        ";; opname van een belletje\n"
        "belletje 1 Sanne 0.50 2.00 <o,f0,female> Goedemorgen, met Sanne.\n"
        "belletje 1 inter_segment_gap 2.00 2.40\n"
        "belletje 1 Klaas 2.40 3.10 Allez, da's niks voor ons.\n"
        "belletje 1 Klaas 3.10 3.50 ignore_time_segment_in_scoring\n"
    )
    assert raw.format == "stm"
    assert [(s.speaker, s.text, s.start, s.end) for s in raw.segments] == [
        ("Sanne", "Goedemorgen, met Sanne.", 0.5, 2.0),
        ("Klaas", "Allez, da's niks voor ons.", 2.4, 3.1),
    ]
    with pytest.raises(ReadError) as err:
        stm.read("belletje 1 Sanne 0.50 2.00 Hallo.\nkapot geheimwoord\n")
    assert err.value.code == ErrorCode.MALFORMED
    assert err.value.detail == "stm line 2: not an STM row"


def test_text_tsv() -> None:
    raw = read_text("start\tend\ttext\n0\t2500\tGoedemorgen.\n2500\t4000\tNee, dank u.\n")
    assert raw.format == "tsv"
    assert [(s.start, s.end, s.speaker) for s in raw.segments] == [(0.0, 2.5, None), (2.5, 4.0, None)]
    raw = read_text("start\tend\tspeaker\ttext\n0\t1000\tKlant\tHallo\n")
    assert _speakers(raw) == ["Klant"]
    with pytest.raises(ReadError) as err:
        read_text("start\tend\ttext\n0\t2500\tGoed.\nnul\t3000\tgeheimwoord\n")
    assert err.value.code == ErrorCode.MALFORMED
    assert err.value.detail == "row 3: start/end are not numbers"
    assert "geheimwoord" not in str(err.value)


# ====================================================================== neecoach JSONL


def test_text_jsonl_valid() -> None:
    text = (
        '{"call_id": "c900", "speaker": "Sanne", "start": 0.5, "end": 2.0, "text": "Goedemorgen."}\n'
        "\n"
        '{"call_id": "c900", "speaker": "Klant", "start": 2.5, "end": 3.0, "text": "Nee, dank u.",'
        ' "conf": 0.9}\n'
        '{"speaker": "Klant", "text": "Echt niet."}\n'
    )
    assert neecoach_jsonl.matches(text)
    raw, _ = read_bytes(text.encode("utf-8"), "gesprek.jsonl")
    assert raw.format == "neecoach_jsonl"
    assert raw.meta == {"call_id": "c900"}
    assert _speakers(raw) == ["Sanne", "Klant", "Klant"]
    assert raw.segments[2].start is None


@pytest.mark.parametrize(
    "second_line,detail",
    [
        ('{"speaker": "Klant", "text": "geheimwoord"', "line 2: not JSON"),
        ('["Klant", "geheimwoord"]', "line 2: not a JSON object"),
        ('{"text": "geheimwoord"}', "line 2: 'speaker' must be a non-empty string"),
        ('{"speaker": " ", "text": "geheimwoord"}', "line 2: 'speaker' must be a non-empty string"),
        ('{"speaker": "Klant", "text": 5}', "line 2: 'text' must be a string"),
        ('{"speaker": "Klant", "text": "geheimwoord", "start": "1.0"}', "line 2: 'start' must be a number"),
        ('{"speaker": "Klant", "text": "geheimwoord", "end": NaN}', "line 2: 'end' must be a number"),
        ('{"speaker": "Klant", "text": "geheimwoord", "start": true}', "line 2: 'start' must be a number"),
        (
            '{"speaker": "Klant", "text": "geheimwoord", "start": 3, "end": 1}',
            "line 2: 'end' is before 'start'",
        ),
        (
            '{"speaker": "Klant", "text": "geheimwoord", "call_id": "c2"}',
            "line 2: 'call_id' differs from line 1",
        ),
        ('{"speaker": "Klant", "text": "geheimwoord", "call_id": 7}', "line 2: 'call_id' must be a string"),
    ],
)
def test_text_jsonl_bad_line(second_line: str, detail: str) -> None:
    text = '{"call_id": "c1", "speaker": "Sanne", "text": "Hallo."}\n' + second_line + "\n"
    with pytest.raises(ReadError) as err:
        read_text(text)
    assert err.value.code == ErrorCode.MALFORMED
    assert err.value.detail.startswith(detail)
    assert "geheimwoord" not in str(err.value)


def test_text_jsonl_not_claiming_other_json() -> None:
    assert not neecoach_jsonl.matches('{"segments": [{"speaker": "A", "text": "x"}]}')
    assert not neecoach_jsonl.matches('{\n "speaker": "A",\n "text": "x"\n}')
    assert not neecoach_jsonl.matches('{"speaker": "A", "text": "x", "words": []}')
    assert not neecoach_jsonl.matches("Klant: hallo")


# ====================================================================== registry


def test_text_readers_registered_and_sniffs_never_raise() -> None:
    names = [r.FORMAT for r in TEXT_READERS]
    assert "meet" in names and names.index("meet") < names.index("vtt")
    assert names[-1] == "plaintext"
    for reader in (vtt, srt, meet, rttm, stm, tsv, plaintext, neecoach_jsonl):
        for junk in ("", "\ufeff", "\x00\x01", "{", "-->", "WEBVTT", "\n\n\n", "a" * 10):
            assert isinstance(reader.matches(junk), bool)
