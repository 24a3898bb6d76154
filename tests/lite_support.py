"""Fixtures for the lite engine's trained-model tests (a pytest plugin, see conftest)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LITBANK = ROOT.parent / "shared" / "litbank"
PRIDE = (Path(__file__).parent / "fixtures" / "pride_excerpt.txt").read_text(encoding="utf-8")
PIPELINE = ["entity", "quote", "coref"]
needs_litbank = pytest.mark.skipif(
    not (LITBANK / "coref").is_dir(), reason=f"LitBank gold not at {LITBANK}"
)


@pytest.fixture(scope="module")
def lite_engine() -> Any:
    """One loaded lite engine per test module."""
    from booknlp_jupyter.engines.lite import LiteEngine

    eng = LiteEngine()
    eng.load("lite", PIPELINE)
    return eng


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any network connection fails the test."""

    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the lite engine tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
