"""How many CPU threads PyTorch may use here (option ``torch_threads``, the doctor's check),
and how many spaCy parses may run at once (``spacy_processes``).

PyTorch starts one thread per core it sees, but a JupyterHub container often sees the
node's cores and may use only a few (its cgroup CPU quota, or its CPU affinity). More
threads than usable CPUs make BERT's small matrix products wait on each other: measured
here (``small``, random weights), with two threads on two cores of which another job held
one, a short profile of the service took 34.0 s, and 3.2 s with one thread; on two idle
cores two threads were faster (8.5 s vs 11.9 s). So the default stays PyTorch's.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def cpu_quota(root: Path = CGROUP) -> float | None:
    """The cgroup's CPU limit in CPUs (v2 ``cpu.max``, else v1 ``cpu.cfs_quota_us``);
    None when there is none or it cannot be read."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def usable_cpus(root: Path = CGROUP) -> int:
    """The CPUs this process may run on: its affinity, capped by the cgroup's quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    quota = cpu_quota(root)
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def check(threads: int, usable: int) -> tuple[bool, str]:
    """The doctor's line: whether ``threads`` PyTorch threads fit ``usable`` CPUs."""
    if threads <= usable:
        return True, f"{threads} on {usable} usable CPUs"
    return False, (
        f"PyTorch would use {threads} threads on {usable} usable CPUs (CPU quota or "
        f'affinity): set c.BookNLPApp.engine_options = {{"booknlp": {{"torch_threads": '
        f"{usable}}}}}"
    )


def check_parsers(parsers: int, usable: int) -> tuple[bool, str]:
    """The doctor's line: whether ``parsers`` spaCy parses at once fit ``usable`` CPUs."""
    if parsers <= usable:
        return True, f"{parsers} at once on {usable} usable CPUs"
    return False, (
        f"{parsers} spaCy parses at once on {usable} usable CPUs slow each other down: set "
        f'c.BookNLPApp.engine_options = {{"booknlp": {{"spacy_processes": {usable}}}}}'
    )
