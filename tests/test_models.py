"""Training and model directories: spaCy default, a tiny local transformer, label checks, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import UsageError
from pipeline.modelstore import load_classifier, read_info
from pipeline.train.runner import train_from_config

REFUSALS = ["nee dank je, geen interesse", "stuur maar een mailtje", "we zijn al voorzien hoor",
            "da's niks voor ons", "laat maar zitten", "dat is ons echt te duur", "neen, daar doen we niet aan mee",
            "bel na de zomer maar terug", "dat beslist mijn baas", "we hebben dat echt niet nodig"]
HARMLESS = ["nee hoor, ga je gang", "ja nee, dat klopt", "nee wacht, ik bedoel vrijdag", "oh nee, wat vervelend",
            "nee, verder niet, dank je", "ja dat is goed", "we zijn met z'n vijven", "wat kost dat dan?",
            "nee, dat is mijn compagnon", "hm, daar zit wat in"]
REPLIES = {"explore": "mag ik vragen waarom niet?", "argue": "maar wist u dat u dertig procent bespaart?",
           "accept": "oké, dan laat ik het hierbij, fijne dag"}
REASONS = ["budget", "fit", "timing", "authority", "competitor", "no_need", "unknown"]


def write_data(folder: Path) -> None:
    folder.mkdir(parents=True)
    rows = []
    n = 0
    for rep in range(3):
        for i, text in enumerate(REFUSALS):
            n += 1
            resp = list(REPLIES)[(i + rep) % 3]
            rows.append({"id": f"m{n}", "context": [{"role": "seller", "text": "zal ik een offerte sturen?"}],
                         "text": text, "next": [{"role": "seller", "text": REPLIES[resp]}],
                         "moment": True, "reason": REASONS[(i + rep) % 7], "response": resp})
        for text in HARMLESS:
            n += 1
            rows.append({"id": f"m{n}", "context": [{"role": "seller", "text": "hoe gaat het met de zaak?"}],
                         "text": text, "next": [], "moment": False, "reason": None, "response": None})
    (folder / "moments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def write_config(tmp: Path, **train: object) -> Path:
    write_data(tmp / "data")
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in train.items())
    cfg = tmp / "train.toml"
    cfg.write_text(
        f'[data]\nsources = [{{ kind = "neecoach", path = "{tmp / "data"}" }}]\n'
        f"[train]\nseed = 3\nval_fraction = 0.3\nmax_epochs = 6\npatience = 2\n{extra}"
        f'[output]\nroot = "{tmp / "models"}"\nversion = "t1"\ntasks = ["moment", "response"]\n',
        encoding="utf-8",
    )
    return cfg


def test_spacy_training_is_reproducible_and_self_describing(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    first = train_from_config(cfg)
    metrics1 = json.loads((tmp_path / "models/moment/t1/metrics.json").read_text())
    again = train_from_config(cfg, out_root=tmp_path / "again")
    metrics2 = json.loads((tmp_path / "again/moment/t1/metrics.json").read_text())
    assert metrics1 == metrics2
    assert first["moment"]["validation"] == again["moment"]["validation"]
    d = tmp_path / "models/moment/t1"
    for name in ("meta.json", "metrics.json", "model-card.md", "model"):
        assert (d / name).exists()
    assert not list(d.rglob("*.pkl")) and not list(d.rglob("*.pickle"))
    info = read_info(d, "moment")
    assert info.labels == ("moment", "no_moment") and info.backend == "spacy-bow"
    probs = load_classifier(d, "moment").predict_proba(["stuur maar een mailtje ctx_offerte"])
    assert set(probs[0]) == {"moment", "no_moment"}
    assert abs(sum(probs[0].values()) - 1.0) < 1e-4


def test_model_with_wrong_labels_is_refused(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    train_from_config(cfg, tasks=["response"])
    d = tmp_path / "models/response/t1"
    meta = json.loads((d / "meta.json").read_text())
    meta["labels"] = ["explore", "argue", "accept", "maybe"]
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(UsageError) as err:
        load_classifier(d, "response")
    assert err.value.code.value == "E402"
    with pytest.raises(UsageError):
        load_classifier(d, "moment")  # wrong task as well


def _tiny_bert(folder: Path) -> Path:
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = sorted({w for t in REFUSALS + HARMLESS + list(REPLIES.values()) for w in t.replace(",", " ").split()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *(f"ctx_{w}" for w in words),
             *(f"no_{w}" for w in words)]
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=2)
    BertForSequenceClassification(config).save_pretrained(str(folder), safe_serialization=True)
    tok.save_pretrained(str(folder))
    return folder


def test_tiny_local_transformer_trains_saves_and_reloads(tmp_path: Path) -> None:
    base = _tiny_bert(tmp_path / "tiny-bert")
    cfg = write_config(tmp_path, epochs=1, batch_size=8)
    result = train_from_config(cfg, base_model=base, tasks=["moment"])
    d = Path(result["moment"]["path"])
    assert read_info(d, "moment").backend == "transformers"
    assert list((d / "model").glob("*.safetensors"))
    clf = load_classifier(d, "moment")
    probs = clf.predict_proba(["stuur maar een mailtje", "nee hoor, ga je gang"])
    assert len(probs) == 2 and all(abs(sum(p.values()) - 1) < 1e-4 for p in probs)


def test_shipped_models_are_reproducible(tmp_path: Path) -> None:
    """Retraining with the project's own command and committed data gives the committed metrics."""
    import tomllib

    from pipeline.config import PROJECT_ROOT

    cfg = PROJECT_ROOT / "configs" / "train" / "default.toml"
    version = tomllib.loads(cfg.read_text(encoding="utf-8"))["output"]["version"]
    train_from_config(cfg, out_root=tmp_path)
    for task in ("moment", "response", "reason"):
        shipped = json.loads((PROJECT_ROOT / "models" / task / version / "metrics.json").read_text())
        again = json.loads((tmp_path / task / version / "metrics.json").read_text())
        for key in ("accuracy", "macro_f1"):  # stated tolerance: 0.01 (documented in docs/training.md)
            assert abs(shipped["validation"][key] - again["validation"][key]) <= 0.01, (task, key)
        shipped_meta = json.loads((PROJECT_ROOT / "models" / task / version / "meta.json").read_text())
        again_meta = json.loads((tmp_path / task / version / "meta.json").read_text())
        assert shipped_meta["data_hash"] == again_meta["data_hash"]


