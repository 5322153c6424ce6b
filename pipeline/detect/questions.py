"""Dutch and Flemish question detection that does not need a question mark.

Rules (codes documented in docs/rules.md):

- QU101 a clause that ends in "?".
- QU102 a wh-word at the start of a clause ("wat", "hoe", "hoeveel", "welke", "waar", "wanneer", "waarom",
  "wie", "hoezo", "waarmee", ...) followed by a verb or a pronoun, not an exclamation ("wat vervelend").
- QU103 verb-first order: a finite verb opening a clause, followed by a second-person subject
  ("heeft u", "heb je", "zou je", "bent u", "hebben jullie", Flemish "hebt ge", "zijt gij"), or a
  first-person offer ("zal ik", "mag ik", "zullen we").
- QU104 a tag question closing a clause: "toch", "of niet", "hè", "niet waar", "klopt dat", "right", "ja?".
- QU105 an embedded question: "ik wilde vragen of", "ik ben benieuwd wat", "mag ik vragen hoe".

Text with sentence punctuation is trusted: a clause is a question when it ends in "?" (QU101) or
embeds one (QU105). Raw speech recognition has no punctuation; there a clause starts at the utterance
start, after a comma, or after a discourse particle ("en", "oké", "ja", "top", "dus", "of" ...), and the
structural rules QU102–QU104 find the questions.

A discovery question (DQ101) is an open question of the seller about the customer's situation or
needs: a wh-question that addresses the customer (u/je/jullie/uw/jouw, or their company), that is not
logistics (address, date, time), not feedback on an offer ("wat vindt u ervan?", "hoe klinkt dat?"),
not small talk (DQ102: "hoe was de kerst?", "hoe is het weer daar?", "hoe gaat het met u?") and carries
no pitch (price, discount, benefit).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.nlp import PAUSE, CueView, Lexicon, ends_sentence


@dataclass(frozen=True, slots=True)
class QLex:
    """The word lists of the question rules (section `questions` of configs/patterns/lexicon.json)."""

    wh: frozenset[str]
    finite: frozenset[str]
    second_person: frozenset[str]
    subject_2p: frozenset[str]
    pronouns: frozenset[str]
    offer_verbs_1p: frozenset[str]
    particles: frozenset[str]
    exclam: frozenset[str]
    not_q_after_v: frozenset[str]
    tags: frozenset[str]
    tags_strong: frozenset[str]
    tag_pairs: tuple[tuple[str, ...], ...]
    embed_triggers: tuple[tuple[str, ...], ...]
    embed_heads: frozenset[str]
    feedback: tuple[tuple[str, ...], ...]
    company: frozenset[str]
    inversion: frozenset[str]
    prepositions: frozenset[str]
    embedders: frozenset[str]
    impersonal_v: frozenset[str]
    discourse_alone: frozenset[str]
    smalltalk_verbs: frozenset[str] = frozenset()
    smalltalk_topics: frozenset[str] = frozenset()
    smalltalk_now: frozenset[str] = frozenset()  # topics small talk asks about in the present: weather, traffic
    greeting_verbs: frozenset[str] = frozenset()  # "hoe is/gaat het": a greeting without a topic
    greeting_tails: frozenset[str] = frozenset()  # what may follow it ("hoe gaat het ermee", "hoe is het daar")
    noun_wh: frozenset[str] = frozenset()  # wh-words that take a noun: "hoeveel mensen", "welke software"
    determiners: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()  # a question can only start on one of these (wh, finite, preposition)
    embed_words: frozenset[str] = frozenset()  # `embed_heads` and the first words of `embed_triggers`: an embedded
    # question needs one
    openers_1p: tuple[tuple[str, ...], ...] = ()  # phone openers asked in the first person: "spreek ik met …"
    opener_firsts: frozenset[str] = frozenset()  # their first words
    subordinate_subjects: frozenset[str] = frozenset()  # a subject right after a wh-word: subordinate order
    runon_impersonal: frozenset[str] = frozenset()  # "zou/klopt/lukt … het" opens a question inside run-on ASR

    @classmethod
    def build(cls, lex: Lexicon) -> QLex:
        def w(name: str) -> frozenset[str]:
            return lex.words("questions." + name)

        def seqs(name: str) -> tuple[tuple[str, ...], ...]:
            return tuple(tuple(p.split()) for p in lex.phrases("questions." + name))

        openers = seqs("opener_phrases_1p")
        opener_firsts = frozenset(t[0] for t in openers if t)
        return cls(
            wh=w("wh"),
            finite=w("finite"),
            second_person=w("second_person"),
            subject_2p=w("subject_2p"),
            pronouns=w("second_person") | w("pronouns_extra"),
            offer_verbs_1p=w("offer_verbs_1p"),
            particles=w("particles"),
            exclam=w("exclamation_after_wh"),
            not_q_after_v=w("not_question_after_verb"),
            tags=w("tags"),
            tags_strong=w("tags_strong"),
            tag_pairs=seqs("tag_pairs"),
            embed_triggers=seqs("embed_triggers"),
            embed_heads=w("embed_heads"),
            feedback=seqs("feedback"),
            company=w("company"),
            inversion=w("inversion"),
            prepositions=w("prepositions"),
            embedders=w("embedders"),
            impersonal_v=w("impersonal_verbs"),
            discourse_alone=w("discourse_verbs_alone"),
            smalltalk_verbs=w("smalltalk_verbs"),
            smalltalk_topics=w("smalltalk_topics"),
            smalltalk_now=w("smalltalk_now_topics"),
            greeting_verbs=w("greeting_verbs"),
            greeting_tails=w("greeting_tails"),
            noun_wh=w("noun_wh"),
            determiners=w("determiners"),
            starters=w("wh") | w("finite") | w("prepositions") | w("runon_impersonal") | opener_firsts,
            embed_words=w("embed_heads") | frozenset(t[0] for t in seqs("embed_triggers") if t),
            openers_1p=openers,
            opener_firsts=opener_firsts,
            subordinate_subjects=w("subordinate_subjects"),
            runon_impersonal=w("runon_impersonal"),
        )


def qlex(view: CueView) -> QLex:
    return view.lex.bundle("questions", QLex.build)


FRONT_CONJ = frozenset({"en", "maar", "dus", "want"})  # may open a sentence before its fronted phrase


# Clause and QuestionInfo are named tuples, not frozen dataclasses: every utterance makes them, and a frozen
# dataclass sets each field through object.__setattr__ (about three times the cost of building a tuple)
class Clause(NamedTuple):
    start: int
    end: int
    is_question: bool
    kind: str  # "wh", "yesno", "tag", "embedded", "" (not a question)
    rule: str  # QU1xx code, "" when not a question


class QuestionInfo(NamedTuple):
    clauses: tuple[Clause, ...]
    is_question: bool
    n_questions: int
    n_discovery: int
    punctuated: bool

    def questions(self) -> list[Clause]:
        return [c for c in self.clauses if c.is_question]

    def last_question(self) -> Clause | None:
        for c in reversed(self.clauses):
            if c.is_question:
                return c
        return None


NO_CLAUSES = QuestionInfo((), False, 0, 0, False)  # an utterance without words (immutable: one object will do)


def _segments(view: CueView) -> list[tuple[int, int]]:
    """Sentences: split after strong punctuation (. ? ! ; : and ellipses)."""
    out: list[tuple[int, int]] = []
    start = 0
    n = len(view.words)
    for i, a in enumerate(view.after):
        if a and i + 1 < n and ends_sentence(a):
            out.append((start, i + 1))
            start = i + 1
    if start < n:
        out.append((start, n))
    return out


def _fronted_phrase(L: QLex, words: list[str], s: int, i: int) -> bool:
    """Raw ASR: the sentence opens with a short prepositional phrase and the verb follows it, so the inversion
    is a statement's ("met onze vaatwasser bent u eerder klaar"), not a question's; "voor de rest heeft u nog
    vragen" still asks."""
    if words[s] in FRONT_CONJ:  # "en voor vier controles betaalt u …"
        s += 1
    return (
        1 < i - s <= 4
        and words[s] in L.prepositions
        and (words[s + 1] in L.determiners or words[s + 1].isdigit())
        and "rest" not in words[s:i]
    )


