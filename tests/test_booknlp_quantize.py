"""Option ``quantize: "int8"``: refused where it cannot run, part of the result identity,
and on real BookNLP models every linear layer of the three networks runs in int8 while a
whole pipeline still runs to its tables."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from booknlp_jupyter.engines.booknlp import BookNLPEngine
from booknlp_jupyter.engines.booknlp.options import BookNLPOptions
from booknlp_jupyter.engines.booknlp.quantize import check_device
from tests.test_booknlp_api import FULL, SHORT, options, tiny_models  # noqa: F401  (a fixture)


def test_quantize_is_refused_off_the_cpu_and_for_other_values() -> None:
    with pytest.raises(ValidationError, match="CPU only"):
        BookNLPOptions(quantize="int8", device="cuda:0")
    with pytest.raises(ValidationError):
        BookNLPOptions(quantize="fp16")
    assert BookNLPOptions(quantize="int8", device="cpu").quantize == "int8"
    check_device(None, torch.device("cuda"))  # nothing asked: any device
    check_device("int8", torch.device("cpu"))
    with pytest.raises(ValueError, match="device to 'cpu'"):
        check_device("int8", torch.device("cuda"))  # the default device on a GPU machine


def test_quantize_enters_the_result_identity(tiny_models) -> None:  # noqa: F811
    plain = BookNLPEngine.identity("custom", options(tiny_models)["booknlp"])
    int8 = BookNLPEngine.identity("custom", options(tiny_models, quantize="int8")["booknlp"])
    assert plain != int8 and "quantize" in int8 and "quantize" not in plain


def test_every_linear_layer_runs_in_int8_and_the_pipeline_runs(
    tiny_models,  # noqa: F811
    monkeypatch,
) -> None:
    from torch.ao.nn.quantized.dynamic import Linear as Int8Linear

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    engine = BookNLPEngine(**options(tiny_models, quantize="int8", device="cpu")["booknlp"])
    result = engine.run(SHORT, model="custom", pipeline=FULL, progress=lambda *a: None)
    for role in ("entity", "quote", "coref"):
        modules = list(engine._parts["custom", role].model.modules())
        assert any(isinstance(m, Int8Linear) for m in modules), role
        floats = [m for m in modules if type(m) is torch.nn.Linear]
        assert not floats, (role, floats[:2])
    assert engine.describe()["quantize"] == "int8"
    assert len(result.tokens["word"]) > 1000 and len(result.entities["COREF"]) > 0
    assert result.characters
