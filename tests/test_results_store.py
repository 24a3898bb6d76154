"""Result files: typed tables, atomic writes, and readers that outlive a deletion."""

from __future__ import annotations

import io
import json
import shutil

import pyarrow.parquet as pq
import pytest

from booknlp_jupyter.engines import EngineResult
from booknlp_jupyter.results import ResultReader, write_result

TOKENS = {
    "paragraph_ID": [0, 0],
    "sentence_ID": [0, 0],
    "token_ID_within_sentence": [0, 1],
    "token_ID_within_document": [0, 1],
    "word": ["Call", "me"],
    "lemma": ["call", "I"],
    "byte_onset": [0, 5],
    "byte_offset": [4, 7],
    "POS_tag": ["VERB", "PRON"],
    "fine_POS_tag": ["VB", "PRP"],
    "dependency_relation": ["ROOT", "dobj"],
    "syntactic_head_ID": [0, 0],
    "event": ["O", "O"],
}


def test_held_reader_streams_after_the_folder_is_deleted(tmp_path):
    write_result(
        EngineResult(tokens=TOKENS, characters=[{"id": 1, "name": "Ishmael"}]), tmp_path / "r"
    )
    whole = json.loads(b"".join(ResultReader(tmp_path / "r").iter_result(b"", b"")))
    reader = ResultReader(tmp_path / "r", hold=True)
    shutil.rmtree(tmp_path / "r")  # the job expires while its result is being sent
    assert json.loads(b"".join(reader.iter_result(b"", b""))) == whole
    table = pq.read_table(io.BytesIO(b"".join(reader.iter_parquet("tokens"))))
    assert table.column("word").to_pylist() == ["Call", "me"]
    reader.close()
    with pytest.raises(FileNotFoundError):
        ResultReader(tmp_path / "r", hold=True)


def test_missing_columns_are_refused_and_nothing_is_left(tmp_path):
    broken = dict(TOKENS)
    del broken["lemma"]
    with pytest.raises(ValueError, match="lemma"):
        write_result(EngineResult(tokens=broken), tmp_path / "r")
    assert not (tmp_path / "r").exists() and not list(tmp_path.iterdir())
