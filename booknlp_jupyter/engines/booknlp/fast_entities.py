"""BookNLP's entity tagger with its per-token Python loops done by numpy, same tensors.

BookNLP 1.0.8 builds the matrices of its layered tagger one Python float at a time:
the wordpiece-to-token averaging matrix of every sequence (`layered_reader.get_batches`),
the token-merging matrix between nested layers (`Tagger.get_index`, padded row by row),
and the event decision token by token (`np.argmax` on a two-value tensor). On a novel that
is most of the entity stage. `install` replaces, on one loaded tagger instance,
``tag``, ``model.tag_all`` and ``model.predict_all`` with copies of BookNLP's code in which
those loops are numpy. The tensors handed to the network are element for element the ones
BookNLP builds (same values, dtypes, shapes, batch order and batch sizes), so every
prediction is the same; `tests/test_booknlp_loops.py` checks the tables against BookNLP's.
Another ``batch_size`` (the engine's option, `batches`) scales BookNLP's three sizes.
"""

from __future__ import annotations

import functools
import types
from typing import Any

import numpy as np

from .fast_layers import predict_all, tag_all

#: BookNLP's (layer-1 input) sequence limit and batch size (entity_tagger.py).
MAX_SENTENCE_LENGTH = 500
BATCH_SIZE = 32


def install(tagger: Any, batch_size: int = BATCH_SIZE) -> None:
    """Swap the slow loops of a `LitBankEntityTagger` for numpy ones (on the instance), its
    tagging in batches of ``batch_size`` short sequences (`long_batch_sizes` after)."""
    model = tagger.model
    model.predict_all = types.MethodType(predict_all, model)
    model.tag_all = types.MethodType(tag_all, model)
    model._inside = _inside_mask(model.rev_tagset, model.num_labels)
    tagger.tag = functools.partial(tag, tagger, batch_size=batch_size)


def _inside_mask(rev_tagset: dict[int, str], size: int) -> np.ndarray:
    return np.array([rev_tagset.get(i, "O").startswith("I-") for i in range(size)])


# -- the batches (layered_reader.get_batches, training=False) ------------------------------


def padded_batch(
    ids: list[list[int]], piece_lens: list[np.ndarray], rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wordpiece ids and mask padded with zeros, and the matrix that averages each word's
    wordpieces ([batch, rows, wordpieces], one row per word, zero rows after), as BookNLP's
    entity tagger and coref build them; ``piece_lens`` holds each word's wordpiece count."""
    width = max(len(x) for x in ids)
    data = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.float32)
    transform = np.zeros((len(ids), rows, width), dtype=np.float32)
    for row, (seq, lens) in enumerate(zip(ids, piece_lens, strict=True)):
        n = len(seq)
        data[row, :n] = seq
        mask[row, :n] = 1
        word = np.repeat(np.arange(len(lens)), lens)  # the word of each wordpiece
        transform[row, word, np.arange(n)] = 1.0 / lens[word]
    return data, mask, transform


