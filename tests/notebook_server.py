"""Helpers to drive a notebook in a real Jupyter server: `JupyterServer` and `Kernel` (from
`booknlp_jupyter.testing.notebook`, shared with ``bench/``; re-exported here), and helpers
to read a progress widget's messages: shared by the ``test_notebook_*`` modules."""

from __future__ import annotations

from pathlib import Path

from booknlp_jupyter.testing.notebook import BASE_URL, TOKEN, JupyterServer, Kernel

__all__ = [
    "BASE_URL",
    "TOKEN",
    "WIDGET_VIEW",
    "JupyterServer",
    "Kernel",
    "gate_text",
    "labels",
    "widget_ids",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def gate_text(tmp: Path, name: str, words: str = "Mr Darcy met Elizabeth") -> tuple[str, Path]:
    gate = tmp / name
    return f"@gate {gate}\n@sleep 0.3\n{words}\n", gate


def widget_ids(kernel: Kernel, var: str) -> dict[str, str]:
    out = kernel.run(
        f"_w = {var}.widget()\n"
        "print(_w.model_id, _w.bar.model_id, _w.label.model_id, "
        "_w.cancel_button.model_id)"
    )
    return dict(zip(("box", "bar", "label", "cancel"), out.split(), strict=True))


def labels(kernel: Kernel, ids: dict[str, str], start: int = 0) -> list[str]:
    return [s["value"] for s in kernel.updates(ids["label"], start) if "value" in s]
