"""`BookNLPEngine`: BookNLP 1.0.8's own models (``small``, ``big``, ``custom``), warm.

Stages (progress names, in order): ``spacy`` (per chunk), ``entities`` (entities,
supersenses and events; per batch), ``quotes``, ``speakers`` (per batch), ``names``,
``gender``, ``coref`` (per batch, then per mention), ``characters``.

Pipeline rules, found by running BookNLP: every component needs ``entity`` (events and
supersenses come out of the entity tagger, which BookNLP builds only for ``entity``; quote
attribution and coref stop with ``sys.exit`` without it), and ``coref`` needs ``quote``.

Options (`options.BookNLPOptions`, ``c.BookNLPApp.engine_options = {"booknlp": {...}}``;
unknown keys stop the server): ``model_dir`` (default
``$BOOKNLP_MODEL_DIR`` or ``~/booknlp_models``), ``entity_model_path``,
``coref_model_path``, ``quote_attribution_model_path`` (for ``custom``), ``vocab_file``,
``spacy_model`` (as the lite engine), ``device`` (``cuda``/``cpu``; default CUDA when
available), ``spacy_chunk_chars`` (default 100,000; 0 parses the book whole, as BookNLP),
``spacy_processes`` (how many chunks are parsed at once, in helper processes beside the
worker; default two where two CPUs are usable, ``"auto"``: one per usable CPU, 1: one after
another; `spacy_parallel`; the same tables),
``numpy_loops`` (default true: BookNLP's per-token Python loops done by numpy, the same
tensors and tables; `fast_entities`, `fast_speakers`, `fast_coref`), ``batch_size``
(default None: BookNLP's own batch sizes; an int for all three BERT stages, or ``"auto"``:
larger ones from a CUDA device's free memory, `batches`; output may differ slightly),
``sort_windows`` (default false; true: the speaker model's windows through BERT sorted by
length, `fast_speakers`; a score's last bit may differ),
``torch_threads`` (default PyTorch's, one per core it sees; `threads`), ``quantize``
(default None; ``"int8"``: the BERT models' linear layers in 8-bit integers on a CPU,
`quantize`; output may differ),
``referential_gender_cats``, ``referential_gender_hyperparameterFile``,
``pronominalCorefOnly`` (as in BookNLP's ``model_params``).

A model whose files (or libraries) are not installed is refused at submit with how to
install them (`availability.unavailable_reason`); a result's identity holds each model
file's path, size and modification time (`availability.identity`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..base import Engine, EngineResult, PipelineError, ProgressCallback
from ..lite.engine import default_spacy_model
from .options import BookNLPOptions

GENDER_CATS: list[list[str]] = [
    ["he", "him", "his"],
    ["she", "her"],
    ["they", "them", "their"],
    ["xe", "xem", "xyr", "xir"],
    ["ze", "zem", "zir", "hir"],
]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


class BookNLPEngine(Engine):
    """BookNLP's full pipeline on its BERT models, loaded once per worker."""

    name: ClassVar[str] = "booknlp"
    models: ClassVar[tuple[str, ...]] = ("small", "big", "custom")
    Options: ClassVar[type[BookNLPOptions]] = BookNLPOptions
    settings: BookNLPOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._nlp: Any = None
        self._parts: dict[tuple[str, str], Any] = {}  # (model, role) → loaded wrapper
        self._holders: dict[str, list[Any]] = {}
        self._device: Any = None
        self._batch_sizes: dict[str, dict[str, int]] = {}  # model → role → sequences

    @classmethod
    def check_pipeline(cls, model: str, pipeline: Sequence[str]) -> None:
        super().check_pipeline(model, pipeline)
        if model not in cls.models:
            raise PipelineError(f"the booknlp engine serves {list(cls.models)}, not {model!r}")
        wanted = set(pipeline)
        if "entity" not in wanted:
            raise PipelineError(
                "BookNLP runs every component on top of entity tagging: add 'entity' to the "
                f"pipeline (e.g. {['entity', *sorted(wanted)]})"
            )
        if "coref" in wanted and "quote" not in wanted:
            raise PipelineError(
                "BookNLP's coref uses quotation attribution: add 'quote' to the pipeline "
                "(e.g. ['entity', 'quote', 'coref'])"
            )

    @classmethod
    def unavailable_reason(cls, model: str, options: Mapping[str, Any]) -> str | None:
        from . import availability

        return availability.unavailable_reason(model, cls.parse_options(options))

    @classmethod
    def identity(cls, model: str, options: Mapping[str, Any]) -> str:
        from . import availability

        return availability.identity(model, cls.parse_options(options))

    # -- loading -------------------------------------------------------------------

    @property
    def spacy_model(self) -> str:
        return self.settings.spacy_model or default_spacy_model()

    def device(self) -> Any:
        import torch

        if self._device is None:
            wanted = self.settings.device
            if not wanted:
                wanted = "cuda" if torch.cuda.is_available() else "cpu"
            self._device = torch.device(wanted)
        return self._device

    @staticmethod
    def roles(pipeline: Sequence[str]) -> list[str]:
        """The model files a pipeline needs."""
        wanted = set(pipeline)
        return [r for r in ("entity", "quote", "coref") if r in wanted]

    def load(self, model: str, pipeline: Sequence[str]) -> None:
        """Load spaCy and the models ``pipeline`` needs, once; later jobs reuse them."""
        import transformers

        from . import batches, compat, fast_coref, fast_entities, fast_speakers, files, loaders
        from .quantize import check_device, quantize_part

        compat.check_transformers(transformers.__version__)
        compat.patch_booknlp_open()
        device = self.device()
        check_device(self.settings.quantize, device)
        loaders.set_device(device)
        if self.settings.torch_threads:
            import torch

            torch.set_num_threads(self.settings.torch_threads)
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load(self.spacy_model, disable=["ner"])
        needed = [r for r in self.roles(pipeline) if (model, r) not in self._parts]
        if not needed:
            return
        paths = files.require_files(model, needed, self.settings.file_options())
        vocab = paths["vocab"]
        installs = {"entity": fast_entities.install, "coref": fast_coref.install}
        with compat.contain_exit(f"loading the {model} models"):
            for role in needed:
                if role == "entity":
                    part = loaders.entity_tagger(paths[role], vocab, device)
                elif role == "quote":
                    part = loaders.quote_attribution(paths[role], vocab, device)
                else:
                    part = loaders.coref(
                        paths[role],
                        vocab,
                        device,
                        self.gender_cats,
                        self.settings.pronominalCorefOnly,
                    )
                if self.settings.quantize:
                    quantize_part(part)
                size = batches.stage_batch_size(self.settings.batch_size, role, part, device)
                if self.settings.numpy_loops and role == "quote":
                    block = fast_speakers.SORT_BLOCK if self.settings.sort_windows else 0
                    fast_speakers.install(part, size, block)
                elif self.settings.numpy_loops:
                    installs[role](part, size)
                self._parts[model, role] = part
                self._batch_sizes.setdefault(model, {})[role] = size
        from .progress import instrument

        keyword = {"entity": "entity_tagger", "quote": "attribution", "coref": "coref"}
        for role in needed:  # per-batch progress from inside BookNLP's loops
            holder = instrument(**{keyword[role]: self._parts[model, role]})
            self._holders.setdefault(model, []).append(holder)

    @property
    def gender_cats(self) -> list[list[str]]:
        return list(self.settings.referential_gender_cats or GENDER_CATS)

    # -- running -------------------------------------------------------------------

    def run(
        self, text: str, *, model: str, pipeline: Sequence[str], progress: ProgressCallback
    ) -> EngineResult:
        from ..lite.booknlp_parts import data_path
        from . import compat, tables
        from .pipeline import Parts, process
        from .progress import Stages, stages_for

        self.check_pipeline(model, pipeline)
        self.load(model, pipeline)
        stages = Stages(stages_for(pipeline), progress)
        subs = self._holders.get(model, [])
        for sub in subs:
            sub.stages = stages
        current = {"stage": "spacy"}
        parts = Parts(
            nlp=self._nlp,
            entity_tagger=self._parts.get((model, "entity")),
            attribution=self._parts.get((model, "quote")),
            coref=self._parts.get((model, "coref")),
            gender_cats=self.gender_cats,
            gender_prior=str(
                self.settings.referential_gender_hyperparameterFile
                or data_path("gutenberg_prop_gender_terms.txt")
            ),
            spacy_pipe=self._spacy_pipe(),
        )
        try:
            with compat.contain_exit(lambda: f"stage {current['stage']!r}"):
                run = process(
                    text,
                    parts,
                    set(pipeline),
                    stages,
                    self.settings.spacy_chunk_chars,
                    lambda s: current.__setitem__("stage", s),
                )
        finally:
            for sub in subs:
                sub.stages = None
        result = tables.from_run(run)
        progress(0.995, "tables")
        return result

    def _spacy_pipe(self) -> Any:
        """What parses the spaCy pieces: None (``nlp.pipe``) or `spacy_parallel`'s pipe."""
        processes = self.settings.parsers()
        if processes <= 1:
            return None
        from functools import partial

        from .spacy_parallel import parallel_pipe

        return partial(parallel_pipe, self._nlp, self.spacy_model, processes=processes)

    def describe(self) -> dict[str, Any]:
        from . import files

        directory = files.model_dir(self.settings.file_options())
        info: dict[str, Any] = {
            "booknlp": _version("booknlp"),
            "torch": _version("torch"),
            "transformers": _version("transformers"),
            "spacy_model": self.spacy_model,
            "model_dir": str(directory),
            "installed": {
                m: all((directory / n).is_file() for n in names.values())
                for m, names in files.MODEL_SETS.items()
            },
            "loaded": sorted({m for m, _ in self._parts}),
            "batch_sizes": self._batch_sizes,
            "quantize": self.settings.quantize,
            "spacy_processes": self.settings.parsers(),
        }
        if importlib.util.find_spec("torch") is not None:
            try:
                import torch

                info["device"] = str(self.device())
                info["torch_threads"] = torch.get_num_threads()
                if info["device"].startswith("cuda"):
                    info["device_name"] = torch.cuda.get_device_name(self.device())
            except Exception as exc:  # a broken torch must not stop the worker
                info["device"] = f"unavailable ({type(exc).__name__})"
        else:
            info["device"] = "unavailable (torch is not installed)"
        return info
