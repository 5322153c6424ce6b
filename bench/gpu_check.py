"""CUDA path check for the transformers backend (run on a machine with a GPU; prints what it saw).

Builds a tiny BERT and tokenizer locally (nothing downloaded), fine-tunes it with
`pipeline.hf.fine_tune`, reloads it with `TransformerClassifier` and predicts. Needs only torch and
transformers (no spaCy/polars), so it runs in a bare CUDA image: `python3 bench/gpu_check.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from pipeline.hf import TransformerClassifier, device, fine_tune

POS = ["stuur maar een mailtje", "we zijn al voorzien", "daar hebben we geen budget voor", "laat maar zitten",
       "neen da's niks voor ons", "bel na de zomer maar terug"]
NEG = ["nee hoor ga je gang", "ja nee dat klopt", "nee wacht ik bedoel vrijdag", "oh nee wat vervelend",
       "we zijn met z'n vijven", "wat kost dat dan"]


def main() -> None:
    print(f"torch {torch.__version__}, cuda available: {torch.cuda.is_available()}, device: {device()}")
    if torch.cuda.is_available():
        print(f"gpu: {torch.cuda.get_device_name(0)}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "tiny-bert"
        base.mkdir()
        words = sorted({w for t in POS + NEG for w in t.split()})
        (base / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
        tok = BertTokenizerFast(vocab_file=str(base / "vocab.txt"), do_lower_case=True)
        cfg = BertConfig(vocab_size=5 + len(words), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=128, max_position_embeddings=64, num_labels=2)
        torch.manual_seed(0)
        BertForSequenceClassification(cfg).save_pretrained(str(base), safe_serialization=True)
        tok.save_pretrained(str(base))
        data = [(t, "moment") for t in POS] * 8 + [(t, "no_moment") for t in NEG] * 8
        t0 = time.perf_counter()
        report = fine_tune(base, Path(tmp) / "out", data, data[::4], ["moment", "no_moment"],
                           epochs=6, batch_size=16, lr=1e-3, patience=6)
        secs = time.perf_counter() - t0
        print(f"fine_tune: {secs:.2f}s on {report['device']}, val accuracy {report['val_accuracy']}")
        clf = TransformerClassifier(Path(tmp) / "out", ["moment", "no_moment"])
        probs = clf.predict_proba(["stuur maar een mailtje", "nee hoor ga je gang"])
        print(f"reloaded on {clf.device}; P(moment) = {probs[0]['moment']:.3f} / {probs[1]['moment']:.3f}")
        assert report["device"].startswith("cuda") == torch.cuda.is_available()
        assert abs(sum(probs[0].values()) - 1) < 1e-4
    print("gpu_check: OK")


if __name__ == "__main__":
    main()
