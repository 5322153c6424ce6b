"""Small synthetic workspaces (calls, utterances, moments) for aggregate and report tests.

Four call patterns in plain Dutch; every rep sells their own product, so a quote can be traced
to its rep. Two reps carry hostile names, one call carries a script tag, a customer gives a phone
number, an e-mail address, an IBAN and their name.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from pipeline.schema import CALLS, MOMENTS, UTTERANCES, conform

S, C = "seller", "customer"

# Each pattern: turns (role, text), moments (utt_idx, reason, response, asked_why_first,
# response_utt_idx, score, entrenched, after_disqualifier, patience_s), call fields.
PATTERNS: dict[str, dict[str, Any]] = {
    "explore": {
        "turns": [
            (S, "Goedemorgen, u spreekt met {rep_first} over {product}. Hoe is dat nu bij u geregeld?"),
            (C, "Nee, daar hebben we eigenlijk geen behoefte aan, we zijn tevreden met onze {product}."),
            (S, "Wat maakt dat u daar zo tevreden over bent?"),
            (C, "We hebben vorig jaar alles vernieuwd."),
            (S, "Dan begrijp ik het. Mag ik u volgend jaar nog eens bellen over {product}?"),
            (C, "Dat is goed."),
        ],
        "moments": [(1, "no_need", "explore", True, 2, 0.9, False, False, 2.0)],
        "call": {"disqualifiers": [], "discovery_questions_before_first_nee": 1},
        "disc": {0: 1},
    },
    "argue": {
        "turns": [
            (S, "Goedemiddag, ik bel over onze nieuwe {product}."),
            (C, "Nee, dat is veel te duur voor ons, {product} past niet in ons budget."),
            (S, "Maar u verdient die {product} in vijf jaar terug, echt waar."),
            (C, "Nee, echt niet, het budget is er gewoon niet."),
            (S, "Het is een unieke aanbieding voor {product}, alleen deze maand."),
            (C, "Nee, ik hang nu op."),
        ],
        "moments": [
            (1, "budget", "argue", False, 2, 0.8, False, False, 0.5),
            (3, "budget", "argue", False, 4, 0.7, True, True, 0.4),
        ],
        "call": {
            "disqualifiers": ["budget"], "discovery_questions_before_first_nee": 0,
            "disqualifier_utt_idx": 3, "turns_after_disqualifier": 2, "seconds_after_disqualifier": 10.0,
            "kept_pitching_after_disqualifier": True,
        },
        "disc": {},
    },
    "walkaway": {
        "turns": [
            (S, "Waarvoor gebruikt u de {product} vooral?"),
            (C, "Nee sorry, wij hebben alleen vrachtwagens, {product} past niet bij ons."),
            (S, "Dan past ons aanbod inderdaad niet. Bedankt voor uw tijd en nog een fijne dag."),
        ],
        "moments": [(1, "fit", "accept", False, 2, 0.85, False, False, 1.5)],
        "call": {
            "disqualifiers": ["fit"], "discovery_questions_before_first_nee": 1, "disqualifier_utt_idx": 1,
            "turns_after_disqualifier": 1, "seconds_after_disqualifier": 4.0,
            "kept_pitching_after_disqualifier": False,
        },
        "disc": {0: 1},
    },
    "accept": {
        "turns": [
            (S, "Ik bel u over onze {product}."),
            (C, "Nee, geen interesse in {product}."),
            (S, "Oké, dan wens ik u nog een fijne dag."),
        ],
        "moments": [(1, "unknown", "accept", False, 2, 0.6, False, False, 1.0)],
        "call": {"disqualifiers": [], "discovery_questions_before_first_nee": 0},
        "disc": {},
    },
}

ANCHOR = date(2024, 3, 29)  # a Friday; newest call date of the standard workspace

SANNE = "Sanne de Vries"
TOM = "Tom Peeters"
HTML_REP = "<b>Jan</b>"
PATH_REP = "../../etc/x"
PRODUCTS = {SANNE: "zonwering", TOM: "zonnepanelen", HTML_REP: "koffieautomaten", PATH_REP: "printerpapier",
            None: "vloerkleden"}
SECRETS = ("06-12345678", "ron.smit@example.nl", "NL91 ABNA 0417 1643 00", "Ron Smit", "Smit")


def _call(call_id: str, rep: str | None, day: date, pattern: str, customer: str = "Klant",
          turns: list[tuple[str, str]] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                               list[dict[str, Any]]]:
    p = PATTERNS[pattern]
    product = PRODUCTS.get(rep, "stofzuigers")
    rep_first = (rep or "Piet").split()[0]
    texts = turns or [(r, t.format(product=product, rep_first=rep_first)) for r, t in p["turns"]]
    utts = [
        {
            "call_id": call_id, "idx": i, "speaker": (rep or "Verkoper") if role == S else customer,
            "role": role, "start_s": 5.0 * i, "end_s": 5.0 * i + 4.0, "text": text,
            "n_words": len(text.split()), "is_question": "?" in text, "n_questions": text.count("?"),
            "n_discovery": p["disc"].get(i, 0),
        }
        for i, (role, text) in enumerate(texts)
    ]
    moments = [
        {
            "call_id": call_id, "utt_idx": u, "text": texts[u][1], "reason": reason, "response": resp,
            "asked_why_first": awf, "response_utt_idx": ri, "score": score, "evidence": "test",
            "entrenched": ent, "after_disqualifier": adq, "patience_s": pat, "acknowledged": False,
        }
        for (u, reason, resp, awf, ri, score, ent, adq, pat) in p["moments"]
    ]
    call = {
        "call_id": call_id, "source_file": f"{call_id}.txt", "source_sha256": call_id.ljust(64, "0"),
        "format": "plaintext", "rep": rep, "date": day, "n_utterances": len(utts),
        "duration_s": 5.0 * len(utts), "flags": [], **p["call"],
    }
    return call, utts, moments


def workspace() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The standard synthetic workspace: 10 weeks, 2 ranked reps, 2 hostile names, 1 unknown rep."""
    specs: list[tuple[str, str | None, date, str, str, list[tuple[str, str]] | None]] = []
    sanne = ["explore"] * 8 + ["walkaway"] * 2 + ["accept", "argue"]
    for i, pat in enumerate(sanne):
        specs.append((f"s{i:02d}", SANNE, ANCHOR - timedelta(days=6 * i), pat, "Klant", None))
    tom = ["argue"] * 6 + ["explore"] * 2 + ["accept"] * 2
    for i, pat in enumerate(tom):
        specs.append((f"t{i:02d}", TOM, ANCHOR - timedelta(days=1 + 7 * i), pat, "SPEAKER_01", None))
    specs.append((
        "j01", HTML_REP, ANCHOR - timedelta(days=3), "accept", "Ron Smit",
        [
            (S, "Goedemiddag, ik bel over koffieautomaten voor uw kantoor."),
            (C, "Met Ron Smit. Nee, geen interesse. Bel me niet meer op 06-12345678 en mail ook niet naar "
                "ron.smit@example.nl."),
            (S, "Oké meneer Smit, dan wens ik u nog een fijne dag."),
        ],
    ))
    specs.append((
        "j02", HTML_REP, ANCHOR - timedelta(days=20), "argue", "Klant",
        [
            (S, "Goedemiddag, ik bel over koffieautomaten."),
            (C, "Nee, te duur. En mijn IBAN NL91 ABNA 0417 1643 00 krijgt u zeker niet."),
            (S, "Maar de koffieautomaten betalen zichzelf terug."),
            (C, "Nee, echt niet, daar is geen budget voor."),
            (S, "Toch zijn de koffieautomaten de beste keus, echt waar."),
            (C, "Nee, ik hang nu op."),
        ],
    ))
    specs.append((
        "x01", PATH_REP, ANCHOR - timedelta(days=10), "accept", "Klant",
        [
            (S, "Ik bel u over printerpapier."),
            (C, "<script>alert(1)</script> nee, geen printerpapier nodig."),
            (S, "Oké, dan wens ik u nog een fijne dag <img src=x onerror=alert(2)>."),
        ],
    ))
    specs.append(("u01", None, ANCHOR - timedelta(days=5), "explore", "Klant", None))
    calls, utts, moments = [], [], []
    for cid, rep, day, pat, cust, turns in specs:
        c, u, m = _call(cid, rep, day, pat, cust, turns)
        calls.append(c)
        utts.extend(u)
        moments.extend(m)
    return (
        conform(pl.DataFrame(calls, schema_overrides={"date": pl.Date}), CALLS),
        conform(pl.DataFrame(utts), UTTERANCES),
        conform(pl.DataFrame(moments), MOMENTS),
    )