def _some(L: QLex, words: list[str], i: int) -> bool:
    """ "wat" as "some" before a noun, not a question word ("mag ik u eh wat informatie meesturen"): the word
    after it is no verb (finite, or ending in -t/-en), subject or "voor" ("wat voor …")."""
    if words[i] != "wat" or i + 1 >= len(words):
        return False
    nxt = words[i + 1]
    return not (nxt in L.finite or nxt.endswith(("t", "en")) or nxt in L.subject_2p or nxt in L.subordinate_subjects
                or nxt == "voor")


def _clause_start(L: QLex, words: list[str], after: list[str], s: int, i: int, punctuated: bool = True) -> bool:
    if i == s:
        return True
    if not punctuated and _some(L, words, i):
        return False
    if words[i - 1] in L.particles or "," in after[i - 1]:
        return True
    if PAUSE in after[i - 1] and words[i] in L.wh and words[i - 1] not in L.embedders:
        # raw ASR: a wh-word after a hesitation opens a question ("dank u wel eh hoe vangen jullie dat nu op")
        return True
    if (
        not punctuated
        and words[i] in L.finite
        and i + 1 < len(words)
        and words[i + 1] in L.subject_2p
        and words[i - 1] not in L.inversion
        and not _fronted_phrase(L, words, s, i)
    ):
        # raw ASR runs sentences together ("je krijgt een uitnodiging van me heb je nog vragen"):
        # verb + "je/u" opens a question unless an adverb or conjunction before it, or a short fronted phrase
        # ("met onze app bent u …"), explains the inversion
        return True
    if (
        not punctuated
        and words[i] in L.runon_impersonal
        and i + 2 < len(words)
        and words[i + 1] in ("het", "dat", "dit")
        and words[i - 1] not in L.inversion
        and not _fronted_phrase(L, words, s, i)
    ):
        # raw ASR: a conditional offer or a check runs on from the turn ("… tijd over zou het interessant zijn
        # om …", "… een afspraak te maken klopt het dat uw nummer …"; `questions.runon_impersonal`)
        return True
    if not punctuated and words[i - 1] not in L.inversion and _opener_1p(L, words, i):
        # raw ASR: the phone opener runs on from the greeting ("goedemorgen, … van Stroomwerk spreek ik met …")
        return True
    if (
        not punctuated
        and words[i] in L.offer_verbs_1p
        and i + 2 < len(words)
        and words[i + 1] in {"ik", "we", "wij"}
        and words[i - 1] not in L.inversion
        and words[i - 1] not in L.finite
    ):
        # raw ASR: an offer runs on from the pitch ("… ook in kindermaten zal ik die ook meebrengen")
        return True
    if words[i - 1] in L.embedders:
        return False  # embedded: "weet u wat het kost", "ik zie hoe druk het is"
    if (
        not punctuated
        and words[i] in L.prepositions
        and i + 2 < len(words)
        and (words[i + 1] in L.noun_wh or words[i + 1] == "wie")
        and words[i - 1] not in L.prepositions
    ):
        # raw ASR: "… ingericht met hoeveel mensen zitten jullie daar"
        return True
    # raw ASR: a wh-word directly followed by a finite verb opens a question wherever it stands
    # ("gefeliciteerd wat betekent dat voor jullie"); so does one whose verb or subject comes one word later
    # ("ik zal snel zijn hoe oud is uw huis", "dan hou ik het kort hoe bezorgen jullie nu de bloemen")
    if words[i] not in L.wh or i + 1 >= len(words):
        return False
    nxt = words[i + 1]
    if nxt in L.finite or (nxt.endswith("t") and len(nxt) > 4):
        return True
    if punctuated or i + 2 >= len(words):
        return False
    # "hoe oud is uw huis", "hoe vaak komt de monteur"; not the verb-final "(ik leg uit) hoe het werkt"
    if words[i] == "hoe" and words[i + 2] in L.finite and nxt not in L.subordinate_subjects:
        return True
    # verb-second main clause: "hoe bezorgen jullie …", "waar rijden jullie …"; not the verb-final "hoeveel
    # verf ge verspilt" nor "… niet wat voor u zijn"
    verb = nxt.endswith(("en", "t")) and nxt != "niet"
    return verb and words[i + 2] in L.subject_2p and words[i] not in L.noun_wh