def long_batch_sizes(max_batch: int) -> tuple[int, int]:
    """The batch sizes once a batch is over 100 and over 200 wordpieces: BookNLP's 12 and 6
    after its 32, in proportion for another ``max_batch`` (about as many wordpieces)."""
    return max(1, max_batch * 12 // BATCH_SIZE), max(1, max_batch * 6 // BATCH_SIZE)


def get_batches(model: Any, sentences: list[list[list[str]]], max_batch: int) -> tuple:
    """`layered_reader.get_batches(model, sentences, max_batch, tagset, training=False)`,
    the same for BookNLP's ``max_batch`` of 32 (other sizes: `long_batch_sizes`)."""
    import torch

    convert = model.tokenizer.convert_tokens_to_ids
    all_sents = [[" ".join(x) for x in sentence] for sentence in sentences]
    orig_lens = [len(sentence) for sentence in sentences]
    piece_lens = [np.array([len(t) for t in s], dtype=np.int64) for s in sentences]
    ids = [convert([p for toks in s for p in toks]) for s in sentences]
    ordering = np.argsort(np.array([len(x) for x in ids]))

    out: tuple[list[Any], ...] = ([], [], [], [], [])
    batched_sents, batched_data, batched_mask, batched_transforms, batched_lens = out
    order_to_batch_map: list[tuple[int, int, int]] = []
    i, current, batch_num = 0, max_batch, 0
    over_100, over_200 = long_batch_sizes(max_batch)
    while i < len(ordering):
        order_to_batch_map.extend((batch_num, current, j) for j in range(current))
        batch_num += 1
        members = ordering[i : i + current]
        data, mask, transform = padded_batch(
            [ids[k] for k in members],
            [piece_lens[k] for k in members],
            max(orig_lens[k] for k in members),
        )
        max_len = data.shape[1]
        batched_data.append(torch.from_numpy(data))
        batched_mask.append(torch.from_numpy(mask))
        batched_sents.append([all_sents[k] for k in members])
        batched_lens.append(torch.LongTensor([orig_lens[k] for k in members]))
        batched_transforms.append(torch.from_numpy(transform))
        i += current
        if max_len > 100:
            current = over_100
        if max_len > 200:
            current = over_200
    return (
        batched_sents,
        batched_data,
        batched_mask,
        batched_transforms,
        batched_lens,
        ordering,
        order_to_batch_map,
    )


# -- LitBankEntityTagger.tag --------------------------------------------------------------


def sequences(tokenize: Any, toks: list[Any]) -> tuple[list[list[list[str]]], list[list[Any]]]:
    """BookNLP's input sequences: sentences (split above 500 wordpieces) packed into
    ``[CLS] ... [SEP]`` sequences under 500 wordpieces, as each token's wordpieces, and the
    tokens of each sequence."""
    sents: list[list[list[str]]] = []
    o_sents: list[list[Any]] = []
    sent: list[list[str]] = []
    o_sent: list[Any] = []
    last_sid, length = None, 0
    for tok in toks:
        wptok = tok.text
        if wptok[0].lower() != wptok[0]:  # uncased BERT: mark capitals
            wptok = "[CAP] " + wptok.lower()
        pieces = tokenize(wptok)
        if last_sid is not None and (
            tok.sentence_id != last_sid or length + len(pieces) > MAX_SENTENCE_LENGTH
        ):
            sents.append(sent)
            o_sents.append(o_sent)
            sent, o_sent, length = [], [], 0
        sent.append(pieces)
        o_sent.append(tok)
        last_sid = tok.sentence_id
        length += len(pieces)
    sents.append(sent)
    o_sents.append(o_sent)

    sentences: list[list[list[str]]] = []
    o_sentences: list[list[Any]] = []
    sentence: list[list[str]] = [["[CLS]"]]
    o_sent, cur_length = [], 0
    for idx, sent in enumerate(sents):
        sent_len = sum(len(p) for p in sent)
        if sent_len + cur_length >= MAX_SENTENCE_LENGTH:
            sentence.append(["[SEP]"])
            sentences.append(sentence)
            o_sentences.append(o_sent)
            sentence, o_sent, cur_length = [["[CLS]"]], [], 0
        cur_length += sent_len
        sentence.extend(sent)
        o_sent.extend(o_sents[idx])
    if len(sentence) > 1:
        sentence.append(["[SEP]"])
        o_sentences.append(o_sent)
        sentences.append(sentence)
    return sentences, o_sentences


def tag(
    self: Any,
    toks: list[Any],
    doEvent: bool = True,
    doEntities: bool = True,
    doSS: bool = True,
    batch_size: int = BATCH_SIZE,
) -> dict[str, Any]:
    """`LitBankEntityTagger.tag`, with `get_batches` above (BookNLP's 32: ``batch_size``)."""
    sentences, sents_o = sequences(self.model.tokenizer.tokenize, toks)
    (b_sents, b_data, b_mask, b_transforms, b_lens, ordering, order_to_batch_map) = get_batches(
        self.model, sentences, batch_size
    )
    batch_pos: dict[int, list[Any]] = {}
    for idx, ind in enumerate(ordering):
        batch_id, batch_s, batch_position = order_to_batch_map[idx]
        if batch_id not in batch_pos:
            batch_pos[batch_id] = [None] * batch_s
        batch_pos[batch_id][batch_position] = [None, *sents_o[ind], None]
    wn_batches = self.get_wn([batch_pos[i] for i in range(len(batch_pos))])

    preds_in_order, events_in_order, ss_in_order = self.model.tag_all(
        wn_batches,
        b_sents,
        b_data,
        b_mask,
        b_transforms,
        b_lens,
        ordering,
        doEvent=doEvent,
        doEntities=doEntities,
        doSS=doSS,
    )
    out: dict[str, Any] = {}
    if doEntities:
        out["entities"] = _spans(preds_in_order, sents_o)
    if doSS:
        out["supersense"] = _spans(ss_in_order, sents_o)
    if doEvent:
        events: dict[int, int] = {}
        for idx, preds in enumerate(events_in_order):
            for start in preds:
                events[sents_o[idx][start].token_id] = 1
        if events_in_order:
            out["events"] = events
    return out


def _spans(in_order: list[dict], sents: list[list[Any]]) -> list[tuple[int, int, str, str]]:
    found = []
    for idx, preds in enumerate(in_order):
        for _, label, start, end in preds:
            start_token = sents[idx][start].token_id
            end_token = int(sents[idx][end - 1].token_id)
            phrase = " ".join(x.text for x in sents[idx][start:end])
            end_token = start_token if end_token == -2 else end_token
            found.append((start_token, end_token, label, phrase))
    return found
