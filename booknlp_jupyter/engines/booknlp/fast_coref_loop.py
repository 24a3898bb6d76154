"""`BERTCorefTagger.forward` of BookNLP 1.0.8 for prediction, with less Python per mention.

BookNLP resolves pronouns one mention at a time; around each mention's few network calls
it spends most of the stage in Python: ``np.vectorize`` for the distance buckets, tensors
indexed one candidate at a time while walking the ranked antecedents, dropout modules
that do nothing in eval mode. This copy keeps every network operation and its order
(the same embeddings, linear layers, sums and ``argsort``, so the same scores) and every
rule of BookNLP's loop; only that Python is lighter. Training (``truth``) still goes to
BookNLP's own method. Installed by `fast_coref.install`.
"""

from __future__ import annotations

from typing import Any

#: BookNLP's antecedent window.
MAX_PREVIOUS_MENTIONS = 20
FIRST_PERSON = frozenset({"i", "me", "my", "myself"})


def forward(
    self: Any,
    matrix: list[Any],
    index: list[Any],
    existing: list[int] | None = None,
    truth: Any = None,
    token_positions: Any = None,
    starts: list[Any] | None = None,
    ends: list[Any] | None = None,
    widths: list[Any] | None = None,
    input_ids: list[Any] | None = None,
    attention_mask: list[Any] | None = None,
    transforms: list[Any] | None = None,
    entities: list[Any] | None = None,
    ref_genders: dict | None = None,
) -> Any:
    """`BERTCorefTagger.forward`: each mention's entity id (``existing`` kept)."""
    import torch
    from booknlp.english import bert_coref_quote_pronouns as coref_module
    from booknlp.english.bert_coref_quote_pronouns import BERTCorefTagger

    ref_genders = {} if ref_genders is None else ref_genders
    if truth is not None or self.training:
        return BERTCorefTagger.forward(
            self, matrix, index, existing, truth, token_positions, starts, ends, widths,
            input_ids, attention_mask, transforms, entities, ref_genders,
        )  # fmt: skip
    device = coref_module.device
    entities = entities or []
    entity_properties: dict = {}
    if existing is not None:
        for idx, val in enumerate(existing):
            if val != -1 and val is not None:
                self.add_property(entity_properties, val, entities[idx], ref_genders)

    reps, cur = [], 0
    for b in range(len(matrix)):
        quotes = [1 if e.in_quote else 0 for e in entities[cur : cur + len(starts[b])]]
        cur += len(starts[b])
        reps.append(
            self.get_mention_reps(
                input_ids=input_ids[b],
                attention_mask=attention_mask[b],
                starts=starts[b],
                ends=ends[b],
                index=index[b],
                widths=widths[b],
                quotes=torch.LongTensor(quotes),
                transforms=transforms[b],
                matrix=matrix[b],
                doTrain=False,
            )
        )
    span_representation = torch.cat(reps, 0) if len(reps) > 1 else reps[0]
    num_mentions = sum(len(s) for s in starts)

    curid = max([-1, *(r for r in existing if r is not None)]) + 1 if existing else 0
    assignments: list[Any] = [None] * len(entities)
    # dropout is the identity in eval mode: BookNLP's unary1 -> tanh -> unary2 -> tanh -> unary3
    unary_scores = self.unary3(self.tanh(self.unary2(self.tanh(self.unary1(span_representation)))))
    bucket = self.get_distance_bucket

    for in_quote_val in (False, True):
        for i in range(num_mentions):
            entity = entities[i]
            if entity.in_quote != in_quote_val:
                continue
            if existing is not None and existing[i] != -1:  # resolved by name coref
                assignments[i] = existing[i]
                continue
            if entity.proper != "PRON" and self.pronominalCorefOnly:
                assignments[i] = curid
                curid += 1
                continue
            if i == 0:  # the first mention starts an entity
                assignments[i] = curid
                curid += 1
                continue
            first = max(0, i - MAX_PREVIOUS_MENTIONS)
            if not in_quote_val:  # outside quotes: only earlier mentions outside quotes
                cands_idx, ent_dist = self.get_non_quote_cands(first, i, entities)
            else:  # in quotes: any earlier mention, or up to 10 outside quotes ahead
                cands_idx, ent_dist = self.get_closest_entities(first, i, entities)
            cands_idx = cands_idx[-MAX_PREVIOUS_MENTIONS:]
            ent_dist = ent_dist[-MAX_PREVIOUS_MENTIONS:]
            if len(cands_idx) == 0:
                assignments[i] = curid
                curid += 1
                continue

            # first-person pronouns in quotes co-refer with the quote's speaker
            if (
                entity.quote_mention is not None
                and assignments[entity.quote_mention] is not None
                and entity.text.lower() in FIRST_PERSON
                and entity.in_quote
            ):
                assignments[i] = assignments[entity.quote_mention]
                continue

            cand_list = cands_idx.tolist()
            if not entity.in_quote or entity.quote_mention is None:
                same_speaker = [2] * len(cand_list)
            else:
                speaker = assignments[entity.quote_mention]
                same_speaker = [1 if assignments[e] == speaker else 0 for e in cand_list]
            start, end = entity.global_start, entity.global_end
            nest1 = [
                1 if start >= entities[c].global_start and end < entities[c].global_end else 0
                for c in cand_list
            ]
            nest2 = [
                1 if entities[c].global_start >= start and entities[c].global_end < end else 0
                for c in cand_list
            ]

            targets = span_representation[cands_idx]
            cp = span_representation[i].expand_as(targets)
            same_speaker_embeds = self.speaker_embeddings(torch.LongTensor(same_speaker).to(device))
            distance_embeds = self.distance_embeddings(
                torch.LongTensor([bucket(int(d)) for d in ent_dist]).to(device)
            )
            nesteds_embeds = self.nested_embeddings(torch.LongTensor(nest1).to(device))
            nesteds_embeds2 = self.nested_embeddings(torch.LongTensor(nest2).to(device))
            concat = torch.cat(
                (
                    cp,
                    targets,
                    cp * targets,
                    distance_embeds,
                    nesteds_embeds,
                    nesteds_embeds2,
                    same_speaker_embeds,
                ),
                1,
            )
            preds = self.mention_mention3(
                self.tanh(self.mention_mention2(self.tanh(self.mention_mention1(concat))))
            )
            preds = (preds + unary_scores[i] + unary_scores[cands_idx]).squeeze(-1)

            assignment = None
            scores = preds.tolist()
            for cand_idx in torch.argsort(preds, descending=True).tolist():
                if not scores[cand_idx] > 0:  # the best remaining is "new entity"
                    assignment = curid
                    curid += 1
                    break
                cand = cand_list[cand_idx]
                cand_assignment = assignments[cand]
                if cand_assignment is None:  # BookNLP's own guard
                    raise SystemExit(f"coref: candidate {cand} of mention {i} has no entity")
                if self.is_compatible(
                    entities[cand], cand_assignment, entity_properties, entity, ref_genders, None
                ):
                    assignment = cand_assignment
                    self.add_property(entity_properties, cand_assignment, entity, ref_genders)
                    break
            if assignment is None:  # no compatible antecedent
                assignment = curid
                curid += 1
            assignments[i] = assignment
    return assignments
