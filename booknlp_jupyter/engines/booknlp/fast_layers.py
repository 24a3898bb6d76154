"""`Tagger.predict_all` and `Tagger.tag_all` of BookNLP 1.0.8 with numpy in the loops.

The network calls are BookNLP's, in its order, on the same tensors. What changes: the
merging matrix between nested layers is built in one numpy pass instead of a Python list of
floats per tag (`Tagger.get_index` plus its padding), tags leave the tensor once as Python
ints, Viterbi decoding is numpy's (`fast_crf`), and events are decided for a whole batch by
one ``argmax`` (numpy's, as BookNLP's ``np.argmax`` per token) instead of one call per
token. Used through `fast_entities.install`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .fast_crf import viterbi_decode


def fix(sequence: list[int], rev_tagset: dict[int, str], tagset: dict[str, int]) -> None:
    """BookNLP's BIO repair, in place: an ``I-X`` not continuing an ``X`` becomes ``B-X``."""
    for idx, tag_id in enumerate(sequence):
        tag = rev_tagset[tag_id]
        if not tag.startswith("I-"):
            continue
        label = tag.split("-")[1]
        flag = False
        for i in range(idx - 1, -1, -1):
            prev = rev_tagset[sequence[i]].split("-")
            if prev[0] == "B" and prev[1] == label:
                flag = True
                break
            if prev[0] == "O":
                break
            if prev[0] != "O" and prev[1] != label:
                break
        if not flag:
            sequence[idx] = tagset[f"B-{label}"]


def layer_transformation(
    self: Any, nl: int, paths: Any
) -> tuple[list[list[int]], Any, list[list[int]], list[int]]:
    """BookNLP's ``get_layer_transformation``: the fixed tags, the [batch, nl, nl] matrix
    that averages the tokens of each entity for the next layer, the merged positions and
    each sequence's merged length."""
    import torch

    rev, tagset, inside = self.rev_tagset, self.tagset, self._inside
    all_tags = paths.tolist()
    index = np.zeros((len(all_tags), nl, nl), dtype=np.float32)
    all_missing: list[list[int]] = []
    all_lens: list[int] = []
    for b, tags in enumerate(all_tags):
        fix(tags, rev, tagset)
        is_inside = inside[np.asarray(tags, dtype=np.int64)]
        group = np.cumsum(~is_inside) - 1  # the merged position of each token
        counts = np.bincount(group).astype(np.float64)
        index[b, group, np.arange(len(tags))] = 1.0 / counts[group]
        missing = np.flatnonzero(is_inside[1:]) + 1
        all_missing.append(missing.tolist())
        all_lens.append(len(tags) - len(missing))
    return all_tags, torch.from_numpy(index).to(self.device), all_missing, all_lens


def _restore(tags: list[list[int]], all_missing: list[list[int]], self: Any) -> None:
    """Put back, in a higher layer, the positions merged away in a lower one."""
    for idx, missing in enumerate(all_missing):
        for m in missing:
            parts = self.rev_tagset[tags[idx][m - 1]].split("-")
            label = f"I-{parts[1]}" if len(parts) > 1 else "O"
            tags[idx].insert(m, self.tagset[label])