def _starts_question(L: QLex, words: list[str], i: int, end: int) -> tuple[str, str]:
    """(kind, rule) when a question starts at word i of a clause ending at `end`, else ("", "")."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < end else ""
    # "met hoeveel mensen werkt u", "voor welke rollen…", "met wie", "met wat werkt ge"; not a separable verb's
    # particle before an embedded "hoe" ("dan leg ik even uit hoe het werkt")
    if w in L.prepositions and (nxt in L.noun_wh or nxt in {"wie", "wat"}) and i + 2 < end:
        w, nxt, i = nxt, words[i + 2], i + 1
    if w in L.wh:
        if not nxt or nxt in L.exclam:
            return ("", "")
        window = words[i + 1 : min(end, i + 6)]
        if any(x in L.finite or x in L.pronouns for x in window) or w in {"waarom", "hoezo"}:
            return ("wh", "QU102")
        return ("", "")
    if w == "wat" or nxt == "":
        return ("", "")
    if _opener_1p(L, words, i):
        return ("yesno", "QU103")
    if w in L.finite or w in L.runon_impersonal:
        if nxt in L.subject_2p:
            after = words[i + 2] if i + 2 < end else ""
            if after in L.not_q_after_v or (w in L.discourse_alone and i + 2 >= end):
                return ("", "")
            return ("yesno", "QU103")
        if nxt in {"ik", "we", "wij"} and w in L.offer_verbs_1p | {"zullen"} and i + 2 < end:
            return ("yesno", "QU103")
        impersonal = w in L.impersonal_v or (i + 2 < end and words[i + 2] in L.second_person)
        if nxt in {"het", "dat", "er", "dit"} and i + 2 < end and impersonal:
            return ("yesno", "QU103")
    return ("", "")


def _opener_1p(L: QLex, words: list[str], i: int) -> bool:
    """QU103 a first-person phone opener: "spreek ik met …", "stoor ik?", "ben ik bij …" (`opener_phrases_1p`)."""
    if words[i] not in L.opener_firsts:
        return False
    return any(tuple(words[i : i + len(p)]) == p for p in L.openers_1p)


def _embedded(L: QLex, words: list[str], s: int, e: int) -> bool:
    seg = words[s:e]
    for j, w in enumerate(seg[:-1]):
        nxt2 = seg[j + 2] if j + 2 < len(seg) else ""
        if w in L.embed_heads and (seg[j + 1] == "of" or seg[j + 1] in L.wh or nxt2 in L.wh):
            return True
    if L.embed_words.isdisjoint(seg):
        return False
    return any(_has(seg, t) for t in L.embed_triggers)


def _embedded_wh(L: QLex, words: list[str], s: int, e: int) -> int | None:
    """Position of an embedded wh-question: "mag ik vragen waarom…", "ik ben benieuwd wat…"."""
    for j in range(s, e - 1):
        if words[j] in L.embed_heads:
            for k in (j + 1, j + 2):
                if k < e and words[k] in L.wh:
                    return k
    return None


def _tag(L: QLex, words: list[str], s: int, e: int, mark: bool) -> bool:
    last = words[e - 1]
    if e - s >= 3 and last in L.tags_strong:
        return True
    if e - s >= 3 and tuple(words[e - 2 : e]) in L.tag_pairs:
        return True
    return mark and last in L.tags


def analyse(view: CueView) -> QuestionInfo:
    """Clauses of one utterance and which of them are questions (no model, no punctuation needed)."""
    words = view.words
    if not words:
        return NO_CLAUSES
    L = qlex(view)
    starters = L.starters
    marks = "".join(view.after)
    punctuated = "." in marks or "?" in marks or "!" in marks
    clauses: list[Clause] = []
    after = view.after
    # `_starts_question` says no unless the word is a starter: only these positions get the clause test
    starter_at = [i for i, w in enumerate(words) if w in starters]
    # `_embedded` and `_embedded_wh` need an embedding word: without one, skip them for every sentence
    may_embed = not L.embed_words.isdisjoint(words)
    for s, e in _segments(view):
        mark = "?" in after[e - 1]
        starts: list[tuple[int, str, str]] = []
        for i in starter_at[bisect_left(starter_at, s) : bisect_left(starter_at, e)]:
            if _clause_start(L, words, after, s, i, punctuated):
                kind, rule = _starts_question(L, words, i, e)
                if (
                    kind == "wh"
                    and starts
                    and not punctuated
                    and i + 1 < e
                    and words[i + 1] in L.subordinate_subjects
                    and words[i] not in ("waarom", "hoezo")
                ):
                    # raw ASR: a wh-word with its subject right behind it has subordinate order and goes on
                    # the question before it ("zou het helpen als … wat het kost en wanneer je het terugverdient")
                    continue
                if kind:
                    # one question per sentence in punctuated text; in raw ASR a start close behind another
                    # belongs to it ("met hoeveel mensen zitten jullie daar" is one question)
                    if starts and (punctuated or i - starts[-1][0] < (4 if starts[-1][1] == "wh" else 3)):
                        continue
                    starts.append((i, kind, rule))
        emb_wh = _embedded_wh(L, words, s, e) if may_embed else None
        if emb_wh is not None and (not starts or starts[0][1] != "wh"):
            starts = [(emb_wh, "wh", "QU105")]
        if punctuated:
            if mark:
                if starts:
                    i, kind, rule = starts[0]
                    clauses.append(Clause(s, e, True, kind, "QU101" if kind != "wh" else rule))
                else:
                    kind = "tag" if _tag(L, words, s, e, True) else "yesno"
                    clauses.append(Clause(s, e, True, kind, "QU101"))
            elif may_embed and _embedded(L, words, s, e):
                clauses.append(Clause(s, e, True, "embedded", "QU105"))
            elif not any(ch in ".!" for ch in after[e - 1]) and _tag(L, words, s, e, False):
                clauses.append(Clause(s, e, True, "tag", "QU104"))
            else:
                clauses.append(Clause(s, e, False, "", ""))
            continue
        # unpunctuated (raw ASR): every question start opens a new clause
        if not starts and may_embed and _embedded(L, words, s, e):
            starts.append((s, "embedded", "QU105"))
        if not starts and _tag(L, words, s, e, mark):
            starts.append((s, "tag", "QU104"))
        if not starts:
            clauses.append(Clause(s, e, False, "", ""))
            continue
        if starts[0][0] > s:
            clauses.append(Clause(s, starts[0][0], False, "", ""))
        for k, (i, kind, rule) in enumerate(starts):
            stop = starts[k + 1][0] if k + 1 < len(starts) else e
            clauses.append(Clause(i, stop, True, kind, rule))
    qs = [c for c in clauses if c.is_question]
    return QuestionInfo(tuple(clauses), bool(qs), len(qs), 0, punctuated)


def _has(seq: list[str], pattern: tuple[str, ...]) -> bool:
    n = len(pattern)
    if n and pattern[0] not in seq:  # most patterns: their first word is not here (a scan in C)
        return False
    return any(tuple(seq[j : j + n]) == pattern for j in range(len(seq) - n + 1))


def is_discovery(view: CueView, clause: Clause, cue_labels_in_clause: set[str]) -> bool:
    """DQ101: an open question about the customer's situation or needs (see module doc)."""
    if not clause.is_question:
        return False
    seg = view.words[clause.start : clause.end]
    L = qlex(view)
    if clause.kind == "embedded":
        if not any(w in L.wh for w in seg):
            return False
    elif clause.kind != "wh":
        return False
    if cue_labels_in_clause & {"LOGISTICS", "CLOSING_Q", "ARGUE", "NEG_POLAR_Q", "SMALLTALK"}:
        return False
    if _small_talk(seg, L):
        return False
    return not any(_has(seg, f) for f in L.feedback)


