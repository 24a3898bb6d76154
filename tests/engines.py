"""Engines whose timing and failures the tests drive (never shipped).

The text's lines that start with ``@`` are directives, run in order:

``@sleep S``      sleep S seconds, reporting progress in 10 steps
``@gate PATH``    wait until PATH exists (the test opens the gate)
``@pidfile PATH`` write the worker's pid to PATH
``@fail MSG``     raise RuntimeError(MSG)
``@exit CODE``    call sys.exit(CODE), as BookNLP does
``@segfault``     crash the process with SIGSEGV
``@oom``          kill the process with SIGKILL, as the OOM killer does

Other words become tokens (and capitalised ones PER entities).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

from booknlp_jupyter.engines import Engine, EngineResult

LOADS: list[str] = []


class ControlledEngine(Engine):
    name = "controlled"
    models = ("test", "test-b")

    @classmethod
    def identity(cls, model, options):
        """Its "model files": ``$BOOKNLP_TEST_MODEL_VERSION`` (a test changes it)."""
        return f"controlled {os.environ.get('BOOKNLP_TEST_MODEL_VERSION', '1')}"

    def load(self, model, pipeline):
        if model not in LOADS:
            LOADS.append(model)

    def run(self, text, *, model, pipeline, progress):
        for line in text.splitlines():
            if not line.startswith("@"):
                continue
            cmd, _, arg = line[1:].partition(" ")
            if cmd == "sleep":
                for i in range(10):
                    time.sleep(float(arg) / 10)
                    progress((i + 1) / 20, "sleeping")
            elif cmd == "gate":
                progress(0.05, "waiting")
                while not Path(arg).exists():
                    time.sleep(0.02)
            elif cmd == "pidfile":
                Path(arg).write_text(str(os.getpid()))
            elif cmd == "fail":
                raise RuntimeError(arg)
            elif cmd == "exit":
                sys.exit(int(arg))
            elif cmd == "segfault":
                os.kill(os.getpid(), signal.SIGSEGV)
            elif cmd == "oom":
                os.kill(os.getpid(), signal.SIGKILL)
        progress(0.6, "tokens")
        # directive lines are blanked (offsets kept); the rest is split on whitespace
        body = re.sub(r"(?m)^@.*$", lambda m: " " * len(m.group()), text)
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", body)]
        tokens = {
            "paragraph_ID": [0] * len(words),
            "sentence_ID": [0] * len(words),
            "token_ID_within_sentence": list(range(len(words))),
            "token_ID_within_document": list(range(len(words))),
            "word": [w for _, _, w in words],
            "lemma": [w.lower() for _, _, w in words],
            "byte_onset": [s for s, _, _ in words],
            "byte_offset": [e for _, e, _ in words],
            "POS_tag": ["X"] * len(words),
            "fine_POS_tag": ["XX"] * len(words),
            "dependency_relation": ["dep"] * len(words),
            "syntactic_head_ID": list(range(len(words))),
            "event": ["O"] * len(words),
        }
        entities = [
            {"COREF": i, "start_token": i, "end_token": i, "prop": "PROP", "cat": "PER", "text": w}
            for i, (_, _, w) in enumerate(words)
            if w[:1].isupper() and "entity" in pipeline
        ]
        progress(0.9, "characters")
        characters = [
            {
                "id": e["COREF"],
                "name": e["text"],
                "count": 1,
                "g": None,
                "mentions": {"proper": [{"n": e["text"], "c": 1}], "common": [], "pronoun": []},
                "agent": [],
                "patient": [],
                "mod": [],
                "poss": [],
            }
            for e in entities
        ]
        quotes = (
            [
                {
                    "quote_start": 0,
                    "quote_end": 0,
                    "mention_start": None,
                    "mention_end": None,
                    "mention_phrase": None,
                    "char_id": None,
                    "quote": words[0][2],
                }
            ]
            if words
            else []
        )
        return EngineResult(tokens=tokens, entities=entities, quotes=quotes, characters=characters)


class InstantEngine(Engine):
    """Does nothing, at once: for measuring the service's own overhead."""

    name = "instant"
    models = ("instant",)

    def run(self, text, *, model, pipeline, progress):
        return EngineResult()


class StandInEngine(ControlledEngine):
    """Serves the spec's model names (``small``, ``big``) so its examples run unchanged
    in tests that must not depend on BookNLP's weights."""

    name = "stand-in"
    models = ("small", "big")
