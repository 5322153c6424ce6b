"""How an utterance and its context become one classifier input — shared by training and inference.

The same function must build the text a model was trained on and the text it reads at run time,
whatever the backend (spaCy bag-of-words or a transformer). Text is lower-cased and stripped of
punctuation and ASR fillers, so tidy transcripts and raw speech recognition look alike; Dutch stop
words (niet, geen, nee, wel, toch) are kept: they carry the meaning. The rep's words are marked with
a prefix so that a bag-of-words model can tell "what the rep said before" from "what the customer said";
the customer's later words (reason) are not.
"""

from __future__ import annotations

import re

FILLERS = frozenset({"eh", "ehm", "uh", "uhm", "um", "euh", "euhm", "hm", "hmm", "mm", "mhm", "ehh", "uhh"})
_WORD = re.compile(r"[\w'’]+")  # the pieces between runs of anything else
_MAX_CONTEXT_WORDS = 24


def words(text: str) -> list[str]:
    """Lower-cased words without punctuation or fillers ("da's" and "'t" stay whole)."""
    low = text.lower().replace("’", "'")
    if "'" not in low:  # most texts: no piece to strip, none empty
        return [w for w in _WORD.findall(low) if w not in FILLERS]
    return [w for w in map(_strip_quotes, _WORD.findall(low)) if w and w not in FILLERS]


def _strip_quotes(w: str) -> str:
    return w.strip("'")


def _marked(text: str, prefix: str) -> str:
    """The last words of the context before a turn, each marked with `prefix`."""
    return " ".join(f"{prefix}{w}" for w in words(text)[-_MAX_CONTEXT_WORDS:])


def moment_input(text: str, before: str = "") -> str:
    """A customer utterance with the rep's turn just before it."""
    return f"{' '.join(words(text))} {_marked(before, 'ctx_')}".strip()


def response_input(reply: str, customer_no: str = "") -> str:
    """The rep's reply to a customer 'nee', with that 'nee' as context."""
    return f"{' '.join(words(reply))} {_marked(customer_no, 'no_')}".strip()


def reason_input(text: str, later_customer: str = "") -> str:
    """A 'nee' moment with what the customer says after it (often the real reason).

    The later words are not marked: "budget" means budget whether it comes in the no or in the answer to
    the rep's why-question, and unmarked words let the model learn each reason word from both places
    (leave-one-author-out over data/train: reason macro-F1 0.75 -> 0.81 for the model alone)."""
    later = words(later_customer)[:_MAX_CONTEXT_WORDS]
    return " ".join([*words(text), *later])
