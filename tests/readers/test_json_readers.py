"""JSON readers against every real producer file under ../shared/formats, plus hand-made edge cases.

The real files are read by path (never copied: some have no licence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from pipeline.errors import ErrorCode, ReadError
from pipeline.normalise import merge_segments
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers import (
    JSON_READERS,
    assemblyai,
    aws_transcribe,
    azure_speech,
    deepgram,
    google_stt,
    read_bytes,
    read_text,
    revai,
    speechmatics,
    whisper_json,
)
from pipeline.readers._common import millis, seconds, ticks
from tests.conftest import shared_file


@dataclass(frozen=True)
class Case:
    path: tuple[str, ...]
    module: str  # the module FORMAT whose matches() must claim the file
    format: str  # RawTranscript.format
    speakers: int  # distinct non-null speaker labels
    utterances: int  # after merge_segments
    first: str
    last: str


_JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
_SPACEWALK_TS = (
    "Yeah, as much as it's worth celebrating the first spacewalk with an all-female team, I think many "
    "of us are looking forward to it just being normal. And I think if it signifies anything, it is to "
    "honor the women who came before us, who were skilled and qualified and didn't get the same "
    "opportunities that we have today."
)
_SPACEWALK_AAI = (
    "Yeah. As much as it's worth celebrating the first spacewalk with an all female team, I think many "
    "of us are looking forward to it just being normal. And I think if it signifies anything, it is to "
    "honor the women who came before us, who were skilled and qualified and didn't get the same "
    "opportunities that we have today."
)
_SPACEWALK_DG = (
    "Yeah. As as much as, it's worth celebrating, the first, spacewalk, with an all female team, I think "
    "many of us are looking forward to it just being normal and I think if it signifies anything, It is "
    "to honor the the women who came before us who, were skilled and qualified, and didn't get the same "
    "opportunities that we have today."
)
_GCP_2022 = (
    "there was a day about 10 years ago when I asked a friend to hold a baby dinosaur robot upside down "
    "it was a toy called the Palladio that I had ordered and I was really excited about it because I've "
    "always loved her butt and this one has really cool technical features it had Motors and touch sensor "
    "had an infrared camera and one of the things that had was a tilt sensor so it knew what direction it "
    "was facing and when you held it upside down it would start to cry and I thought it was super cool so "
    "showing it off to my friend and I said hold it up by the tail see what it does"
)

CASES: list[Case] = [
    Case(
        path=("openai-whisper", "jfk.json"),
        module="whisper",
        format="whisper",
        speakers=0,
        utterances=1,
        first=_JFK,
        last=_JFK,
    ),
    Case(
        path=("whisper-timestamped", "whisper_timestamped.json"),
        module="whisper",
        format="whisper_timestamped",
        speakers=0,
        utterances=1,
        first=_SPACEWALK_TS,
        last=_SPACEWALK_TS,
    ),
    Case(
        path=("whisperx", "issue270_result_segments.json"),
        module="whisper",
        format="whisperx",
        speakers=2,
        utterances=3,
        first="What the fuck are you doing?",
        last="baby.",
    ),
    Case(
        path=("whisperx", "issue460_result_segment.json"),
        module="whisper",
        format="whisperx",
        speakers=0,
        utterances=1,
        first="Avec un voisin.",
        last="Avec un voisin.",
    ),
    Case(
        path=("whisperx", "issue717_nl_words_fragment.json"),
        module="whisper",
        format="whisperx",
        speakers=0,
        utterances=1,
        first="na 1 juni.",
        last="na 1 juni.",
    ),
    Case(
        path=("aws-transcribe", "asrOutput.json"),
        module="aws_transcribe",
        format="aws_transcribe",
        speakers=3,
        utterances=6,
        first=(
            "You have reached as himself far gone. This is donna, i'll be assisting you with your "
            "encouraged today, please be informed that this call is being recorded and monitored for "
            "quality assurance purposes."
        ),
        last="and so that is what i want i wanted to",
    ),
    Case(
        path=("aws-transcribe", "diarization-output-batch.json"),
        module="aws_transcribe",
        format="aws_transcribe",
        speakers=2,
        utterances=2,
        first="I've been on hold for an hour.",
        last="Sorry about that.",
    ),
    Case(
        path=("aws-transcribe", "channel-id-output-batch.json"),
        module="aws_transcribe",
        format="aws_transcribe",
        speakers=2,
        utterances=2,
        first="I've been on hold for an hour.",
        last="Sorry about that.",
    ),
    Case(
        path=("deepgram", "deepgram_example_premier_phone.json"),
        module="deepgram",
        format="deepgram",
        speakers=2,
        utterances=9,
        first=(
            "Hi. Thank you for calling Premier Phone Services. This call may be recorded for quality "
            "and training purposes. My name is Tom, and I'll be assisting you. How are you today?"
        ),
        last="Okay.",
    ),
    Case(
        path=("deepgram", "dg_speakers.json"),
        module="deepgram",
        format="deepgram",
        speakers=2,
        utterances=2,
        first=(
            "And, Jessica, Christina, we are so proud of you. You're gonna do great today. We'll be "
            "waiting for you here in a couple hours when you get home. I'm gonna hand you over to "
            "Stephanie now. Have a great, great EVA."
        ),
        last=(
            "Drew, thank you so much. It's been our pleasure working with you this morning. And I'm "
            "working on getting that EV hatch open, And I can"
        ),
    ),
    Case(
        path=("deepgram", "dg_utterances.json"),
        module="deepgram",
        format="deepgram",
        speakers=0,
        utterances=1,
        first=_SPACEWALK_DG,
        last=_SPACEWALK_DG,
    ),
    Case(
        path=("assemblyai", "assembly_example.json"),
        module="assemblyai",
        format="assemblyai",
        speakers=2,
        utterances=3,
        first=(
            "Thank you for calling. His name is Erin and it's my pleasure to provide you with a "
            "customer service today to get started. Can I please have the phone number that you "
            "placed your order under and the name of the product that you're calling about today?"
        ),
        last=(
            "Okay, so that sounds more like a vendor for a billing Department. I do believe I located "
            "your account, though, for security purposes. Could you please verify the shipping "
            "address and the email address on the account?"
        ),
    ),
    Case(
        path=("assemblyai", "assemblyai_utterances.json"),
        module="assemblyai",
        format="assemblyai",
        speakers=1,
        utterances=1,
        first=_SPACEWALK_AAI,
        last=_SPACEWALK_AAI,
    ),
    Case(
        path=("azure-speech", "batch-transcription-get_doc-example.json"),
        module="azure_speech",
        format="azure_speech",
        speakers=0,
        utterances=1,
        first="Hello world.",
        last="Hello world.",
    ),
    Case(
        path=("azure-speech", "realtimeresult.json"),
        module="azure_speech",
        format="azure_speech",
        speakers=2,
        utterances=2,
        first="Hello.",
        last="Hello hello.",
    ),
    Case(
        path=("azure-speech", "summarizationInputSample.json"),
        module="azure_speech",
        format="azure_speech",
        speakers=2,
        utterances=4,
        first="Hi.",
        last="You can bring the disk to the nearest Microsoft Store to return it.",
    ),
    Case(
        path=("azure-speech", "transcriptSample.json"),
        module="azure_speech",
        format="azure_speech",
        speakers=2,
        utterances=3,
        first="Run Alabama drivers license.",
        last="669",
    ),
    Case(
        path=("google-stt", "gcpSttSpeakerDiarization.sample.json"),
        module="google_stt",
        format="google_stt",
        speakers=2,
        utterances=3,
        first=(
            "There was a day about 10 years ago when I asked a friend to hold a baby dinosaur robot "
            "upside down. to integrate robots in similar ways."
        ),
        last="animals are alive robots or not.",
    ),
    Case(
        path=("google-stt", "gcpStt2022.sample.json"),
        module="google_stt",
        format="google_stt",
        speakers=0,
        utterances=1,
        first=_GCP_2022,
        last=_GCP_2022,
    ),
    Case(
        path=("rev-ai", "transcript.json"),
        module="revai",
        format="revai",
        speakers=1,
        utterances=2,
        first=(
            "Hi, my name's Jack resinger. And I'm gonna be talking about how to recruit a co-founder "
            "and a team for your startup. I'm gonna first give a quick overview of what we're gonna "
            "talk about. We're gonna start out by talking about the sorts of folks you might be "
            "looking for for your startup. And then we'll dive right into tactics and approaches. You "
            "can use to get inbound interest in your company. We'll talk a little bit about how "
            "people get, how to get people excited for your startup."
        ),
        last=(
            "Many of the things we're gonna be talking about are applicable to both finding a "
            "co-founder and finding employees, but there are a few specific issues that are relevant "
            "to when you're looking for a co-founder, um, to be, uh, part of your startup. So we'll "
            "talk about that. Um, wanna go a quick background in myself. Um, I am the co-founder of "
            "SeatGeek. We are a search engine for sports and concert tickets based in New York city. "
            "This is my third startup and for all three, we've built a team."
        ),
    ),
    Case(
        path=("speechmatics", "speechmaticsTedTalkTranscript.sample.json"),
        module="speechmatics",
        format="speechmatics",
        speakers=2,
        utterances=2,
        first=(
            "There was a day about 10 years ago when I asked a friend to hold a baby dinosaur robot "
            "upside down. It was this toy called the polio that I had ordered and I was really "
            "excited about it because I've always loved robots and this one has really cool technical "
            "features. It had motors and touch sensors and it had an infrared camera and one of the "
            "things that I had was a tilt sensor so it knew what direction it was facing. And when "
            "you held it upside down. It would start to cry. And I thought it was super cool. So I "
            "was showing it off to my friend and I said oh hold it up by the tail see what it does."
        ),
        last=(
            "So we're watching the theatrical of this robot struggle and cry out. And after a few "
            "seconds. It starts to bother me a little. And I said OK. That's enough. Now let's put "
            "him back down and then I pet the"
        ),
    ),
]


def _case(file_name: str) -> Case:
    return next(c for c in CASES if c.path[-1] == file_name)


def _ids(case: Case) -> str:
    return "/".join(case.path)


def _read_case(case: Case) -> tuple[RawTranscript, list[RawSegment]]:
    path = shared_file("formats", *case.path)
    raw, _encoding = read_bytes(path.read_bytes(), path.name)
    return raw, merge_segments(raw.segments)


def test_every_real_json_file_has_a_case() -> None:
    root = shared_file("formats")
    on_disk = {p.relative_to(root).parts for p in root.rglob("*.json")}
    assert on_disk == {c.path for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_real_file(case: Case) -> None:
    raw, utts = _read_case(case)
    assert raw.format == case.format
    assert len({u.speaker for u in utts if u.speaker is not None}) == case.speakers
    assert len(utts) == case.utterances
    assert utts[0].text == case.first
    assert utts[-1].text == case.last
    # Readers hand over text without leading/trailing blanks and times as floats (or None).
    for seg in raw.segments:
        assert seg.text == seg.text.strip() and seg.text
        assert seg.start is None or isinstance(seg.start, float)
        assert seg.end is None or isinstance(seg.end, float)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_exactly_one_reader_claims_each_file(case: Case) -> None:
    doc = json.loads(shared_file("formats", *case.path).read_text(encoding="utf-8"))
    assert [r.FORMAT for r in JSON_READERS if r.matches(doc)] == [case.module]


def test_dev_call_whisperx_style() -> None:
    path = shared_file("eval", "dev", "calls", "c011.json")
    raw, _ = read_bytes(path.read_bytes(), path.name)
    assert raw.format == "whisperx"
    assert {s.speaker for s in raw.segments} == {"SPEAKER_00", "SPEAKER_01"}
    assert raw.segments[0] == RawSegment(
        "goedemiddag u spreekt met eva jansen van vakwerk academie spreek ik met linda",
        "SPEAKER_01",
        1.664,
        6.627,
    )


# --- quirks seen in the real files, checked segment by segment -----------------------------------


def test_deepgram_speaker_from_words_splits_utterance_3() -> None:
    _raw, utts = _read_case(_case("deepgram_example_premier_phone.json"))
    assert [(u.speaker, u.text) for u in utts[1:4]] == [
        ("1", "I'm good. Thank you."),
        ("0", "Alright. That's good. Can I please have your name?"),
        ("1", "My name is Beth."),
    ]
    assert utts[1].start == 8.4


def test_whisperx_word_speakers_split_and_inherit() -> None:
    raw, _ = _read_case(_case("issue270_result_segments.json"))
    assert [(s.speaker, s.text) for s in raw.segments] == [
        ("SPEAKER_00", "What the fuck are you doing?"),
        ("SPEAKER_00", "Mommy, I'm home."),
        ("SPEAKER_00", "Hey,"),
        ("SPEAKER_01", "baby."),
    ]
    assert (raw.segments[2].start, raw.segments[2].end) == (128.542, 129.022)


def test_whisperx_numeral_without_times() -> None:
    raw, _ = _read_case(_case("issue717_nl_words_fragment.json"))
    assert raw.segments == (RawSegment("na 1 juni.", None, 416.338, 416.778),)


def test_aws_punctuation_glues_and_speakers_from_segments() -> None:
    raw, _ = _read_case(_case("asrOutput.json"))
    assert raw.segments[0].speaker == "spk_1"
    assert raw.segments[0].start == 0.86
    assert raw.segments[1].text.startswith("How may i help you? Um, well,")


def test_google_speakers_only_from_last_result() -> None:
    raw, _ = _read_case(_case("gcpSttSpeakerDiarization.sample.json"))
    assert [s.speaker for s in raw.segments] == ["2", "1", "2"]
    assert raw.segments[1] == RawSegment("I'm sure", "1", 321.3, 322.0)
    assert raw.meta == {"speakers": "last_result"}


def test_azure_ticks_and_iso_durations() -> None:
    raw, _ = _read_case(
        _case("transcriptSample.json")
    )  # transcriptSample: durationTicks at top level, InTicks per phrase
    assert raw.segments[0] == RawSegment("Run Alabama drivers license.", "1", 0.04, 2.22)
    realtime, _ = _read_case(_case("realtimeresult.json"))
    assert realtime.segments[0] == RawSegment("Hello.", "0", 0.09, 0.65)


def test_speechmatics_spans_join_words() -> None:
    raw, _ = _read_case(_case("speechmaticsTedTalkTranscript.sample.json"))
    assert [(s.speaker, s.start, s.end) for s in raw.segments] == [("F4", 13.05, 52.24), ("F3", 55.27, 74.98)]


def test_revai_monologues_keep_speaker() -> None:
    raw, _ = _read_case(_case("transcript.json"))
    assert [(s.speaker, s.start, s.end) for s in raw.segments] == [("0", 0.3, 22.47), ("0", 44.01, 68.61)]


# --- time helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (12.9, 12.9),
        (3, 3.0),
        ("0.000000", 0.0),
        ("12.900s", 12.9),
        ("52s", 52.0),
        ({"seconds": "12", "nanos": 900000000}, 12.9),
        ({"nanos": 500000000}, 0.5),
        ({"seconds": 7}, 7.0),
        ({}, 0.0),
        ("PT7.48S", 7.48),
        ("PT1M2.5S", 62.5),
        ("PT1H", 3600.0),
    ],
)
def test_seconds(value: Any, expected: float | None) -> None:
    got = seconds(value, "t", "x")
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_ticks_and_millis() -> None:
    assert ticks(25800000, "t", "x") == pytest.approx(2.58)
    assert ticks("PT0.76S", "t", "x") == pytest.approx(0.76)
    assert ticks(None, "t", "x") is None
    assert millis(1100, "t", "x") == pytest.approx(1.1)
    assert millis("170", "t", "x") == pytest.approx(0.17)


@pytest.mark.parametrize(
    "value", ["abc", "PT", "P", "nan", "inf", True, [1], {"seconds": "x"}, {"foo": 1}, float("nan"), 10**400]
)
def test_bad_times_are_coded(value: Any) -> None:
    with pytest.raises(ReadError) as err:
        seconds(value, "t", "x")
    assert err.value.code is ErrorCode.MALFORMED


# --- hand-made documents -------------------------------------------------------------------------


def _read(doc: Any) -> RawTranscript:
    return read_text(json.dumps(doc))


def _code(doc: Any) -> ErrorCode:
    with pytest.raises(ReadError) as err:
        read_bytes(json.dumps(doc).encode("utf-8"), "x.json")
    assert "geheim" not in str(err.value)  # details never carry transcript text
    return err.value.code


@pytest.mark.parametrize(
    "doc",
    [
        {"segments": []},
        {"segments": [{"start": 0, "end": 1, "text": "   "}]},
        {"results": {"transcripts": [], "items": []}},
        {"results": {"channels": [], "utterances": []}},
        {"utterances": [], "words": [], "text": "", "audio_url": "x"},
        {"recognizedPhrases": []},
        {"results": [{"alternatives": []}]},
        {"monologues": []},
        {"monologues": [{"speaker": 0, "elements": [{"type": "punct", "value": " "}]}]},
        {"job": {}, "speakers": [], "words": []},
        [{"word": ""}],
    ],
)
def test_no_speech(doc: Any) -> None:
    assert _code(doc) is ErrorCode.NO_SPEECH


@pytest.mark.parametrize(
    "doc",
    [
        {"segments": [{"start": "soon", "end": 1, "text": "geheim"}]},
        {"segments": [{"start": 0, "end": 1, "text": "geheim", "speaker": {"id": 1}}]},
        {"segments": [{"start": 0, "end": 1, "text": ["geheim"]}]},
        {"segments": [1, 2, 3]},
        {"segments": [{"text": "geheim", "words": "geheim"}]},
        {
            "results": {
                "items": [
                    {"type": "pronunciation", "start_time": "x", "alternatives": [{"content": "geheim"}]}
                ]
            }
        },
        {"results": {"items": [{"type": "pronunciation", "alternatives": "geheim"}]}},
        {"results": {"items": "geheim"}},
        {"results": {"channels": [{"alternatives": [{"words": [{"word": "geheim", "start": [0]}]}]}]}},
        {"results": {"utterances": [{"transcript": "geheim", "speaker": True}]}},
        {"results": {"channels": "geheim"}, "metadata": {}},
        {"utterances": [{"text": "geheim", "start": "x", "speaker": "A"}], "audio_url": "u"},
        {"utterances": "geheim", "audio_url": "u"},
        {"recognizedPhrases": [{"offsetInTicks": "PTxS", "nBest": [{"display": "geheim"}]}]},
        {"recognizedPhrases": [{"nBest": {"display": "geheim"}}]},
        {"recognizedPhrases": ["geheim"]},
        [{"RecognitionStatus": "Success", "Offset": "later", "DisplayText": "geheim"}],
        {
            "results": [
                {
                    "alternatives": [
                        {"transcript": "geheim", "words": [{"word": "geheim", "startTime": {"seconds": []}}]}
                    ]
                }
            ]
        },
        {"results": [{"alternatives": [{"transcript": "geheim"}]}, 7]},
        {"monologues": [{"speaker": True, "elements": [{"type": "text", "value": "geheim"}]}]},
        {"monologues": [{"speaker": 0, "elements": [{"type": "text", "value": "geheim", "ts": "x"}]}]},
        {"monologues": ["geheim"]},
        {"words": [{"name": "geheim", "time": "abc", "duration": "0.1"}], "speakers": []},
        {"words": [{"name": "geheim", "time": "1", "duration": "0.1"}], "speakers": "F1"},
    ],
)
def test_wrong_types_are_malformed(doc: Any) -> None:
    assert _code(doc) is ErrorCode.MALFORMED


@pytest.mark.parametrize("doc", [[], {}, [1, 2], {"foo": "bar"}, [[]], {"results": 3}, {"segments": "x"}])
def test_unknown_json(doc: Any) -> None:
    assert _code(doc) is ErrorCode.UNKNOWN_FORMAT


@pytest.mark.parametrize("value", [None, True, 0, 1.5, "segments", [], [None], [1], {}, [[{"word": "x"}]]])
def test_matches_never_raises(value: Any) -> None:
    for reader in JSON_READERS:
        assert reader.matches(value) in (True, False)


def test_whisperx_segment_without_any_speaker_and_word_inheritance() -> None:
    raw = _read(
        {
            "segments": [
                {
                    "start": 1.0,
                    "end": 4.0,
                    "text": " ja dat kost 1 euro nee",
                    "speaker": "SPEAKER_00",
                    "words": [
                        {"word": "ja", "start": 1.0, "end": 1.2},
                        {"word": "dat", "start": 1.3, "end": 1.5, "speaker": "SPEAKER_01"},
                        {"word": "kost", "start": 1.6, "end": 1.8},
                        {"word": "1"},
                        {"word": "euro", "start": 2.4, "end": 2.6},
                        {"word": "nee", "start": 3.0, "end": 3.2, "speaker": "SPEAKER_00"},
                    ],
                },
                {"start": 5.0, "end": 6.0, "text": " oké"},
            ],
            "word_segments": [],
        }
    )
    assert raw.format == "whisperx"
    assert raw.segments == (
        RawSegment("ja", "SPEAKER_00", 1.0, 1.2),
        RawSegment("dat kost 1 euro", "SPEAKER_01", 1.3, 2.6),
        RawSegment("nee", "SPEAKER_00", 3.0, 3.2),
        RawSegment("oké", None, 5.0, 6.0),
    )


def test_whisper_bare_segment_list_is_read() -> None:
    raw = _read([{"start": 0, "end": 1.5, "text": " hallo", "speaker": "A"}])
    assert raw.format == "whisperx"
    assert raw.segments == (RawSegment("hallo", "A", 0.0, 1.5),)


def test_aws_channel_items_only_under_channel_labels() -> None:
    item = {
        "type": "pronunciation",
        "start_time": "0.5",
        "end_time": "0.9",
        "alternatives": [{"content": "Ja"}],
    }
    punct = {"type": "punctuation", "alternatives": [{"content": ","}]}
    doc = {
        "results": {
            "transcripts": [{"transcript": "Ja, nee."}],
            "channel_labels": {
                "channels": [
                    {"channel_label": "ch_0", "items": [item, punct]},
                    {
                        "channel_label": "ch_1",
                        "items": [
                            {
                                **item,
                                "start_time": "1.0",
                                "end_time": "1.2",
                                "alternatives": [{"content": "nee"}],
                            }
                        ],
                    },
                ]
            },
            "items": [],
        }
    }
    raw = _read(doc)
    assert raw.segments == (RawSegment("Ja,", "ch_0", 0.5, 0.9), RawSegment("nee", "ch_1", 1.0, 1.2))


def test_aws_without_items_reads_transcript() -> None:
    raw = _read({"results": {"transcripts": [{"transcript": " Goedemorgen."}]}})
    assert raw.segments == (RawSegment("Goedemorgen."),)


def test_deepgram_multichannel_without_speakers() -> None:
    doc = {
        "results": {
            "channels": [
                {
                    "alternatives": [
                        {
                            "transcript": "goedemorgen",
                            "words": [{"word": "goedemorgen", "start": 0.1, "end": 0.6}],
                        }
                    ]
                },
                {
                    "alternatives": [
                        {"transcript": "hallo", "words": [{"word": "hallo", "start": 0.8, "end": 1.0}]}
                    ]
                },
            ]
        }
    }
    raw = _read(doc)
    assert raw.segments == (
        RawSegment("goedemorgen", "ch_0", 0.1, 0.6),
        RawSegment("hallo", "ch_1", 0.8, 1.0),
    )


def test_assemblyai_falls_back_to_words() -> None:
    doc = {
        "audio_url": "u",
        "utterances": None,
        "words": [
            {"text": "Goedemiddag.", "start": 100, "end": 900, "speaker": "A"},
            {"text": "Hoi.", "start": 1000, "end": 1400, "speaker": "B"},
        ],
    }
    raw = _read(doc)
    assert raw.segments == (RawSegment("Goedemiddag.", "A", 0.1, 0.9), RawSegment("Hoi.", "B", 1.0, 1.4))


def test_azure_single_realtime_result_and_skips_nomatch() -> None:
    raw = _read(
        [
            {"RecognitionStatus": "NoMatch", "Offset": 0, "Duration": 0},
            {"RecognitionStatus": "Success", "Offset": 10000000, "Duration": 5000000, "DisplayText": "Ja."},
        ]
    )
    assert raw.segments == (RawSegment("Ja.", None, 1.0, 1.5),)


def test_google_rest_times_without_speakers_and_operation_wrapper() -> None:
    doc = {
        "name": "op",
        "done": True,
        "response": {
            "results": [
                {
                    "alternatives": [
                        {
                            "transcript": "goedemorgen",
                            "words": [{"word": "goedemorgen", "startTime": "0.100s", "endTime": "0.700s"}],
                        }
                    ],
                    "resultEndTime": "0.800s",
                },
                {"alternatives": [{"transcript": " met wie spreek ik"}], "resultEndTime": "2.500s"},
            ]
        },
    }
    raw = _read(doc)
    assert raw.segments == (
        RawSegment("goedemorgen", None, 0.1, 0.7),
        RawSegment("met wie spreek ik", None, 0.8, 2.5),
    )


def test_module_formats() -> None:
    assert [r.FORMAT for r in JSON_READERS] == [
        m.FORMAT
        for m in (
            aws_transcribe,
            deepgram,
            assemblyai,
            azure_speech,
            google_stt,
            revai,
            speechmatics,
            whisper_json,
        )
    ]
    assert whisper_json.FORMAT == "whisper"
