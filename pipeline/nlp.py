"""The one place that builds the spaCy pipeline: a blank Dutch tokenizer plus neecoach's cue matcher.

`build_nlp(config)` returns a `Language` whose docs carry `doc._.nc`, a `CueView`:

- `words`: the utterance's words normalised for matching only (lower case, ASR fillers such as
  "eh"/"uhm" dropped, Flemish and spoken contractions expanded: "da's" -> "dat is", "'k" -> "ik",
  "nie" -> "niet", "neen" -> "nee"). Dutch stop words are never dropped: niet, geen, nee, wel and toch
  carry the meaning.
- `after`: for each word, the punctuation that follows it ("" when none), so question marks and
  clause breaks survive the normalisation; `PAUSE` ("~") where a dropped filler followed the word.
- `lex`: the rule word lists (`configs/patterns/lexicon.json`, a `Lexicon`), shared by every view.
- `cues`: `(label, code, start, end)` matches over `words` from the pattern files
  (`configs/patterns/*.jsonl`, spaCy pattern JSONL: a string pattern is a literal phrase, found as a
  PhraseMatcher on LOWER finds it, from a trie of the same phrases that also steps over hedges inside a phrase
  ("zit ik eerlijk gezegd niet op te wachten"); a list pattern is a token pattern for the Matcher). Token
  patterns only run on docs that contain one of their gate words (a cheap set lookup), since the Matcher
  slows with every pattern.

The text itself is never changed. Nothing here is global: the patterns are read when the pipeline is
built, from the folder the config names.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import eq, itemgetter
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

COMPONENT = "neecoach_cues_v1"  # spaCy factory names may not contain "."
DEFAULT_PATTERNS = Path(__file__).resolve().parents[1] / "configs" / "patterns"
SEPARATOR = "\u2016"  # joins utterances in a batch; no pattern contains it
DIGITS = "\u2016digits"  # stands for "some word is all digits" in the gate sets of IS_DIGIT tokens
PUNCT_BREAK = frozenset('.?!;:,…-–—()[]"“”„«»/')


class Lexicon:
    """Named word lists of the detector rules (`configs/patterns/lexicon.json`), read when the pipeline is built.

    `words("questions.wh")` is a frozenset of single words, `phrases(...)` a tuple of phrases (word
    sequences joined by spaces), `table(...)` a mapping. `bundle(name, build)` caches an object built
    once from the lexicon (the rule modules keep their compiled lists there). A missing name is empty.
    """

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = {}
        for section, entries in (data or {}).items():
            if isinstance(entries, Mapping):
                for name, value in entries.items():
                    self.data[f"{section}.{name}"] = value
        self._cache: dict[str, Any] = {}
        # one cache per kind, keyed by the bare name: the rules call `words`/`phrases` in hot loops, and a
        # prefixed key ("w:" + name) is a new string to hash on every call
        self._words: dict[str, frozenset[str]] = {}
        self._phrases: dict[str, tuple[str, ...]] = {}
        self._bundles: dict[str, Any] = {}

    def _get(self, name: str) -> Any:
        return self.data.get(name, [])

    def words(self, name: str) -> frozenset[str]:
        got = self._words.get(name)
        if got is None:
            got = self._words[name] = frozenset(str(w).lower() for w in self._get(name))
        return got

    def phrases(self, name: str) -> tuple[str, ...]:
        got = self._phrases.get(name)
        if got is None:
            got = self._phrases[name] = tuple(str(w).lower() for w in self._get(name))
        return got

    def table(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return dict(value) if isinstance(value, Mapping) else {}

    def phrase_table(self, name: str) -> dict[str, tuple[str, ...]]:
        """A table whose values are phrase lists: {key: lower-cased phrases}, built once."""
        key = "t:" + name
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = {
                str(k): tuple(str(x).lower() for x in v) for k, v in self.table(name).items() if isinstance(v, list)
            }
        return got

    def bundle(self, name: str, build: Any) -> Any:
        got = self._bundles.get(name)
        if got is None:
            got = self._bundles[name] = build(self)
        return got


EMPTY_LEXICON = Lexicon()
PhraseTrie = dict[Any, Any]  # word -> PhraseTrie; None -> the (label, code) keys of the phrase that ends here


@dataclass(frozen=True, slots=True)
class PhraseList:
    """A lexicon phrase list prepared for whole-word lookups: each phrase padded by spaces, and the phrases by
    their first word (a phrase can only occur where its first word does)."""

    phrases: tuple[str, ...]
    padded: tuple[tuple[str, str], ...]  # (phrase, " phrase ")
    firsts: frozenset[str]
    by_first: dict[str, list[tuple[int, str, str]]]  # first word -> [(position in the list, phrase, " phrase ")]

    @classmethod
    def build(cls, phrases: tuple[str, ...]) -> PhraseList:
        padded = tuple((p, f" {p} ") for p in phrases)
        by_first: dict[str, list[tuple[int, str, str]]] = {}
        for k, (p, pad) in enumerate(padded):
            if p.split():
                by_first.setdefault(p.split()[0], []).append((k, p, pad))
        return cls(phrases, padded, frozenset(by_first), by_first)

    def candidates(self, words: Iterable[str]) -> list[tuple[int, str, str]]:
        """(position in the list, phrase, " phrase ") of the phrases whose first word is among `words`, in list
        order."""
        if self.firsts.isdisjoint(words):  # the common case, answered without building a set
            return []
        hits = self.firsts.intersection(words)
        if len(hits) == 1:
            return self.by_first[next(iter(hits))]
        return sorted(c for w in hits for c in self.by_first[w])


def _first_in(padded_text: str, cands: list[tuple[int, str, str]]) -> str | None:
    """The first candidate phrase (`PhraseList.candidates`) found as whole words in `padded_text`."""
    for _k, p, pad in cands:
        if pad in padded_text:
            return p
    return None


# phrase list -> PhraseList, by id (a tuple's hash is not cached: hashing a long list on every lookup cost more
# than the lookup); the entry keeps its tuple, so an id is never reused while it is cached
_PHRASE_LISTS: dict[int, PhraseList] = {}


def phrase_list(phrases: tuple[str, ...]) -> PhraseList:
    """The prepared form of a phrase list, built once per list (a lexicon list is one tuple object)."""
    got = _PHRASE_LISTS.get(id(phrases))
    if got is None or got.phrases is not phrases:
        if len(_PHRASE_LISTS) >= 4096:  # lists built on the fly would pile up: start over
            _PHRASE_LISTS.clear()
        got = _PHRASE_LISTS[id(phrases)] = PhraseList.build(phrases)
    return got


def first_phrase(words: list[str], phrases: tuple[str, ...]) -> str | None:
    """The first of `phrases` (in list order) found as whole words in `words`, else None."""
    cands = phrase_list(phrases).candidates(words)  # a phrase can only occur where its first word does
    return _first_in(" " + " ".join(words) + " ", cands) if cands else None


def load_lexicon(folder: Path) -> Lexicon:
    path = folder / "lexicon.json"
    if not path.exists():
        return Lexicon()
    return Lexicon(json.loads(path.read_text(encoding="utf-8")))


@dataclass(slots=True)
class CueView:
    """Normalised words of one utterance and the cues found in them (indices into `words`)."""

    words: list[str]
    after: list[str]
    cues: list[tuple[str, str, int, int]] = field(default_factory=list)
    weights: Mapping[tuple[str, str], float] = field(default_factory=dict)
    lex: Lexicon = EMPTY_LEXICON
    _padded: str = field(default="", init=False, repr=False, compare=False)
    _wordset: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def padded(self) -> str:
        """The words joined by spaces, with a space at each end (for whole-word phrase lookups); built once."""
        if not self._padded:
            self._padded = " " + " ".join(self.words) + " "
        return self._padded

    @property
    def wordset(self) -> frozenset[str]:
        if self._wordset is None:
            self._wordset = frozenset(self.words)
        return self._wordset

    def phrase_candidates(self, phrases: tuple[str, ...]) -> list[tuple[int, str, str]]:
        """(position in the list, phrase, " phrase ") of the phrases whose first word this utterance holds."""
        return phrase_list(phrases).candidates(self.wordset)

    def first_phrase(self, phrases: tuple[str, ...]) -> str | None:
        """The first of `phrases` (in list order) found as whole words, else None."""
        cands = self.phrase_candidates(phrases)
        return _first_in(self.padded, cands) if cands else None

    def labels(self) -> set[str]:
        return {c[0] for c in self.cues}

    def spans(self, label: str) -> list[tuple[str, int, int]]:
        return [(code, s, e) for lab, code, s, e in self.cues if lab == label]

    def text(self, start: int, end: int) -> str:
        return " ".join(self.words[start:end])

    def weight(self, label: str, start: int, end: int) -> float:
        """A cue's weight: the pattern's "weight" field, else 1 per word (a long single word 1.0, short 0.6). A
        phrase matched across hedges ("dat is echt veel") weighs as the phrase without them."""
        w = self.weights.get((label, self.text(start, end)))
        if w is not None:
            return w
        if end - start > 2:
            hedges = self.lex.words("cues.phrase_hedges")
            if not hedges.isdisjoint(self.words[start + 1 : end - 1]):
                core = [x for k, x in enumerate(self.words[start:end]) if x not in hedges or k in (0, end - start - 1)]
                w = self.weights.get((label, " ".join(core)))
                return w if w is not None else float(len(core))
        if end - start > 1:
            return float(end - start)
        return 1.0 if len(self.words[start]) >= 8 else 0.6


@dataclass(frozen=True)
class NlpSettings:
    patterns_dir: str = ""
    tokenizer_cache: int = 1_000_000
    batch_size: int = 512

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> NlpSettings:
        data = dict(data or {})
        return cls(
            patterns_dir=str(data.get("patterns_dir", "")),
            tokenizer_cache=int(data.get("tokenizer_cache", 1_000_000)),
            batch_size=int(data.get("batch_size", 512)),
        )


def _load_norms(folder: Path) -> tuple[frozenset[str], dict[str, list[str]]]:
    path = folder / "norms.json"
    if not path.exists():
        return frozenset(), {}
    data = json.loads(path.read_text(encoding="utf-8"))
    fillers = frozenset(str(w).lower() for w in data.get("fillers", []))
    expand = {str(k).lower(): [str(x) for x in v] for k, v in data.get("expand", {}).items()}
    return fillers, expand


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}:{n}: {exc.msg}") from None
        if "label" not in row or "pattern" not in row:
            raise ValueError(f"{path.name}:{n}: a pattern needs 'label' and 'pattern'")
        yield row


def _literal(pattern: list[dict[str, Any]]) -> str | None:
    """A token pattern made only of plain LOWER/NORM/ORTH strings is a phrase in disguise."""
    words = []
    for tok in pattern:
        if len(tok) != 1:
            return None
        ((key, val),) = tok.items()
        if key not in {"LOWER", "NORM", "ORTH", "TEXT"} or not isinstance(val, str):
            return None
        words.append(val)
    return " ".join(words)


REPORTED = "REPORTED"  # the cue label of reported speech (its span may cross the quote's colon)
PAUSE = "~"  # in CueView.after: an ASR filler followed this word ("… dank u wel eh hoe doen jullie dat nu")


_SPAN = itemgetter(2, 3)  # a cue's (start, end): the order of `CueView.cues`
SENTENCE_ENDS = frozenset(".?!;:…")  # in CueView.after: a sentence ends after the word (no cue spans it)


def ends_sentence(punct: str) -> bool:
    return not SENTENCE_ENDS.isdisjoint(punct)


class CueMatcher:
    """spaCy component `neecoach_cues_v1`: normalise for matching, then match the pattern files."""

    def __init__(
        self, nlp: Language, name: str, patterns_dir: str, gate_token_patterns: bool, token_patterns_in_pipe: bool
    ) -> None:
        self.name = name
        self.token_patterns_in_pipe = token_patterns_in_pipe
        folder = Path(patterns_dir) if patterns_dir else DEFAULT_PATTERNS
        if not folder.is_dir():
            raise ValueError(f"pattern folder not found: {folder}")
        self.fillers, self.expand = _load_norms(folder)
        self.lexicon = load_lexicon(folder)
        self.vocab = nlp.vocab
        self._cache: dict[int, tuple[int, tuple[str, ...], str]] = {}
        self._simple: dict[int, str] = {}  # lower-case keys that are one plain word (most of them)
        self._tokenizer: Any = nlp.tokenizer
        self._primed: set[str] = set()  # whitespace chunks the tokenizer has seen alone (`_prime`)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.keys: dict[int, tuple[str, str]] = {}
        self.gate: set[str] = set()
        self.weights: dict[tuple[str, str], float] = {}
        self.gate_token_patterns = gate_token_patterns
        self.n_phrases = 0
        self.n_token_patterns = 0
        phrase_docs: dict[str, list[Doc]] = {}
        token_pats: dict[str, list[list[dict[str, Any]]]] = {}
        gated: dict[tuple[frozenset[str], ...], list[tuple[str, list[dict[str, Any]]]]] = {}
        for path in sorted(folder.glob("*.jsonl")):
            for row in _read_jsonl(path):
                label, code, pat = str(row["label"]), str(row.get("id", row["label"])), row["pattern"]
                key = f"{label}|{code}"
                if isinstance(pat, list):
                    literal = _literal(pat)
                    if literal is None:
                        token_pats.setdefault(key, []).append(pat)
                        gate = row.get("gate")
                        words_gate = (
                            {str(g).lower() for g in gate} if isinstance(gate, list) else self._gate_words(pat)
                        )
                        self.gate.update(words_gate)
                        gates = (frozenset(words_gate), *self._required_words(pat))
                        gated.setdefault(gates, []).append((key, pat))
                        continue
                    pat = literal
                words, _ = self.normalise(self._tokenizer(str(pat)))
                if words and "weight" in row:
                    self.weights[(label, " ".join(words))] = float(row["weight"])
                if words:
                    phrase_docs.setdefault(key, []).append(Doc(self.vocab, words=words))
        for key, docs in phrase_docs.items():
            self.phrases.add(key, docs)
            self.keys[self.vocab.strings[key]] = (key.split("|", 1)[0], key.split("|", 1)[1])
            self.n_phrases += len(docs)
        self._phrase_index = self._index_phrases(phrase_docs)
        # hedges a speaker drops into a fixed phrase ("daar zit ik eerlijk gezegd niet op te wachten"): skipped
        # inside a phrase where the phrase itself has no such word (`cues.phrase_hedges`; never niet/geen/wel/toch)
        self.hedges: frozenset[str] = self.lexicon.words("cues.phrase_hedges")
        # the index compares words as the PhraseMatcher compares LOWER: normalised words are lower case unless an
        # expansion in norms.json is not
        self._lower_words = any(x != x.lower() for v in self.expand.values() for x in v)
        for key, pats in token_pats.items():
            self.matcher.add(key, pats)
            self.keys[self.vocab.strings[key]] = (key.split("|", 1)[0], key.split("|", 1)[1])
            self.n_token_patterns += len(pats)
        # one Matcher per gate: a pattern only runs on the utterances that hold one of its gate words and,
        # for every required token of the pattern, one of that token's words (a necessary condition)
        self.gated_matchers: list[tuple[tuple[frozenset[str], ...], Matcher]] = []
        for gate_words, items in gated.items():
            m = Matcher(nlp.vocab)
            by_key: dict[str, list[list[dict[str, Any]]]] = {}
            for key, pat in items:
                by_key.setdefault(key, []).append(pat)
            for key, pats in by_key.items():
                m.add(key, pats)
            self.gated_matchers.append((gate_words, m))
        self._gate_index: dict[str, list[int]] = {}  # gate word -> the gated Matchers it opens
        for mi, (gates, _m) in enumerate(self.gated_matchers):
            for w in gates[0]:
                self._gate_index.setdefault(w, []).append(mi)
        self._digit_gates = any(DIGITS in g for gates, _m in self.gated_matchers for g in gates)

    def _index_phrases(self, phrase_docs: dict[str, list[Doc]]) -> PhraseTrie:
        """The phrase patterns as a trie of dicts: word -> node; a node's `None` entry holds the (label, code) keys
        of the phrase that ends there.

        `_phrase_cues` finds with it what the PhraseMatcher finds, in the same order: by start, then by length,
        and where one phrase belongs to several keys, in the order the PhraseMatcher yields them (read here
        from the matcher itself, on the phrase alone)."""
        root: PhraseTrie = {}
        for key, docs in phrase_docs.items():
            label, code = key.split("|", 1)
            for doc in docs:
                node = root
                for t in doc:
                    node = node.setdefault(t.lower_, {})
                keys = node.setdefault(None, [])
                if (label, code) not in keys:
                    keys.append((label, code))

        def finish(node: PhraseTrie, words: list[str]) -> None:
            for word, child in node.items():
                if word is None:
                    if len(child) > 1:
                        found = self.phrases(Doc(self.vocab, words=words))
                        child[:] = [self.keys[m] for m, s, e in found if (s, e) == (0, len(words))]
                    node[None] = tuple(child)
                else:
                    finish(child, [*words, word])

        finish(root, [])
        return root

    def _phrase_cues(self, words: list[str], hedges: frozenset[str] | None = None) -> list[tuple[str, str, int, int]]:
        """The PhraseMatcher's matches in one utterance's words, from a trie of dicts instead of a Doc (building
        a Doc of every utterance's words cost more than the matching); and, where up to two hedge words
        (`self.hedges`) stand inside a phrase that does not hold them, after at least its first two words, the
        phrase across them (its span covers the hedges). `hedges=frozenset()` gives the PhraseMatcher's matches
        alone."""
        if self._lower_words:
            words = [w.lower() for w in words]
        skip = self.hedges if hedges is None else hedges
        root = self._phrase_index
        n = len(words)
        cues: list[tuple[str, str, int, int]] = []
        for i, node in enumerate(map(root.get, words)):
            if node is None:  # most words start no phrase
                continue
            j = i + 1
            while node is not None:
                keys = node.get(None)
                if keys is not None:
                    for label, code in keys:
                        cues.append((label, code, i, j))
                if j == n:
                    break
                nxt = node.get(words[j])
                if nxt is None and j - i >= 2 and words[j] in skip:
                    k = j + 1
                    while k < n and k - j < 2 and words[k] in skip and words[k] not in node:
                        k += 1
                    if k < n and words[k] in node:
                        nxt, j = node[words[k]], k
                node = nxt
                j += 1
        return cues

    @staticmethod
    def _token_words(tok: dict[str, Any]) -> set[str]:
        """The words one token of a pattern accepts (its LOWER/NORM/ORTH/TEXT value or IN list)."""
        out: set[str] = set()
        for key in ("LOWER", "NORM", "ORTH", "TEXT"):
            val = tok.get(key)
            if isinstance(val, str):
                out.add(val)
            elif isinstance(val, dict) and isinstance(val.get("IN"), list):
                out.update(str(v) for v in val["IN"])
        if tok.get("IS_DIGIT") is True and len(tok) == 1:
            out.add(DIGITS)  # any number written in digits ("nee, 14 juni")
        return out

    @classmethod
    def _required_words(cls, pattern: list[dict[str, Any]]) -> list[frozenset[str]]:
        """Per required token (no "?", "*" or "!" operator) with a word constraint: the words it accepts."""
        sets = (cls._token_words(tok) for tok in pattern if tok.get("OP") not in {"?", "*", "!"})
        return [frozenset(words) for words in sets if words]

    @classmethod
    def _gate_words(cls, pattern: list[dict[str, Any]]) -> set[str]:
        """Default gate words of a token pattern (no "gate" field): the values of its first required token."""
        for tok in pattern:
            if tok.get("OP") not in {"?", "*"}:
                return cls._token_words(tok)
        return set()

    def _entry(self, key: int) -> tuple[int, tuple[str, ...], str]:
        """Per lower-case form: kind (0 word, 1 punctuation, 2 filler), its words, trailing punctuation."""
        low = self.vocab.strings[key]
        if all(ch in PUNCT_BREAK or not ch.isalnum() for ch in low):
            entry: tuple[int, tuple[str, ...], str] = (1, (), low)
        else:
            # tokens like "nee," or "eh..." that the tokenizer left whole
            core = low.strip('.,!?;:…"')
            trail = low[len(low.rstrip(".,!?;:…")) :]
            core = core.strip("'") if core.strip("'") and core not in self.expand else core
            words = () if core in self.fillers else tuple(self.expand.get(core, (core,)))
            entry = (2 if core in self.fillers else 0, words, trail)
        self._cache[key] = entry
        if entry[0] == 0 and len(entry[1]) == 1 and not entry[2]:
            self._simple[key] = entry[1][0]
        return entry

    def normalise(self, doc: Doc) -> tuple[list[str], list[str]]:
        return self._normalise_keys(doc.to_array(LOWER).tolist())

    def _normalise_keys(self, keys: list[int]) -> tuple[list[str], list[str]]:
        simple_words = list(map(self._simple.get, keys))
        if None not in simple_words:  # about half the texts (raw ASR): plain words only, no punctuation
            return simple_words, [""] * len(simple_words)  # type: ignore[return-value]
        words: list[str] = []
        after: list[str] = []
        cache = self._cache
        simple = self._simple
        for key in keys:
            w = simple.get(key)
            if w is not None:  # the common case: one plain word, nothing trailing
                words.append(w)
                after.append("")
                continue
            entry = cache.get(key) or self._entry(key)
            kind, ws, trail = entry
            if kind == 0:
                for w in ws:
                    words.append(w)
                    after.append("")
            elif kind == 2 and words and not after[-1].endswith(PAUSE):
                after[-1] += PAUSE  # a filler ("eh", "uhm") after this word: a hesitation in raw ASR
            if trail and words:
                after[-1] += trail
        return words, after

    def _match(self, wdoc: Doc) -> list[tuple[str, str, int, int]]:
        keys = self.keys
        cues = self._phrase_cues([t.text for t in wdoc])
        if (
            self.token_patterns_in_pipe
            and self.n_token_patterns
            and (not self.gate_token_patterns or not self.gate.isdisjoint(t.lower_ for t in wdoc))
        ):
            cues.extend((*keys[m], s, e) for m, s, e in self.matcher(wdoc))
        return cues

    def _finish(self, view: CueView, cues: list[tuple[str, str, int, int]]) -> None:
        after = view.after
        # a cue never spans a sentence end ("… echt niet. Ik zei …" holds no "niet ik"); reported speech runs on
        # over the colon that opens the quote ("mijn vader zei altijd: nee, …")
        if any(after):
            cues = [
                c for c in cues
                if c[3] - c[2] < 2
                or not any(after[k] and ends_sentence(after[k].replace(":", "") if c[0] == REPORTED else after[k])
                           for k in range(c[2], c[3] - 1))
            ]
        cues.sort(key=_SPAN)
        view.cues = cues

    def __call__(self, doc: Doc) -> Doc:
        words, after = self.normalise(doc)
        view = CueView(words=words, after=after, weights=self.weights, lex=self.lexicon)
        if words:
            self._finish(view, self._match(Doc(self.vocab, words=words)))
        doc._.nc = view
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Match a whole batch in one Doc (words of consecutive utterances joined by a separator)."""
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _joined(self, views: list[CueView], pick: list[int]) -> tuple[list[str], list[int]]:
        words: list[str] = []
        offsets: list[int] = []
        for k in pick:
            offsets.append(len(words))
            words.extend(views[k].words)
            words.append(SEPARATOR)
        return words, offsets

    def _spread(
        self,
        matches: Iterable[tuple[int, int, int]],
        offsets: list[int],
        pick: list[int],
        views: list[CueView],
        out: list[list[tuple[str, str, int, int]]],
    ) -> None:
        keys = self.keys
        for m, s, e in matches:
            j = bisect_right(offsets, s) - 1
            k = pick[j]
            base = offsets[j]
            if e - base <= len(views[k].words):  # never across the separator
                lab, code = keys[m]
                out[k].append((lab, code, s - base, e - base))

    def _token_matches(self, views: list[CueView], pick: list[int], out: list[list[tuple[str, str, int, int]]]) -> None:
        if not self.n_token_patterns:
            return
        if not self.gate_token_patterns:
            gated = [k for k in pick if views[k].words]
            if gated:
                words, offsets = self._joined(views, gated)
                self._spread(self.matcher(Doc(self.vocab, words=words)), offsets, gated, views, out)
            return
        # which views each gated Matcher runs on: its gate words (an index) first, then its required words
        per_matcher: list[list[int]] = [[] for _ in self.gated_matchers]
        by_word, gate, digit_gates = self._gate_index, self.gate, self._digit_gates
        required = [gates[1:] for gates, _m in self.gated_matchers]
        for k in pick:
            ws = views[k].wordset  # built once per view; the phrase lookups of the rules reuse it
            if digit_gates and any(map(str.isdigit, ws)):
                ws = ws | {DIGITS}
            opened = ws & gate
            if not opened:
                continue
            hits: set[int] = set()
            for w in opened:
                hits.update(by_word[w])
            for mi in sorted(hits):
                for g in required[mi]:
                    if g.isdisjoint(ws):
                        break
                else:  # one of each required token's words is here
                    per_matcher[mi].append(k)
        for (_gates, matcher), gated in zip(self.gated_matchers, per_matcher, strict=True):
            if gated:
                words, offsets = self._joined(views, gated)
                self._spread(matcher(Doc(self.vocab, words=words)), offsets, gated, views, out)

    def add_token_cues(self, views: list[CueView]) -> None:
        """Run the token patterns (Matcher) on these views only, in one batch, and merge their cues.

        The Matcher is the slow part; `detect` calls this for candidate turns only (customer turns),
        when the pipeline was built with token patterns kept out of the pipe (the default).
        """
        out: list[list[tuple[str, str, int, int]]] = [[] for _ in views]
        self._token_matches(views, list(range(len(views))), out)
        for view, extra in zip(views, out, strict=True):
            if extra:
                self._finish(view, view.cues + extra)

    def views(self, docs: list[Doc]) -> list[CueView]:
        """The cue views of a batch of tokenized docs (phrases matched by `_phrase_cues`)."""
        weights, lexicon = self.weights, self.lexicon
        views: list[CueView] = []
        for doc in docs:
            w, a = self.normalise(doc)
            views.append(CueView(words=w, after=a, weights=weights, lex=lexicon))
        return self._match_views(views)

    def _match_views(self, views: list[CueView]) -> list[CueView]:
        per_doc = [self._phrase_cues(v.words) if v.words else [] for v in views]
        if self.token_patterns_in_pipe:
            self._token_matches(views, [k for k, v in enumerate(views) if v.words], per_doc)
        for view, cues in zip(views, per_doc, strict=True):
            if view.words:
                self._finish(view, cues)
        return views

    def views_of_texts(self, texts: list[str]) -> list[CueView]:
        """`views()` of these texts, tokenized as one Doc (far fewer Doc objects).

        spaCy splits on whitespace before anything else, so texts joined by a blank line tokenize as they
        do alone; each token goes back to its text by character offset. Only for clean texts (no leading,
        trailing or repeated whitespace: what `pipeline.normalise` makes), so that the whitespace around
        the seams cannot differ; otherwise the batch is tokenized text by text."""
        chunks = [t.split() for t in texts]  # split once: for this check and for `_prime`
        if not all(map(eq, texts, map(" ".join, chunks))):
            return self.views(list(self._tokenizer.pipe(texts)))
        sep = "\n\n"
        starts: list[int] = []
        pos = 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + len(sep)
        joined = sep.join(texts)
        self._prime(chain.from_iterable(chunks))
        arr = self._tokenizer(joined).to_array([LOWER, IDX])
        keys, offsets = arr[:, 0].tolist(), arr[:, 1].tolist()
        weights, lexicon = self.weights, self.lexicon
        views: list[CueView] = []
        i = 0
        for start, t in zip(starts, texts, strict=True):
            # the tokens from `start` (past the separator's own token) to the text's end; offsets ascend
            i = bisect_left(offsets, start, i)
            j = bisect_left(offsets, start + len(t), i)
            w, a = self._normalise_keys(keys[i:j])
            views.append(CueView(words=w, after=a, weights=weights, lex=lexicon))
            i = j
        return self._match_views(views)

    def _prime(self, chunks: Iterable[str]) -> None:
        """Tokenize each whitespace chunk not seen before on its own, so that spaCy caches it.

        spaCy's tokenizer caches a chunk's tokens only while no special case ("'t", "da's", "neen,") has come up
        earlier in the same call; in a batch of 512 utterances one soon has, and from then on every chunk that
        is not yet cached goes through the prefix/suffix/infix regexes again, on every pass (about two thirds of
        the tokenizer's work). Alone, a chunk is cached unless its own tokens involve a special case. The cache
        is spaCy's own (chunk -> the tokens it splits into, a function of the chunk alone), so the tokens of
        the batch do not change; the chunks are tokenized once more only the first time they are seen. Stops
        once as many chunks are primed as the tokenizer caches (`tokenizer_cache`)."""
        limit = getattr(self._tokenizer, "max_cache_size", 0)
        if len(self._primed) >= limit:
            return
        new = set(chunks)
        new -= self._primed
        for chunk in new:
            self._tokenizer(chunk)
        self._primed.update(new)

    def _batch(self, docs: list[Doc]) -> list[Doc]:
        for doc, view in zip(docs, self.views(docs), strict=True):
            doc._.nc = view
        return docs


if not Doc.has_extension("nc"):
    Doc.set_extension("nc", default=None)


@Language.factory(
    COMPONENT,
    default_config={"patterns_dir": "", "gate_token_patterns": True, "token_patterns_in_pipe": False},
)
def make_cue_matcher(
    nlp: Language, name: str, patterns_dir: str, gate_token_patterns: bool, token_patterns_in_pipe: bool
) -> CueMatcher:
    return CueMatcher(nlp, name, patterns_dir, gate_token_patterns, token_patterns_in_pipe)


def cue_views(nlp: Language, texts: Iterable[str], batch_size: int = 512) -> list[CueView]:
    """The tokenizer and the cue matcher over many texts, returning only the views (`doc._.nc`).

    What `[d._.nc for d in nlp.pipe(texts)]` gives, without keeping Docs or going through spaCy's
    extension attributes (detection reads nothing else of a Doc). Needs the cue component."""
    comp = nlp.get_pipe(COMPONENT)
    if not isinstance(comp, CueMatcher):
        raise TypeError(f"{COMPONENT} is not a CueMatcher")
    out: list[CueView] = []
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            out.extend(comp.views_of_texts(batch))
            batch = []
    if batch:
        out.extend(comp.views_of_texts(batch))
    return out


def add_token_cues(nlp: Language, views: list[CueView]) -> None:
    """Token-pattern cues for these views (see `CueMatcher.add_token_cues`); no-op without the component."""
    if COMPONENT in nlp.pipe_names:
        comp = nlp.get_pipe(COMPONENT)
        if isinstance(comp, CueMatcher) and not comp.token_patterns_in_pipe:
            comp.add_token_cues(views)


def build_nlp(config: NlpSettings | Mapping[str, Any] | None = None) -> Language:
    """A blank Dutch pipeline: tokenizer (large cache) + `neecoach_cues_v1`. Loads nothing remote."""
    settings = config if isinstance(config, NlpSettings) else NlpSettings.from_mapping(config)
    nlp = spacy.blank("nl")
    if hasattr(nlp.tokenizer, "max_cache_size"):
        nlp.tokenizer.max_cache_size = settings.tokenizer_cache
    nlp.add_pipe(COMPONENT, config={"patterns_dir": settings.patterns_dir})
    return nlp
