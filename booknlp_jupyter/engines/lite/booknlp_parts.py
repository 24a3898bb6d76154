"""BookNLP's rule-based parts, imported one submodule at a time (never its torch models).

``booknlp.english.english_booknlp`` imports torch and transformers, so it is never
imported here; the submodules used (quote tagger, name clustering, gender inference)
only need the standard library, ``tqdm``, ``pkg_resources`` and ``spacy.tokens``.
"""

from __future__ import annotations

import importlib.util
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

    return BookGenderEM