def _small_talk(seg: list[str], L: QLex) -> bool:
    """DQ102: a bare greeting ("hoe is 't?", "hoe gaat het ermee?": `questions.greeting_verbs` and
    `questions.greeting_tails`; "hoe is het nu geregeld?" is discovery); "hoe was de kerst?", "hoe ging de wedstrijd
    zaterdag", "hoe is de vakantie verlopen?", "hoe is het weer daar?": a "hoe" question about an event, the weather
    or the traffic (`questions.smalltalk_topics`), in the past tense (`questions.smalltalk_verbs`) or about the
    weather or traffic (`questions.smalltalk_now_topics`). "Hoe gaat het in de winter met de verwarming?" asks about
    their situation. Fixed greetings ("hoe gaat het met u?") and service openers ("waarmee kan ik u helpen?") are
    SMALLTALK phrase patterns."""
    if "hoe" not in seg[:3]:
        return False
    at = seg.index("hoe")
    if (
        seg[at + 1 : at + 2] and seg[at + 1] in L.greeting_verbs and seg[at + 2 : at + 3] == ["het"]
        and all(w in L.greeting_tails for w in seg[at + 3 :])
    ):
        return True  # a bare greeting: "hoe is 't", "hoe gaat het ermee"; not "hoe is het nu geregeld?"
    topic = next((w for w in seg[at : at + 6] if w in L.smalltalk_topics), None)
    if topic is None:
        return False
    return topic in L.smalltalk_now or any(w in L.smalltalk_verbs for w in seg)


def with_discovery(view: CueView, info: QuestionInfo) -> QuestionInfo:
    """The same analysis with `n_discovery` filled in (seller utterances only).

    DQ103 in raw ASR, a discovery question that runs straight on from a short one (at most eight words: "hoe is
    het nu verdeeld wie doet wat", "hoe ziet uw bedrijf eruit met hoeveel mensen werkt u") is one question in two
    parts, as the same words with punctuation would be one sentence. Without punctuation a question runs on to the
    next question start, so a longer one may hold a statement, and the next question counts again."""
    n = 0
    run_end = -1  # end of the discovery question just counted, in unpunctuated text
    for c in info.questions():
        labels = {lab for lab, _code, s, e in view.cues if s < c.end and e > c.start}
        if is_discovery(view, c, labels):
            if c.start != run_end:
                n += 1
            if not info.punctuated and c.end - c.start <= 8:
                run_end = c.end
        else:
            run_end = -1
    if n == info.n_discovery:  # immutable and unchanged: no copy
        return info
    return QuestionInfo(info.clauses, info.is_question, info.n_questions, n, info.punctuated)
