"""``booknlp-jupyter models`` and ``doctor``, and the engine's compatibility shims."""

from __future__ import annotations

import http.server
import os
import threading
import time
from pathlib import Path

import pytest

from booknlp_jupyter.cli import main
from booknlp_jupyter.engines.base import PipelineError
from booknlp_jupyter.engines.booknlp import BookNLPEngine, compat, download, files
from booknlp_jupyter.engines.booknlp.spacy_stage import split_text

SMALL = files.MODEL_SETS["small"]


def fake_model(path: Path, size: int = 300_000) -> bytes:
    data = b"PK\x03\x04" + bytes(range(256)) * (size // 256)
    path.write_bytes(data)
    return data


def fake_vocab(path: Path) -> None:
    path.write_text("\n".join(f"w{i}" for i in range(files.VOCAB_SIZE)) + "\n", encoding="utf-8")


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that honours ``Range: bytes=N-`` (as the model host does)."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        if rng := self.headers.get("Range"):
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


@pytest.fixture
def model_host(tmp_path):
    root = tmp_path / "host"
    root.mkdir()
    contents = {name: fake_model(root / name) for name in SMALL.values()}
    fake_vocab(root / "vocab.txt")

    def handler(*args, **kwargs):
        return RangeHandler(*args, directory=str(root), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", contents
    server.shutdown()


def test_download_is_atomic_resumable_and_checked(model_host, tmp_path):
    url, contents = model_host
    target = tmp_path / "models"
    target.mkdir()
    first = next(iter(SMALL.values()))
    (target / (first + ".part")).write_bytes(contents[first][:1000])  # an interrupted run
    got = download.download(
        "small", target, base_url=url + "/{name}", vocab_url=url + "/vocab.txt", quiet=True
    )
    assert len(got) == 4
    for name, data in contents.items():
        assert (target / name).read_bytes() == data
    assert not list(target.glob("*.part"))
    # a file that is not a model (an HTML error page) is refused and never put in place
    (tmp_path / "host" / "vocab.txt").write_text("<html>oops</html>")
    with pytest.raises(files.ModelFilesError, match="lines"):
        download.fetch(url + "/vocab.txt", tmp_path / "other" / "vocab.txt")
    assert not (tmp_path / "other" / "vocab.txt").exists()


def test_models_import_list_and_doctor(tmp_path, capsys):
    source = tmp_path / "usb"
    source.mkdir()
    for name in SMALL.values():
        fake_model(source / name)
    fake_vocab(source / "vocab.txt")
    target = tmp_path / "models"
    assert main(["doctor", "--dir", str(target)]) == 1
    out = capsys.readouterr().out
    assert "booknlp-jupyter models download small" in out
    assert main(["models", "import", str(source), "--dir", str(target)]) == 0
    assert main(["models", "list", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.count("missing") == 3  # big only
    assert "0.3 MB" in out
    assert main(["doctor", "--dir", str(target)]) == 0


def test_missing_model_error_names_the_command(tmp_path):
    with pytest.raises(files.ModelFilesError, match="booknlp-jupyter models download small"):
        files.require_files("small", ["entity"], {"model_dir": str(tmp_path)})
    with pytest.raises(files.ModelFilesError, match="entity_model_path"):
        files.model_paths("custom", {})


def test_pipeline_errors_say_what_to_add():
    with pytest.raises(PipelineError, match="add 'entity'"):
        BookNLPEngine.check_pipeline("small", ["quote"])
    with pytest.raises(PipelineError, match="add 'quote'"):
        BookNLPEngine.check_pipeline("big", ["entity", "coref"])
    BookNLPEngine.check_pipeline("small", ["entity", "quote", "coref"])


def test_state_dict_fits_both_transformers_lines():
    old_file = {"bert.embeddings.position_ids": 1, "w": 2}
    assert compat.fit_state_dict(old_file, {"w": 0}) == {"w": 2}  # 4.31+
    assert compat.fit_state_dict({"w": 2}, {"w": 0, "bert.embeddings.position_ids": 7}) == {
        "w": 2,
        "bert.embeddings.position_ids": 7,
    }  # 4.30
    compat.check_transformers("4.30.2")
    compat.check_transformers("4.57.6")
    for bad in ("5.0.0", "4.29.0"):
        with pytest.raises(compat.BookNLPEngineError, match=r"transformers>=4\.30,<5"):
            compat.check_transformers(bad)


def test_sys_exit_becomes_an_error_with_what_booknlp_said():
    with (
        pytest.raises(compat.BookNLPEngineError, match=r"sys.exit\(1\) during coref: problem!"),
        compat.contain_exit("coref"),
    ):
        print("problem!")
        raise SystemExit(1)


def test_split_text_cuts_after_blank_lines():
    text = "".join(f"Paragraph {i} has words.\n\n" for i in range(200))
    pieces = split_text(text, 500)
    assert "".join(pieces) == text and len(pieces) > 5
    assert all(len(p) <= 500 for p in pieces)
    assert all(p.endswith("\n\n") for p in pieces[:-1])
    assert split_text(text, 0) == [text]


def test_split_text_bounds_text_without_paragraphs():
    for text, ends in [("word " * 50_000, " "), ("a line\n" * 40_000, "\n"),
                       ("Hi there. " * 30_000, ". "), ('"' * 250_000, '"')]:  # fmt: skip
        pieces = split_text(text, 100_000)
        assert "".join(pieces) == text and len(pieces) > 2
        assert all(len(p) <= 100_000 for p in pieces)
        assert all(p.endswith(ends) for p in pieces[:-1])


def test_unavailable_reason_says_how_to_install(tmp_path):
    reason = BookNLPEngine.unavailable_reason("small", {"model_dir": str(tmp_path)})
    assert reason is not None and "booknlp-jupyter models download small --dir" in reason
    assert "entity_model_path" in BookNLPEngine.unavailable_reason("custom", {})
    for name in SMALL.values():
        fake_model(tmp_path / name, 1000)
    fake_vocab(tmp_path / "vocab.txt")
    assert BookNLPEngine.unavailable_reason("small", {"model_dir": str(tmp_path)}) is None
    big = BookNLPEngine.unavailable_reason("big", {"model_dir": str(tmp_path)})
    assert "booknlp-jupyter models download big" in big
    custom = {"entity_model_path": str(tmp_path / SMALL["entity"]),
              "coref_model_path": str(tmp_path / SMALL["coref"]),
              "quote_attribution_model_path": str(tmp_path / "gone.model")}  # fmt: skip
    assert "gone.model" in BookNLPEngine.unavailable_reason("custom", custom)


def test_identity_follows_model_files_cheaply(tmp_path):
    paths = {role: tmp_path / name for role, name in SMALL.items()}
    for path in paths.values():
        fake_model(path, 1000)
    fake_vocab(tmp_path / "vocab.txt")
    custom = {"entity_model_path": str(paths["entity"]), "coref_model_path": str(paths["coref"]),
              "quote_attribution_model_path": str(paths["quote"])}  # fmt: skip
    first = BookNLPEngine.identity("custom", custom)
    assert first == BookNLPEngine.identity("custom", custom)
    assert str(paths["coref"]) in first and '"size":' in first
    assert BookNLPEngine.identity("small", {"model_dir": str(tmp_path)}) != first
    fake_model(paths["coref"], 2000)  # retrained: another size
    second = BookNLPEngine.identity("custom", custom)
    assert second != first
    stat = paths["coref"].stat()
    os.utime(paths["coref"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert BookNLPEngine.identity("custom", custom) != second  # same size, rewritten
    huge = tmp_path / "huge" / SMALL["entity"]
    huge.parent.mkdir()
    with open(huge, "wb") as f:
        f.truncate(20 * 1024**3)  # sparse: identity reads no file's contents
    started = time.monotonic()
    assert str(huge) in BookNLPEngine.identity("custom", {**custom, "entity_model_path": huge})
    assert time.monotonic() - started < 1
    whole = BookNLPEngine.identity("custom", {**custom, "spacy_chunk_chars": 0})
    assert whole != BookNLPEngine.identity("custom", custom)
