"""The ``lite`` engine: spaCy plus BookNLP's rule-based parts, offline, no GPU.

Importing this package is cheap: spaCy, torch and booknlp load in `LiteEngine.load`.
"""

from .engine import LiteEngine

__all__ = ["LiteEngine"]
