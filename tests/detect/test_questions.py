"""Unit tests for Dutch/Flemish question detection (own examples; written and raw-ASR style)."""

from __future__ import annotations

import pytest

from pipeline.detect.questions import analyse, with_discovery
from pipeline.nlp import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def q(nlp, text: str):
    view = nlp(text)._.nc
    return with_discovery(view, analyse(view))


@pytest.mark.parametrize(
    ("text", "n_questions"),
    [
        ("Hoeveel vestigingen hebben jullie?", 1),
        ("hoeveel vestigingen hebben jullie", 1),  # wh-start, no question mark
        ("heeft u al een leverancier voor de koffie", 1),  # verb-first + u
        ("hebt ge daar nog vragen over", 1),  # Flemish verb-first + ge
        ("jullie werken nu met papieren roosters toch", 1),  # tag question
        ("Jullie zitten in Gent, of niet?", 1),
        ("ik wilde vragen of jullie openstaan voor een gesprek", 1),  # embedded
        ("top dan stuur ik de bevestiging en heb je verder nog vragen", 1),  # run-on ASR turn
        ("Dan heb je het verschil er binnen een jaar uit.", 0),  # V2 inversion after 'dan' is not a question
        ("weet je wat stuur maar een mailtje", 0),  # discourse marker
        ("Wat vervelend voor je.", 0),  # exclamation
        ("Dat doe ik zelf.", 0),
        ("Wat doen jullie nu met de planning? En hoe lang kost dat per week?", 2),
        ("oké eh mag ik u dan ook wat folders eh meesturen", 1),  # "wat" + noun is "some", no second question
        ("dank u wel eh wat kost dat nu", 1),  # "wat" + verb after a hesitation still opens one
    ],
)
def test_question_count(nlp, text: str, n_questions: int) -> None:
    assert q(nlp, text).n_questions == n_questions


@pytest.mark.parametrize(
    ("text", "n_discovery"),
    [
        ("Hoe regelen jullie de planning nu?", 1),
        ("waar lopen jullie het meest tegenaan", 1),
        ("Met hoeveel mensen werkt u?", 1),
        ("Mag ik vragen hoe jullie de inkoop organiseren?", 1),
        ("Heeft u even tijd?", 0),  # closed check
        ("Wat is je mailadres?", 0),  # logistics
        ("Wat vindt u ervan?", 0),  # feedback on an offer
        ("Heb je verder nog vragen?", 0),  # closing
        ("Zal ik een offerte sturen?", 0),  # proposal
        ("Hoe was de vakantie, nog een beetje bijgekomen?", 0),  # small talk (DQ102)
        ("en hoe ging de wedstrijd zaterdag", 0),
        ("Hoe is het weer daar aan de kust?", 0),
        ("Goed. Hoe gaat het met u?", 0),
        ("Hoe is de kerstvakantie verlopen bij jullie?", 0),
        ("hoe gaat het in de winter met de verwarming van de kassen", 1),  # a season, but about their situation
        ("Hoe is het daar nu geregeld met de roosters?", 1),
        ("goeiemiddag met jan van stroomwerk hoe is 't", 0),  # a bare greeting (DQ102)
        ("Hoe gaat het ermee?", 0),
        ("Hoe is het nu bij jullie geregeld?", 1),  # "hoe is het" with a topic behind it
        ("Hoe is het onderhoud van de liften nu geregeld?", 1),
        ("Goedemiddag, met Sanne van Wasplaza, waarmee kan ik u helpen?", 0),  # a service opener, no discovery
        ("oké eh wat kan ik voor u doen", 0),
        ("fijn dat u even tijd heeft eh hoe plannen jullie de ritten nu", 1),  # a wh-word after a hesitation
        ("ik snap eh wat u bedoelt", 0),
        # raw ASR, questions running on inside a turn
        ("ik zal snel zijn hoe oud is uw dak ongeveer", 1),
        ("dan hou ik het kort hoe plannen jullie nu de ritten", 1),
        # a question straight after a short one is one question in two parts (DQ103), as the same words with
        # punctuation would be one sentence; after a longer stretch (which may hold a statement) it counts again
        ("en hoe is de winkel ingericht met hoeveel mensen staan jullie achter de toonbank", 1),
        ("hoe is de marketing nu verdeeld wie doet wat", 1),
        ("hoe plannen jullie nu de ritten wij doen dat zelf met een app en hoeveel wagens hebben jullie", 2),
        ("zou het helpen als ik een onderbouwing stuur wat het kost en wanneer je het terugverdient", 0),
        ("maar reken eens mee hoeveel stroom ge nu verliest", 0),  # verb-final: no question
        ("hoe houdt u nu bij waar uw wagens zijn", 1),  # "bij waar" is no second question
        ("en zou een abonnement niet wat voor u zijn", 0),
    ],
)
def test_discovery(nlp, text: str, n_discovery: int) -> None:
    assert q(nlp, text).n_discovery == n_discovery


@pytest.mark.parametrize(
    ("text", "n_questions"),
    [
        # raw ASR: a short fronted phrase explains the inversion of a statement
        ("met onze app bent u elke week een uur eerder klaar", 0),
        ("bij ons krijgt u de eerste maand gratis", 0),
        ("voor de rest heeft u nog vragen", 1),
    ],
)
def test_fronted_phrase_is_no_question(nlp, text: str, n_questions: int) -> None:
    assert q(nlp, text).n_questions == n_questions


def test_fillers_do_not_break_questions(nlp) -> None:
    assert q(nlp, "eh hoe uhm hoe ziet jullie week eruit").n_questions >= 1


def test_normalisation_keeps_stop_words(nlp) -> None:
    view = nlp("Nee, da's niet nodig, 't is goed zo eh.")._.nc
    assert view.words[:4] == ["nee", "dat", "is", "niet"]
    assert "eh" not in view.words
    assert "REFUSAL" in view.labels()
