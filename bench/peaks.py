"""Peak memory samplers for the benches: a process tree's RSS (psutil), the GPU's (nvidia-smi)."""

from __future__ import annotations

import contextlib
import subprocess


def tree_rss_mb(pid: int) -> float:
    """The resident memory (MB) of process ``pid`` and all its descendants now (0 when
    it is gone): the worker with its spaCy helpers."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):  # ended meanwhile
            total += proc.memory_info().rss
    return total / 2**20


class GpuMemory:
    """The peak GPU memory in use (MB, all processes), sampled by ``nvidia-smi`` twice a
    second; None without a GPU."""

    def __init__(self) -> None:
        import shutil

        self.cmd = shutil.which("nvidia-smi")
        self.proc: subprocess.Popen[str] | None = None
        self.peak: int | None = None

    def start(self) -> None:
        if self.cmd is None:
            return
        import threading

        self.proc = subprocess.Popen(
            [self.cmd, "--query-gpu=memory.used", "--format=csv,noheader,nounits", "-lms", "500"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                try:
                    used = int(line.split(",")[0])
                except ValueError:
                    continue
                self.peak = used if self.peak is None else max(self.peak, used)

        threading.Thread(target=read, daemon=True).start()

    def take_peak(self) -> int | None:
        """The peak since the last call (then sampling starts over)."""
        peak, self.peak = self.peak, None
        return peak

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
