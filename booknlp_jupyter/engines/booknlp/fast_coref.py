"""BookNLP's coreference input building with numpy in its per-token loops, same tensors.

`BERTCorefTagger.get_data` builds each sentence's wordpiece-averaging matrix one Python
float at a time, `LitBankCoref.test` finds the quote of every quoted mention by walking
all quotes, and `BERTCorefTagger.forward` spends most of its time in Python around each
mention's few network calls (`fast_coref_loop`). `install` replaces the three, on one
loaded `LitBankCoref`, with copies of BookNLP 1.0.8's code where those loops are numpy or
lighter Python; every tensor handed to the network is element for element BookNLP's, so
the clusters are the same.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Any

import numpy as np

from .fast_entities import padded_batch


def install(resolver: Any, batchsize: int = 128) -> None:
    """Swap the slow loops of a `LitBankCoref` for numpy ones (on the instance), and its
    mention-by-mention loop for `fast_coref_loop.forward`; BERT runs on ``batchsize``
    sequences at a time (BookNLP's 128)."""
    from .fast_coref_loop import forward

    resolver.model.get_data = functools.partial(get_data, resolver.model, batchsize=batchsize)
    resolver.model.forward = types.MethodType(forward, resolver.model)
    resolver.test = types.MethodType(test, resolver)


def test(
    self: Any,
    test_doc: list[list[str]],
    test_ents: list[list[Any]],
    max_words: int,
    max_ents: int,
    refs: list[int],
    ref_gender: Any,
    attributed_quotations: list[Any],
    quotes: list[tuple[int, int]],
) -> tuple[list[int], list[Any]]:
    """`LitBankCoref.test`: pronouns resolved by the network, then nominal clusters."""
    from booknlp.english.name_coref import NameCoref

    from ..lite.booknlp_parts import data_path

    global_entities = [ent for ents in test_ents for ent in ents]
    if quotes:
        bounds = np.asarray(quotes, dtype=np.int64)
        for ent in global_entities:
            if ent.in_quote:  # the last quote holding the mention's start, as BookNLP
                hits = np.flatnonzero(
                    (bounds[:, 0] <= ent.global_start) & (ent.global_start <= bounds[:, 1])
                )
                if len(hits):
                    ent.quote_mention = attributed_quotations[hits[-1]]
    (matrix, index, positions, _, starts, ends, widths, data, masks, transforms, _) = (
        self.model.get_data(test_doc, test_ents, max_ents, max_words)
    )
    assignments = self.model.forward(
        matrix,
        index,
        existing=refs,
        token_positions=positions,
        starts=starts,
        ends=ends,
        widths=widths,
        input_ids=data,
        attention_mask=masks,
        transforms=transforms,
        ref_genders=ref_gender,
        entities=global_entities,
    )
    e_list = [
        (ent.global_start, ent.global_end, f"{ent.proper}_{ent.ner_cat}", ent.text)
        for ent in global_entities
    ]
    assignments = NameCoref(data_path("aliases.txt")).cluster_noms(e_list, assignments)
    if -1 in assignments:  # BookNLP's own guard, kept (contained by compat.contain_exit)
        print(assignments)
        sys.exit(1)
    return assignments, global_entities


def get_data(
    self: Any,
    doc: list[list[str]],
    ents: list[list[Any]],
    max_ents: int,
    max_words: int,
    batchsize: int = 128,
) -> tuple:
    """`BERTCorefTagger.get_data`: mention matrices, indices, wordpieces and their
    averaging matrices, in batches of ``batchsize`` sentences."""
    import torch

    # BookNLP's per-batch maxima start at 1 for the first batch and at 0 after it.
    max_words_batch: list[int] = []
    max_ents_batch: list[int] = []
    for b, first in enumerate(range(0, len(doc), batchsize)):
        floor = 1 if b == 0 else 0
        sents = range(first, min(first + batchsize, len(doc)))
        max_words_batch.append(max([floor, *(len(doc[i]) for i in sents)]))
        max_ents_batch.append(max([floor, *(len(ents[i]) for i in sents)]))

    batch_matrix, batch_index, batch_quotes = [], [], []
    batch_starts, batch_ends, batch_widths = [], [], []
    batch_data, batch_masks, batch_transforms = [], [], []
    token_positions: list[int] = []
    ent_spans: list[int] = []
    for b, first in enumerate(range(0, len(doc), batchsize)):
        sents = list(range(first, min(first + batchsize, len(doc))))
        n_words, n_ents = max_words_batch[b], max_ents_batch[b]
        matrix = np.zeros((len(sents), n_ents, n_words), dtype=np.float32)
        index, inquotes, starts, ends, widths = [], [], [], [], []
        ent_spans = []
        for row, idx in enumerate(sents):
            for i, entity in enumerate(ents[idx]):
                matrix[row, i, entity.start : entity.end + 1] = 1
                index.append(row * n_ents + i)
                token_positions.append(idx)
                ent_spans.append(entity.end - entity.start)
                inquotes.append(entity.in_quote)
                starts.append(row * n_words + entity.start)
                ends.append(row * n_words + entity.end)
                widths.append(self.get_mention_width_bucket(entity.end - entity.start))
        batch_matrix.append(torch.from_numpy(matrix))
        batch_index.append(torch.LongTensor(index))
        batch_quotes.append(torch.LongTensor(inquotes))
        batch_starts.append(torch.LongTensor(starts))
        batch_ends.append(torch.LongTensor(ends))
        batch_widths.append(torch.LongTensor(widths))

        pieces = [[self.tokenizer.tokenize(word) for word in doc[i]] for i in sents]
        ids = [self.tokenizer.convert_tokens_to_ids([p for t in s for p in t]) for s in pieces]
        lens = [np.array([len(t) for t in s], dtype=np.int64) for s in pieces]
        data, mask, transform = padded_batch(ids, lens, n_words)
        batch_data.append(torch.from_numpy(data))
        batch_masks.append(torch.from_numpy(mask))
        batch_transforms.append(torch.from_numpy(transform))

    return (
        batch_matrix,
        batch_index,
        token_positions,
        ent_spans,
        batch_starts,
        batch_ends,
        batch_widths,
        batch_data,
        batch_masks,
        batch_transforms,
        batch_quotes,
    )