def test_models_cli_list_show_diff_and_train(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.conftest import SAMPLES

    runner = CliRunner()
    cfg = write_config(tmp_path)
    trained = runner.invoke(app, ["train", str(cfg), "--task", "moment"])
    assert trained.exit_code == 0, trained.output
    assert "moment" in trained.output and "macro-F1" in trained.output
    listed = runner.invoke(app, ["models", "list", "--root", str(tmp_path / "models")])
    assert listed.exit_code == 0 and "moment" in listed.output
    d = tmp_path / "models" / "moment" / "t1"
    shown = runner.invoke(app, ["models", "show", str(d)])
    assert shown.exit_code == 0 and "Intended use" in shown.output
    diff = runner.invoke(app, ["models", "diff", str(d), str(d), "--set", str(SAMPLES)])
    assert diff.exit_code == 0, diff.output
    assert "macro-F1" in diff.output and "+0.000" in diff.output
    bad = runner.invoke(app, ["models", "show", str(tmp_path)])
    assert bad.exit_code == 2 and "E402" in bad.output


def test_every_moments_file_in_a_neecoach_folder_is_read(tmp_path: Path) -> None:
    from pipeline.train.data import from_neecoach

    write_data(tmp_path / "data")
    base = from_neecoach(tmp_path / "data")
    extra = {"id": "x1", "context": [{"role": "seller", "text": "zal ik langskomen?"}], "text": "nee, laat maar",
             "next": [{"role": "seller", "text": "waarom niet?"}, {"role": "customer", "text": "we draaien rood"}],
             "moment": True, "reason": "budget", "response": "explore"}
    (tmp_path / "data" / "moments_more.jsonl").write_text(json.dumps(extra) + "\n", encoding="utf-8")
    more = from_neecoach(tmp_path / "data")
    added = [e for e in more if e.group == "x1"]
    assert len(more) == len(base) + 3
    assert {e.task for e in added} == {"moment", "response", "reason"}


def test_run_time_tokens_of_a_spacy_model_equal_the_training_tokens(tmp_path: Path) -> None:
    """Training builds Docs with `words_doc`; a loaded model splits with its rule-less tokenizer."""
    from pipeline.modelstore import words_doc
    from pipeline.textinputs import moment_input, reason_input

    cfg = write_config(tmp_path)
    train_from_config(cfg)
    clf = load_classifier(tmp_path / "models" / "moment" / "t1", "moment")
    texts = [moment_input("Nee, da's niks voor ons, echt niet!", "Zal ik u de offerte mailen?"),
             reason_input("neen laat maar", "we draaien dit jaar verlies"), "_", "één twee  drie"]
    split = clf.nlp.tokenizer  # type: ignore[attr-defined]
    for text in texts:
        run_time = [t.text for t in split(" ".join(text.split()) or "_")]
        assert run_time == [t.text for t in words_doc(clf.nlp.vocab, text)]  # type: ignore[attr-defined]


def test_balance_oversamples_the_smaller_class_deterministically() -> None:
    from collections import Counter

    from pipeline.train.data import Example
    from pipeline.train.runner import balance

    train = [Example("moment", f"m{k}", "moment", f"g{k}", "s") for k in range(9)]
    train += [Example("moment", f"n{k}", "no_moment", f"h{k}", "s") for k in range(3)]
    out = balance(train, seed=0)
    assert Counter(e.label for e in out) == {"moment": 9, "no_moment": 9}
    assert {e.text for e in out} == {e.text for e in train}  # nothing invented, only repeated
    assert [e.text for e in out] == [e.text for e in balance(train, seed=0)]


def test_bag_of_words_path_gives_spacys_probabilities_bit_for_bit() -> None:
    """`BagOfWords` (word lists straight into the textcat layers) returns exactly what spaCy's pipeline returns."""
    from pipeline.config import load_settings
    from pipeline.modelstore import SpacyTextcat, model_paths
    from pipeline.textinputs import moment_input, reason_input, response_input

    texts = [moment_input(t, c) for t in REFUSALS + HARMLESS for c in ("", "zal ik een offerte sturen?")]
    texts += [response_input(r, t) for r in REPLIES.values() for t in REFUSALS]
    texts += [reason_input(t, h) for t, h in zip(REFUSALS, HARMLESS, strict=True)]
    texts += ["", "  ", "nee nee nee nee", "dep nsubj root", "x " * 300, "één 'twee' drie"] * 3  # > 256: two batches
    paths = model_paths(load_settings())  # the shipped models
    assert set(paths) == {"moment", "response", "reason"}
    for task, path in paths.items():
        clf = load_classifier(path, task)
        assert isinstance(clf, SpacyTextcat) and clf._bow is not None
        fast = clf.predict_proba(texts)
        assert fast == clf._pipe_proba(texts)
        assert [list(p) for p in fast] == [list(p) for p in clf._pipe_proba(texts)]  # label order too


def test_moment_input_reads_the_reps_reply_only_when_asked() -> None:
    from pipeline.textinputs import moment_input

    plain = moment_input("Ze is veertien meter tachtig.", "Zal ik een plek vrijhouden?")
    assert plain == moment_input("Ze is veertien meter tachtig.", "Zal ik een plek vrijhouden?", None)
    assert "nxt_" not in plain
    reply = "Oei, dan past ze helaas niet in onze hal, want twaalf meter is echt het maximum bij ons hoor."
    with_reply = moment_input("Ze is veertien meter tachtig.", "Zal ik een plek vrijhouden?", reply)
    assert with_reply.startswith(plain + " nxt_oei nxt_dan nxt_past")
    assert len([w for w in with_reply.split() if w.startswith("nxt_")]) == 12  # only the start of the reply


def test_a_moment_model_trained_on_the_reply_says_so_and_gets_it_at_run_time(tmp_path: Path) -> None:
    from pipeline.config import load_settings
    from pipeline.detect.engine import load_models

    cfg = write_config(tmp_path, moment_inputs="turn+before+reply")
    train_from_config(cfg, tasks=["moment"])
    d = tmp_path / "models/moment/t1"
    assert read_info(d, "moment").meta["inputs"] == "turn+before+reply"
    override = tmp_path / "use.toml"
    override.write_text(f'[models]\nmoment = "{d}"\nresponse = ""\nreason = ""\n', encoding="utf-8")
    models = load_models(load_settings(override))
    assert models.moment_reads_reply
    item = {"context": "zal ik een offerte sturen?", "text": "laat maar zitten"}
    p_with = models.moment_proba([{**item, "reply": "mag ik vragen waarom niet?"}])
    p_without = models.moment_proba([{**item, "reply": ""}])
    assert p_with != p_without  # the reply is part of what it reads

    plain_cfg = write_config(tmp_path / "plain")
    train_from_config(plain_cfg, tasks=["moment"])
    d2 = tmp_path / "plain/models/moment/t1"
    assert read_info(d2, "moment").meta["inputs"] == "turn+before"
    override.write_text(f'[models]\nmoment = "{d2}"\nresponse = ""\nreason = ""\n', encoding="utf-8")
    models = load_models(load_settings(override))
    assert not models.moment_reads_reply
    assert models.moment_proba([{**item, "reply": "mag ik vragen waarom niet?"}]) == models.moment_proba([item])


def test_unknown_moment_inputs_are_a_config_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, moment_inputs="turn+everything")
    with pytest.raises(UsageError) as err:
        train_from_config(cfg, tasks=["moment"])
    assert err.value.code.value == "E401" and "moment_inputs" in err.value.message