def predict_all(
    self: Any,
    wn: Any,
    input_ids: Any,
    attention_mask: Any = None,
    transforms: Any = None,
    lens: Any = None,
    doEvent: bool = True,
    doEntities: bool = True,
    doSS: bool = True,
) -> tuple[Any, Any, Any, Any, Any]:
    """`Tagger.predict_all` (entities in three nested layers, events, supersenses)."""
    import torch

    all_tags1 = all_tags2 = all_tags3 = event_logits = all_ss_tags1 = None
    input_ids = input_ids.to(self.device)
    attention_mask = attention_mask.to(self.device)
    transforms = transforms.to(self.device)
    ll = lens.to(self.device)
    _, _, hidden_states = self.bert(
        input_ids,
        token_type_ids=None,
        attention_mask=attention_mask,
        output_hidden_states=True,
        return_dict=False,
    )
    if self.num_layers == 4:
        all_layers = torch.cat(
            (hidden_states[-1], hidden_states[-2], hidden_states[-3], hidden_states[-4]), 2
        )
    elif self.num_layers == 2:
        all_layers = torch.cat((hidden_states[-1], hidden_states[-2]), 2)
    reduced = torch.matmul(transforms, all_layers)[:, 1:, :]  # without the opening [CLS]

    if doEntities:
        lstm_out1, _ = self.lstm1(reduced)
        tag_space1 = self.hidden2tag1(lstm_out1)
        t1 = viterbi_decode(self.crf, tag_space1, ll - 2)
        all_tags1, index1, missing1, lens1 = layer_transformation(self, tag_space1.shape[1], t1)
        lstm_out2, _ = self.lstm2(torch.matmul(index1, lstm_out1))
        tag_space2 = self.hidden2tag2(lstm_out2)
        t2 = viterbi_decode(self.crf, tag_space2, lens1)
        all_tags2, index2, missing2, lens2 = layer_transformation(self, tag_space2.shape[1], t2)
        lstm_out3, _ = self.lstm3(torch.matmul(index2, lstm_out2))
        tag_space3 = self.hidden2tag3(lstm_out3)
        t3 = viterbi_decode(self.crf, tag_space3, lens2)
        all_tags3 = t3.tolist()
        for tags3 in all_tags3:
            fix(tags3, self.rev_tagset, self.tagset)
        _restore(all_tags3, missing2, self)
        _restore(all_tags3, missing1, self)
        _restore(all_tags2, missing1, self)
        for idx in range(len(all_tags1)):
            all_tags2[idx] = all_tags2[idx][: len(all_tags1[idx])]
            all_tags3[idx] = all_tags3[idx][: len(all_tags1[idx])]

    if doEvent:
        out, _ = self.flat_lstm(reduced)
        event_logits = self.flat_classifier(out.contiguous().view(-1, out.shape[2]))

    if doSS:
        wn_embeds = self.wn_embedding(wn.to(self.device))[:, 1:, :]
        lstm_out1, _ = self.supersense_lstm1(torch.cat([reduced, wn_embeds], axis=2))
        tag_space1 = self.supersense_hidden2tag1(lstm_out1)
        t1 = viterbi_decode(self.supersense_crf, tag_space1, ll - 2)
        all_ss_tags1 = t1.tolist()  # one layer: BookNLP keeps only its fixed tags
        for tags in all_ss_tags1:
            fix(tags, self.rev_supersense_tagset, self.supersense_tagset)

    return all_tags1, all_tags2, all_tags3, event_logits, all_ss_tags1


def tag_all(
    self: Any,
    batched_wn: list[Any],
    batched_sents: list[Any],
    batched_data: list[Any],
    batched_mask: list[Any],
    batched_transforms: list[Any],
    batched_orig_token_lens: list[Any],
    ordering: Any,
    doEvent: bool = True,
    doEntities: bool = True,
    doSS: bool = True,
) -> tuple[Any, Any, Any]:
    """`Tagger.tag_all`: every batch through `predict_all`, spans back in document order."""
    import torch

    c = e = 0
    ordered_preds: list[dict] = []
    ordered_ss: list[dict] = []
    ordered_events: list[dict] = []
    with torch.no_grad():
        for b in range(len(batched_data)):
            tags1, tags2, tags3, event_logits, ss_tags1 = self.predict_all(
                batched_wn[b],
                batched_data[b],
                attention_mask=batched_mask[b],
                transforms=batched_transforms[b],
                lens=batched_orig_token_lens[b],
                doEvent=doEvent,
                doEntities=doEntities,
                doSS=doSS,
            )
            lens = batched_orig_token_lens[b].tolist()
            if doEntities:
                for d in range(len(tags1)):
                    preds: dict = {}
                    sentence = batched_sents[b][d][1:]
                    for tags in (tags1[d], tags2[d], tags3[d]):
                        for entity in self.get_spans(self.rev_tagset, c, tags, lens[d], sentence):
                            preds[entity] = 1
                    ordered_preds.append(preds)
                    c += 1
            if doSS:
                for d in range(len(ss_tags1)):
                    ss: dict = {}
                    sentence = batched_sents[b][d][1:]
                    rev = self.rev_supersense_tagset
                    for entity in self.get_spans(rev, e, ss_tags1[d], lens[d], sentence):
                        ss[entity] = 1
                    ordered_ss.append(ss)
                    e += 1
            if doEvent:
                rows, width = batched_wn[b].shape
                decided = event_logits.cpu().view(-1, width - 1, 2).numpy().argmax(axis=2)
                for row in range(rows):
                    cols = np.flatnonzero(decided[row, : lens[row] - 1] == 1)
                    ordered_events.append(dict.fromkeys(cols.tolist(), 1))

    def in_order(ordered: list[dict]) -> list[Any]:
        back: list[Any] = [None] * len(ordering)
        for i, ind in enumerate(ordering):
            back[ind] = ordered[i]
        return back

    return (
        in_order(ordered_preds) if doEntities else None,
        in_order(ordered_events) if doEvent else None,
        in_order(ordered_ss) if doSS else None,
    )
