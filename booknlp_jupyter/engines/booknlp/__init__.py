"""The ``booknlp`` engine: BookNLP 1.0.8's models (``small``, ``big``, ``custom``).

Importing this package is cheap (no torch, spaCy or booknlp): they load in
`BookNLPEngine.load`, inside the worker process.
"""

from .engine import BookNLPEngine

__all__ = ["BookNLPEngine"]
