"""The spaCy pipeline's batch paths give what the plain component gives, utterance by utterance."""

from __future__ import annotations

import pytest

from pipeline.nlp import COMPONENT, add_token_cues, build_nlp, cue_views

TEXTS = [
    "Nee, daar hebben we echt geen budget voor.",
    "neen laat da maar we blijven gewoon bij onze eigen leverancier",
    "",
    "Ja nee, dat klopt. Stuur maar een mailtje.",
    "we hebben dat in twintig jaar nog nooit echt nodig gehad",
    "Daar zit eerlijk gezegd niemand op te wachten, hoor.",
    "eh uhm ja",
    "Dat doen we allemaal zelf, al jaren.",
]


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def test_cue_views_equal_the_component_one_doc_at_a_time(nlp) -> None:
    batched = cue_views(nlp, TEXTS * 3, batch_size=5)  # batches that cut through the list
    single = [nlp(t)._.nc for t in TEXTS * 3]
    assert [(v.words, v.after, v.cues) for v in batched] == [(v.words, v.after, v.cues) for v in single]


def test_token_patterns_gated_per_required_word_match_an_ungated_matcher(nlp) -> None:
    """The gates are a necessary condition only: the same cues as running every token pattern everywhere."""
    comp = nlp.get_pipe(COMPONENT)
    gated = cue_views(nlp, TEXTS)
    add_token_cues(nlp, gated)
    plain = cue_views(nlp, TEXTS)
    comp.gate_token_patterns = False
    try:
        add_token_cues(nlp, plain)
    finally:
        comp.gate_token_patterns = True
    assert [v.cues for v in gated] == [v.cues for v in plain]
    assert sum(len(v.cues) for v in gated) > sum(len(v.cues) for v in cue_views(nlp, TEXTS))  # patterns fired


def test_cue_views_of_texts_with_untidy_whitespace_equal_the_component(nlp) -> None:
    texts = ["  Nee,  dank je.\n", "ja\tnee klopt", "Stuur maar\n\neen mailtje", *TEXTS]
    batched = cue_views(nlp, texts)
    single = [nlp(t)._.nc for t in texts]
    assert [(v.words, v.after, v.cues) for v in batched] == [(v.words, v.after, v.cues) for v in single]


def test_priming_the_tokenizer_cache_changes_no_token() -> None:
    """`CueMatcher._prime` only fills spaCy's own cache: a batch tokenizes to the same tokens before and after."""
    texts = ["Neen, da's nie nodig, ik loop 's nachts toch zelf nog een toer.", "'t is zo, neen.", *TEXTS,
             "Ja, 't is zot. Neen, da wens ik niemand toe (bijv. nu)."]
    joined = "\n\n".join(texts * 2)
    fresh = build_nlp().tokenizer(joined)
    primed = build_nlp()
    comp = primed.get_pipe(COMPONENT)
    comp._prime(joined.split())
    assert comp._primed >= set(joined.split())
    again = primed.tokenizer(joined)
    assert [(t.text, t.idx, t.whitespace_) for t in again] == [(t.text, t.idx, t.whitespace_) for t in fresh]
    assert [(v.words, v.after, v.cues) for v in cue_views(primed, texts)] == [
        (v.words, v.after, v.cues) for v in cue_views(build_nlp(), texts)
    ]


def test_phrase_index_finds_what_the_phrase_matcher_finds_in_its_order(nlp) -> None:
    """`CueMatcher._phrase_cues` (a trie of dicts) returns the PhraseMatcher's matches, order included: by start,
    by length, and the several keys of one phrase ("geen behoefte": REFUSAL, R_NO_NEED, RW_NO_NEED) as it yields
    them. Over every dialogue turn of the detection cases."""
    from pathlib import Path

    import yaml
    from spacy.tokens import Doc

    texts = list(TEXTS)
    for path in sorted((Path(__file__).resolve().parent / "cases").glob("*.yaml")):
        texts += [text for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
                  for _role, text in case["dialogue"]]
    comp = nlp.get_pipe(COMPONENT)
    multi = 0
    for view in cue_views(nlp, texts):
        if not view.words:
            continue
        expected = [(*comp.keys[m], s, e) for m, s, e in comp.phrases(Doc(nlp.vocab, words=view.words))]
        assert comp._phrase_cues(view.words, hedges=frozenset()) == expected
        multi += len(expected) - len({(s, e) for _lab, _code, s, e in expected})
    assert multi > 10  # phrases of several keys came up


def test_a_hedge_inside_a_phrase_does_not_hide_it(nlp) -> None:
    """`cues.phrase_hedges`: "eerlijk gezegd", "echt", "even" dropped into a fixed phrase after its first two words
    still let the phrase match (the cue spans the hedge, and weighs as the phrase without it); a hedge after the
    first word does not ("nee, echt, bedankt" holds no "nee dank je"), nor one that changes the meaning ("ook",
    "nu", "niet" are no hedges)."""
    def cues(text: str) -> set[tuple[str, str]]:
        v = nlp(text)._.nc
        return {(lab, v.text(s, e)) for lab, _c, s, e in v.cues}

    assert ("REFUSAL", "zit ik eerlijk gezegd niet op te wachten") in cues(
        "Nou, daar zit ik eerlijk gezegd niet op te wachten."
    )
    assert ("DEFLECT", "ik denk er nog even over na") in cues("ja ik denk er nog even over na")
    assert not any(lab == "REFUSAL" for lab, _t in cues("nee, echt, bedankt dat u belde"))
    assert not any(lab == "DEFLECT" for lab, _t in cues("ik zie ook wel dat er gaten in de agenda vallen"))
    v = nlp("nee dat is echt veel te groot voor ons")._.nc
    hedged = next((s, e) for lab, _c, s, e in v.cues if lab == "RW_BUDGET" and e - s == 4)
    plain = nlp("nee dat is veel te groot voor ons")._.nc
    unhedged = next((s, e) for lab, _c, s, e in plain.cues if lab == "RW_BUDGET" and e - s == 3)
    assert v.weight("RW_BUDGET", *hedged) == plain.weight("RW_BUDGET", *unhedged)


def test_no_pattern_is_listed_twice() -> None:
    """A pattern listed twice under one label is dead weight, and of two weights only the later one counts."""
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[2] / "configs" / "patterns").glob("*.jsonl")):
        seen: set[tuple[str, str]] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            key = (row["label"], json.dumps(row["pattern"], ensure_ascii=False))
            assert key not in seen, f"{path.name}: {key}"
            seen.add(key)
