"""BookNLP's `NameCoref` with its two quadratic loops made near-linear, results unchanged.

``NameCoref.name_cluster`` compares every unique name with every other (is one a subset
of another?) and ``NameCoref.cluster`` every cluster with every other (do their phrases
overlap?): a list of 10,000 names takes minutes, a book-length one days. `FastNameCoref`
answers the first through an index of each name's word subsets (names have fewer than 10
words) and the second by comparing only clusters that share a phrase (others overlap 0),
in BookNLP's order, so its clusters are BookNLP's.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter, defaultdict
from typing import Any


def _subset_names(name_coref: Any, uniq: Counter[str]) -> set[str]:
    """The names BookNLP's ``name_cluster`` drops as subsets of another name: those with a
    canonical word set that another name's canonical set strictly contains, or equals
    while joining in another order (BookNLP compares ``' '.join(set(...))``)."""
    strict: dict[frozenset[str], set[str]] = defaultdict(set)  # subset -> up to 2 names
    equal: dict[frozenset[str], dict[str, set[str]]] = defaultdict(dict)
    forms: dict[str, list[tuple[frozenset[str], str]]] = {}
    for name in uniq:
        forms[name] = []
        for canonical in name_coref.get_canonical(name.split(" ")):
            words = set(canonical)
            key, joined = frozenset(words), " ".join(words)
            forms[name].append((key, joined))
            names = equal[key].setdefault(joined, set())
            if len(names) < 2:
                names.add(name)
            ordered = sorted(words)
            for size in range(len(ordered)):
                for part in itertools.combinations(ordered, size):
                    holders = strict[frozenset(part)]
                    if len(holders) < 2:
                        holders.add(name)
    subsets = set()
    for name, keys in forms.items():
        for key, joined in keys:
            if any(other != name for other in strict.get(key, ())) or any(
                j != joined and any(other != name for other in names)
                for j, names in equal[key].items()
            ):
                subsets.add(name)
                break
    return subsets


def _merge_overlapping(name_coref: Any, refs: list[int], entities: list[list[str]]) -> list[int]:
    """``NameCoref.cluster``'s merging of clusters whose phrases overlap over 90%, with
    only the pairs that share a phrase compared, in BookNLP's order."""
    clusters: dict[int, Counter[str] | None] = {}
    for i, ref in enumerate(refs):
        if ref not in clusters:
            clusters[ref] = Counter()
        clusters[ref][" ".join(entities[i])] += 1  # type: ignore[index]
    order = list(clusters)
    pos = {ref: k for k, ref in enumerate(order)}
    sums = {ref: sum(c.values()) for ref, c in clusters.items() if c is not None}
    holders: dict[str, set[int]] = defaultdict(set)  # phrase -> clusters that have it
    for ref, counts in clusters.items():
        for phrase in counts or ():
            holders[phrase].add(ref)
    parent: dict[int, int] = {}
    for ref in order:
        if clusters[ref] is None or ref in (-1, 0):
            continue
        heap = sorted({pos[r] for p in clusters[ref] for r in holders[p]})  # type: ignore[union-attr]
        done: set[int] = set()
        while heap and clusters[ref] is not None:
            k = heapq.heappop(heap)
            ref2 = order[k]
            if k in done or ref2 == ref or ref2 in (-1, 0) or clusters[ref2] is None:
                done.add(k)
                continue
            done.add(k)
            big, small = (ref2, ref) if sums[ref2] > sums[ref] else (ref, ref2)
            if name_coref.calc_overlap(clusters[small], clusters[big]) <= 0.9:
                continue
            gained = clusters[small]
            for phrase, v in gained.most_common():  # type: ignore[union-attr]
                clusters[big][phrase] += v  # type: ignore[index]
                holders[phrase].add(big)
            sums[big] += sums[small]
            clusters[small] = None
            parent[small] = big
            if big == ref:  # ref's new phrases may match clusters later in the order
                for phrase in gained:  # type: ignore[union-attr]
                    for r in holders[phrase]:
                        if pos[r] > k and pos[r] not in done:
                            heapq.heappush(heap, pos[r])

    def root(ref: int) -> int:
        while ref in parent:
            ref = parent[ref]
        return ref

    return [root(r) for r in refs]


def fast_name_coref_class() -> type:
    """`FastNameCoref`: a subclass of BookNLP's `NameCoref` (imported on first use)."""
    from booknlp.english.name_coref import NameCoref

    class FastNameCoref(NameCoref):
        def name_cluster(self, entities: Any, is_named: Any, existing_refs: Any) -> list[int]:
            uniq: Counter[str] = Counter()
            for i, val in enumerate(is_named):
                if val == 1 and len(entities[i]) < 10:
                    name = " ".join(entities[i]).lower()
                    if name != "":
                        uniq[name] += 1
            subsets = _subset_names(self, uniq)
            index: dict[str, dict[str, int]] = {}
            for name in uniq:
                if name in subsets:
                    continue
                for canonical in self.get_canonical(name.split(" ")):
                    for v in self.get_variants(canonical):
                        index.setdefault(v, {})[name] = 1
            return _assign(self, entities, is_named, existing_refs, uniq, index)

        def cluster(self, entities: Any, is_named: Any, refs: Any) -> list[int]:
            refs = self.name_cluster(entities, is_named, refs)
            return _merge_overlapping(self, refs, entities)

    return FastNameCoref


def _assign(
    name_coref: Any,
    entities: Any,
    is_named: Any,
    existing_refs: Any,
    uniq: Counter[str],
    index: dict[str, dict[str, int]],
) -> list[int]:
    """BookNLP's assignment of each name mention to the best-scoring entity (unchanged)."""
    charids: dict[str, int] = {}
    max_id = max(existing_refs) + 1 if len(existing_refs) > 0 else 1
    last_seen: dict[str, int] = {}
    refs = []
    for i, val in enumerate(is_named):
        if existing_refs[i] != -1:
            refs.append(existing_refs[i])
            continue
        if val != 1:
            refs.append(-1)
            continue
        top, max_score = None, 0
        for canonical in name_coref.get_canonical(entities[i]):
            for entity in index.get(" ".join(canonical).lower(), ()):
                score = uniq[entity] + last_seen.get(entity, 0)
                if score > max_score:
                    max_score, top = score, entity
        if top is None:
            refs.append(-1)
            continue
        last_seen[top] = i
        if top not in charids:
            charids[top] = max_id
            max_id += 1
        refs.append(charids[top])
    return refs
