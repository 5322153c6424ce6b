from __future__ import annotations

from pathlib import Path

from pipeline.config import CONFIG_DIR
from pipeline.labels import Role, RoleSource
from pipeline.raw import RawSegment
from pipeline.roles import Roster, decide_roles, load_role_rules

RULES = load_role_rules(CONFIG_DIR / "roles.toml")


def segs(*pairs: tuple[str, str]) -> list[RawSegment]:
    return [RawSegment(text=t, speaker=s) for s, t in pairs]


def test_inference_finds_the_caller_nl() -> None:
    call = segs(
        ("A", "Bakkerij Verhoef, goedemorgen, met Ans."),
        ("B", "Goedemorgen Ans, met Youssef van Printwijs. Ik bel even over uw drukwerk."),
        ("A", "Waar gaat het over?"),
    )
    d = decide_roles(call, None, RoleSource.MANIFEST, Roster(), RULES)
    assert d.rep_speaker == "B" and d.source is RoleSource.INFERRED
    assert d.role_of("A") is Role.CUSTOMER


def test_inference_raw_asr_flemish() -> None:
    call = segs(
        ("SPEAKER_00", "ja hallo"),
        ("SPEAKER_01", "dag mevrouw u spreekt met kobe peeters van zonnig dak ik bel u eens in verband met uw dak"),
        ("SPEAKER_00", "allez vertel"),
    )
    assert decide_roles(call, None, RoleSource.MANIFEST, Roster(), RULES).rep_speaker == "SPEAKER_01"


def test_metadata_wins_and_first_name_matches() -> None:
    call = segs(("Eva de Wit", "Hallo."), ("Tom", "Dag."))
    d = decide_roles(call, "eva", RoleSource.MANIFEST, Roster(), RULES)
    assert (d.rep_speaker, d.source) == ("Eva de Wit", RoleSource.MANIFEST)


def test_roster_then_generic_labels(tmp_path: Path) -> None:
    call = segs(("Klant", "Hallo."), ("Noor", "Dag, met Noor."))
    roster = Roster({"noor": "Noor Smit"})
    d = decide_roles(call, None, RoleSource.MANIFEST, roster, RULES)
    assert (d.rep_speaker, d.rep_name, d.source) == ("Noor", "Noor Smit", RoleSource.ROSTER)
    d2 = decide_roles(call, None, RoleSource.MANIFEST, Roster(), RULES)
    assert (d2.rep_speaker, d2.source) == ("Noor", RoleSource.GENERIC_LABEL)


def test_three_speakers_all_others_are_customer() -> None:
    call = segs(
        ("Receptie", "Goedemiddag, Van Dam Bouw."),
        ("Lars", "Dag, met Lars van Veilig Werk. Kan ik meneer Van Dam spreken?"),
        ("Kees van Dam", "Ja, met Kees."),
    )
    d = decide_roles(call, None, RoleSource.MANIFEST, Roster(), RULES)
    assert d.rep_speaker == "Lars"
    assert {d.role_of("Receptie"), d.role_of("Kees van Dam")} == {Role.CUSTOMER}
