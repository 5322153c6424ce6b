"""Seeded synthetic corpus of Dutch/Flemish sales calls in the formats teams export (for benchmarks).

Not training data and not realistic language: recombined phrases of realistic length and mix.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SELLER = [
    "Goedemiddag, met {rep} van {co}. Spreek ik met de eigenaar?",
    "Ik bel u even omdat wij bedrijven in de regio helpen met hun {prod}.",
    "Hoe is dat nu bij jullie geregeld?",
    "Hoeveel mensen werken er bij jullie?",
    "Waar lopen jullie op dit moment het meest tegenaan?",
    "Mag ik vragen waarom niet?",
    "Maar wist u dat klanten gemiddeld twintig procent besparen met ons pakket?",
    "Dat snap ik. Dan laat ik het hierbij, fijne dag nog.",
    "Zal ik een vrijblijvende offerte sturen, dan kunt u het rustig bekijken?",
    "Allez, en hoe doet ge dat nu dan met de {prod}?",
    "Wat maakt dat u twijfelt?",
    "We hebben deze maand nog een mooie korting voor nieuwe klanten.",
]
CUSTOMER = [
    "Ja, daar spreekt u mee. Waar gaat het over?",
    "Nee hoor, zeg het maar.",
    "Nee, we zijn al voorzien, dank u.",
    "Stuur maar een mailtje, dan kijk ik er wel naar.",
    "Dat is voor ons echt te duur, daar hebben we geen budget voor.",
    "We zijn met z'n twaalven, vooral monteurs en een paar mensen op kantoor.",
    "Ja nee, dat klopt wel ongeveer.",
    "Neen, da's niks voor ons, we doen dat allemaal zelf.",
    "Dat moet ik echt eerst met mijn compagnon bespreken.",
    "uhm nou eh we hebben daar eigenlijk geen behoefte aan denk ik",
    "Bel na de zomer maar eens terug, nu is het te druk.",
    "Hm, daar zit wat in. Wat kost dat dan ongeveer?",
]
REPS = ["Sanne Bos", "Ruben Claes", "Fleur de Graaf", "Wout Peeters", "Iris Maes", "Daan Kok"]
COS = ["Stroomwijs", "Kantoorplus", "Zonnedak", "Printkracht", "SecurIT", "Fietslease NV"]
PRODS = ["energie", "printers", "zonnepanelen", "beveiliging", "koffie", "salarisadministratie"]
FORMATS = ["txt", "vtt", "srt", "json", "jsonl"]


def _turns(rng: random.Random, rep: str) -> list[tuple[str, str]]:
    n = rng.randint(12, 40)
    co, prod = rng.choice(COS), rng.choice(PRODS)
    turns = []
    for i in range(n):
        if i % 2 == 0:
            text = SELLER[0] if i == 0 else rng.choice(SELLER[1:])
            turns.append((rep.split()[0], text.format(rep=rep, co=co, prod=prod)))
        else:
            turns.append(("Klant", rng.choice(CUSTOMER)))
    return turns


def _render(fmt: str, turns: list[tuple[str, str]]) -> str:
    t = 0.0
    timed = []
    for spk, text in turns:
        dur = max(1.0, len(text.split()) / 2.6)
        timed.append((spk, text, t, t + dur))
        t += dur + 0.4

    def ts(x: float, sep: str = ".") -> str:
        h, rem = divmod(x, 3600)
        m, s = divmod(rem, 60)
        return f"{int(h):02d}:{int(m):02d}:{s:06.3f}".replace(".", sep)

    if fmt == "txt":
        return "".join(f"[{int(a // 60):02d}:{int(a % 60):02d}] {s}: {x}\n" for s, x, a, _ in timed)
    if fmt == "vtt":
        cues = "".join(f"{i}\n{ts(a)} --> {ts(b)}\n<v {s}>{x}</v>\n\n" for i, (s, x, a, b) in enumerate(timed, 1))
        return "WEBVTT\n\n" + cues
    if fmt == "srt":
        return "".join(f"{i}\n{ts(a, ',')} --> {ts(b, ',')}\n{s}: {x}\n\n" for i, (s, x, a, b) in enumerate(timed, 1))
    if fmt == "json":
        segs = [{"start": round(a, 3), "end": round(b, 3), "text": " " + x.lower(),
                 "speaker": "SPEAKER_00" if s != "Klant" else "SPEAKER_01"} for s, x, a, b in timed]
        return json.dumps({"segments": segs}, ensure_ascii=False)
    return "".join(json.dumps({"speaker": s, "text": x, "start": round(a, 3), "end": round(b, 3)},
                              ensure_ascii=False) + "\n" for s, x, a, b in timed)


def generate(folder: Path, n: int, seed: int = 7) -> tuple[int, int]:
    """Write n calls under folder (with a manifest). Returns (bytes, words)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total_bytes = total_words = 0
    rows = ["file,call_id,rep,rep_speaker,date,outcome"]
    for i in range(n):
        rep = rng.choice(REPS)
        fmt = FORMATS[i % len(FORMATS)]
        turns = _turns(rng, rep)
        text = _render(fmt, turns)
        rel = f"calls/{i // 1000:03d}/g{i:06d}.{fmt}"
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total_bytes += len(text.encode("utf-8"))
        total_words += sum(len(x.split()) for _, x in turns)
        speaker = "SPEAKER_00" if fmt == "json" else rep.split()[0]
        day = 1 + i % 28
        rows.append(f"{rel},g{i:06d},{rep},{speaker},2026-10-{day:02d},lost")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return total_bytes, total_words
