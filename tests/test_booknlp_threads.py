"""PyTorch's CPU threads: the cgroup quota and affinity read from real files, the
``torch_threads`` option reaching the worker's torch, and the doctor's line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from booknlp_jupyter.engines.booknlp import BookNLPEngine, doctor, threads
from booknlp_jupyter.engines.booknlp.options import BookNLPOptions
from tests.test_booknlp_api import options, tiny_models  # noqa: F401  (a fixture)


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return root


def test_cgroup_v2_and_v1_quotas(tmp_path) -> None:
    assert threads.cpu_quota(write(tmp_path / "a", "cpu.max", "150000 100000")) == 1.5
    assert threads.cpu_quota(write(tmp_path / "b", "cpu.max", "max 100000")) is None
    v1 = write(tmp_path / "c", "cpu/cpu.cfs_quota_us", "300000")
    write(v1, "cpu/cpu.cfs_period_us", "100000")
    assert threads.cpu_quota(v1) == 3.0
    write(tmp_path / "d", "cpu/cpu.cfs_quota_us", "-1")
    write(tmp_path / "d", "cpu/cpu.cfs_period_us", "100000")
    assert threads.cpu_quota(tmp_path / "d") is None
    assert threads.cpu_quota(tmp_path / "none") is None
    assert threads.cpu_quota(write(tmp_path / "e", "cpu.max", "garbage")) is None


def test_usable_cpus_are_the_affinity_capped_by_the_quota(tmp_path) -> None:
    affinity = len(os.sched_getaffinity(0))
    assert threads.usable_cpus(tmp_path / "none") == affinity
    assert threads.usable_cpus(write(tmp_path / "half", "cpu.max", "50000 100000")) == 1
    assert threads.usable_cpus(write(tmp_path / "many", "cpu.max", "9900000 100000")) == affinity


def test_the_doctor_says_when_torch_would_oversubscribe() -> None:
    assert threads.check(2, 2) == (True, "2 on 2 usable CPUs")
    ok, fix = threads.check(64, 2)
    assert not ok and '"torch_threads": 2' in fix
    lines = {what: (ok, detail) for what, ok, detail in doctor.checks({"torch_threads": 10_000})}
    ok, detail = lines["CPU threads"]
    assert not ok and "10000 threads" in detail
    with pytest.raises(ValidationError):
        BookNLPOptions(torch_threads=0)


def test_the_doctor_says_when_spacy_parsers_would_oversubscribe() -> None:
    def line(options: dict) -> tuple[bool, str]:
        return next((ok, detail) for what, ok, detail in doctor.checks(options)
                    if what == "spaCy parsers")  # fmt: skip

    usable = threads.usable_cpus()
    assert line({}) == (True, f"{min(2, usable)} at once on {usable} usable CPUs")
    ok, fix = line({"spacy_processes": usable + 1})
    assert not ok and f'"spacy_processes": {usable}' in fix
    ok, why = line({"spacy_processes": 0})
    assert not ok and "1 to 256" in why


def test_torch_threads_reach_the_workers_torch(tiny_models, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    before = torch.get_num_threads()
    try:
        engine = BookNLPEngine(**options(tiny_models)["booknlp"], torch_threads=1)
        engine.load("custom", ["entity"])
        assert torch.get_num_threads() == 1
        assert engine.describe()["torch_threads"] == 1
    finally:
        torch.set_num_threads(before)