def test_averaged_seeds_make_one_model_whose_logits_are_the_runs_mean(tmp_path: Path) -> None:
    """`average_seeds = 2`: the weights of two seeded runs averaged; for a bag-of-words textcat (linear up to the
    softmax) that is the two runs' averaged logits, in one model of the same size and speed."""
    import math

    from pipeline.modelstore import SpacyTextcat, read_info
    from pipeline.train.data import from_neecoach, split
    from pipeline.train.spacy_textcat import TextcatArgs, train_textcat

    write_data(tmp_path / "data")
    examples = [e for e in from_neecoach(tmp_path / "data") if e.task == "moment"]
    train, val = split(examples, 0.3, 3)
    labels = ("moment", "no_moment")
    probe = ["laat maar zitten", "nee hoor ga je gang", "stuur maar een mailtje ctx_offerte", "dat beslist mijn baas"]

    def log_odds(args: TextcatArgs, name: str) -> tuple[list[float], dict[str, object]]:
        report = train_textcat(labels, train, val, args, tmp_path / name / "model")
        (tmp_path / name / "meta.json").write_text(json.dumps({"task": "moment", "version": name,
                                                               "backend": "spacy-bow", "labels": list(labels)}))
        clf = SpacyTextcat(read_info(tmp_path / name, "moment"))
        return [math.log(p["moment"] / p["no_moment"]) for p in clf.predict_proba(probe)], report

    a, _ = log_odds(TextcatArgs(seed=3, max_epochs=4, patience=2), "s3")
    b, _ = log_odds(TextcatArgs(seed=4, max_epochs=4, patience=2), "s4")
    both, report = log_odds(TextcatArgs(seed=3, max_epochs=4, patience=2, average_seeds=2), "avg")
    assert a != b  # two seeds, two models
    for got, x, y in zip(both, a, b, strict=True):
        assert got == pytest.approx((x + y) / 2, abs=1e-4)
    assert report["validation"]["epoch"] == "averaged"  # type: ignore[index]
    assert {h["seed"] for h in report["history"]} == {3, 4}  # type: ignore[attr-defined]
