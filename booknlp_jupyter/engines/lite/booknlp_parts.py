"""BookNLP's rule-based parts, imported one submodule at a time (never its torch models).

``booknlp.english.english_booknlp`` imports torch and transformers, so it is never
imported here; the submodules used (quote tagger, name clustering, gender inference)
only need the standard library, ``tqdm``, ``pkg_resources`` and ``spacy.tokens``.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from typing import Any

#: BookNLP's default referential gender categories (english_booknlp.py).
GENDER_CATS: list[list[str]] = [
    ["he", "him", "his"],
    ["she", "her"],
    ["they", "them", "their"],
    ["xe", "xem", "xyr", "xir"],
    ["ze", "zem", "zir", "hir"],
]


def data_path(name: str) -> str:
    """Path of a file in ``booknlp/english/data`` (found without importing booknlp)."""
    spec = importlib.util.find_spec("booknlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the lite engine needs booknlp: pip install --no-deps booknlp==1.0.8")
    root = Path(next(iter(spec.submodule_search_locations)))
    return str(root / "english" / "data" / name)


def quote_tagger() -> Any:
    from booknlp.english.litbank_quote import QuoteTagger

    return QuoteTagger()


def name_coref() -> Any:
    """BookNLP's `NameCoref` with its alias list, its quadratic loops made near-linear
    (`name_clusters.FastNameCoref`, same clusters) and canonical-name lookups memoized."""
    from .name_clusters import fast_name_coref_class

    resolver = fast_name_coref_class()(data_path("aliases.txt"))
    plain = resolver.get_canonical
    cache: dict[tuple[str, ...], Any] = {}

    def get_canonical(name_tokens: list[str]) -> Any:
        key = tuple(name_tokens)
        if key not in cache:
            cache[key] = plain(list(name_tokens))
        return [list(c) for c in cache[key]]

    resolver.get_canonical = get_canonical
    return resolver


_PRIORS: dict[tuple[str, tuple[str, ...]], tuple[dict, dict]] = {}


def gender_em_class() -> type:
    """`GenderEM` that reads its prior file once per process and keeps a small vocabulary.

    BookNLP puts every one of the prior's 160,000 names into the EM vocabulary; only
    names that occur in the book can change the result, so only those are kept.
    """
    from booknlp.english.gender_inference_model_1 import GenderEM

    class BookGenderEM(GenderEM):
        def read_hyperparams(self, filename: str) -> None:
            key = (filename, tuple("/".join(g) for g in self.genders))
            if key not in _PRIORS:
                super().read_hyperparams(filename)
                _PRIORS[key] = (self.hyperparameters, self.honorific_priors)
            hyper, honorific = _PRIORS[key]
            self.hyperparameters = hyper
            self.honorific_priors = {k: list(v) for k, v in honorific.items()}

        def build_vocab(self, tokens: Any, entities: Any, refs: Any = None) -> None:
            hyper = self.hyperparameters
            self.hyperparameters = {}
            try:
                super().build_vocab(tokens, entities, refs)
            finally:
                self.hyperparameters = hyper
            for start, end, cat, text in entities:
                prop = cat.split("_")[0]
                keys = [f"{text}\t{prop}".lower()]
                if prop == "NOM":
                    head = self.get_head(start, end, tokens)
                    if head is not None:
                        keys.append(f"{tokens[head].text}\t{prop}".lower())
                for k in keys:
                    if k in hyper:
                        self.vocab[k] = 1

        def add_hyperparameters_to_counts(
            self, refs: Any = None, entities: Any = None, tokens: Any = None
        ) -> None:
            """BookNLP's (the prior's pseudocounts, then each cluster's from its names and
            honorifics), the same sums in the same order, with each cluster's name counts
            (the same in every epoch of the EM) counted once per book."""
            if refs is None:
                return super().add_hyperparameters_to_counts()
            if getattr(self, "_counted", (None,))[0] is not refs:
                self._counted = (refs, _cluster_names(self, refs, entities, tokens))
            counts = self._counted[1]
            genders = range(self.num_genders)
            joint, totals, hyper = self.joint_e_f_counts, self.e_counts, self.hyperparameters
            for e in self.vocab:
                mf = hyper[e] if hyper is not None and e in hyper else [1] * self.num_genders
                totals.setdefault(e, 0)
                for f in genders:
                    joint[e, f] = mf[f] + 0.1
                    totals[e] += mf[f] + 0.1
            for e in self.vocab:
                ref, kind = e.split("\t")[:2]
                if kind.lower() != "coref" or int(ref) == -1:
                    continue
                names = counts[int(ref)]
                mf = [0.0] * self.num_genders
                for text in names:  # the prior over the whole name ("Tom")
                    for f in genders:
                        if (text, f) in joint:
                            mf[f] = joint[text, f] * names[text]
                if sum(mf) > self.upper:
                    for f in genders:
                        mf[f] = (mf[f] / sum(mf)) * self.upper
                for text in names:  # the prior over an honorific ("mr. sawyer")
                    prior = self.honorific_priors.get(text.split(" ")[0])
                    if prior is not None:
                        for f in genders:
                            mf[f] = prior[f] * names[text] * 10000
                totals[e] = 0
                for f in genders:
                    joint[e, f] = mf[f] + 0.1
                    totals[e] += mf[f] + 0.1
            return None

    return BookGenderEM


def _cluster_names(em: Any, refs: Any, entities: Any, tokens: Any) -> dict[int, Counter]:
    """Each cluster's mention texts (a noun phrase's head), lower-cased with their kind
    ("jane\tprop"), counted as `GenderEM.add_hyperparameters_to_counts` counts them."""
    counts: dict[int, Counter] = {}
    for ref, (start, end, cat, text) in zip(refs, entities, strict=False):
        prop = cat.split("_")[0]
        head = em.get_head(start, end, tokens) if prop == "NOM" else None
        key = f"{tokens[head].text if head is not None else text}\t{prop}".lower()
        if ref != -1:
            counts.setdefault(ref, Counter())[key] += 1
    return counts
