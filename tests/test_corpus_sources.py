"""The files of a corpus (confined to the root), its output folder, and reading a book's
text as BookNLP reads it: `booknlp_jupyter.corpora.sources`, on real files in tmp_path."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import Path

import pytest

from booknlp_jupyter.corpora.sources import (
    MAX_BOOKS,
    BadBook,
    BookSource,
    default_output_name,
    read_book,
    resolve_books,
    resolve_output_dir,
)
from booknlp_jupyter.jobs.errors import InvalidRequest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A server root with a folder of books (and things that are not books), beside a
    folder outside it."""
    root = tmp_path / "root"
    novels = root / "novels"
    (novels / "sub").mkdir(parents=True)
    (novels / "b.txt").write_text("Bee.\n")
    (novels / "A.TXT").write_text("Ay, ay.\n")
    (novels / "c.d.txt").write_text("Sea.\n")
    (novels / ".hidden.txt").write_text("hidden\n")
    (novels / "notes.md").write_text("not a book\n")
    (novels / "sub" / "deep.txt").write_text("not directly inside\n")
    (novels / "folder.txt").mkdir()
    os.mkfifo(novels / "pipe.txt")
    (novels / "dangling.txt").symlink_to(novels / "missing")
    (novels / "linked.txt").symlink_to(novels / "b.txt")
    (root / "top.txt").write_text("top\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    return root


def refused(root: Path, **kwargs) -> str:
    with pytest.raises(InvalidRequest) as info:
        resolve_books(root, **kwargs)
    assert str(info.value) == info.value.detail
    return info.value.detail


# --- resolve_books ----------------------------------------------------------------------


def test_folder_lists_its_txt_files_sorted_skipping_the_rest(root: Path) -> None:
    books = resolve_books(root, folder="novels/")
    assert [b.path for b in books] == [
        "novels/A.TXT",
        "novels/b.txt",
        "novels/c.d.txt",
        "novels/linked.txt",
    ]
    assert [b.book_id for b in books] == ["A", "b", "c.d", "linked"]
    for book in books:
        assert isinstance(book, BookSource)
        assert book.abs_path.is_absolute() and book.abs_path.is_file()
        assert book.size == book.abs_path.stat().st_size > 0
    # a link inside the root to a file inside it is read through to that file
    assert books[3].abs_path == (root / "novels" / "b.txt").resolve()


def test_paths_keep_their_order_and_are_normalized(root: Path) -> None:
    books = resolve_books(root, paths=["top.txt", "novels/./b.txt", "novels/sub/../c.d.txt"])
    assert [(b.book_id, b.path) for b in books] == [
        ("top", "top.txt"),
        ("b", "novels/b.txt"),
        ("c.d", "novels/c.d.txt"),
    ]
    assert books[2].abs_path == (root / "novels" / "c.d.txt").resolve()


def test_the_root_itself_may_be_the_folder(root: Path) -> None:
    assert [b.path for b in resolve_books(root, folder=".")] == ["top.txt"]
    assert [b.path for b in resolve_books(root, folder="")] == ["top.txt"]


def test_exactly_one_of_folder_and_paths(root: Path) -> None:
    assert refused(root).startswith("folder: ")
    assert "not both" in refused(root, folder="novels", paths=["top.txt"])
    assert refused(root, paths=[]).startswith("paths: ")
    assert refused(root, paths="top.txt").startswith("paths: must be a list")
    assert refused(root, folder=3).startswith("folder: must be a string")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"folder": "../outside"}, "folder: '../outside' is outside the server's root directory"),
        ({"folder": "novels/../../outside"}, "folder: 'novels/../../outside' is outside"),
        ({"folder": "ABS"}, "is an absolute path"),
        ({"folder": "away"}, "folder: 'away' is outside the server's root directory"),
        ({"folder": "leaky"}, "folder: 'leaky/secret.txt' is a link to a file outside"),
        ({"paths": ["../outside/secret.txt"]}, "paths: '../outside/secret.txt' is outside"),
        ({"paths": ["top.txt", "ABS"]}, "is an absolute path"),
        ({"paths": ["secret_link.txt"]}, "paths: 'secret_link.txt' is outside the server's"),
        ({"paths": ["away/secret.txt"]}, "paths: 'away/secret.txt' is outside"),
    ],
)
def test_nothing_outside_the_root(root: Path, kwargs: dict, expected: str) -> None:
    outside = root.parent / "outside"
    (root / "away").symlink_to(outside, target_is_directory=True)  # a folder link
    (root / "secret_link.txt").symlink_to(outside / "secret.txt")  # a file link
    (root / "leaky").mkdir()
    (root / "leaky" / "fine.txt").write_text("fine\n")
    (root / "leaky" / "secret.txt").symlink_to(outside / "secret.txt")
    key, value = next(iter(kwargs.items()))
    if key == "folder" and value == "ABS":
        kwargs = {"folder": str(outside)}
    if key == "paths":
        kwargs = {"paths": [str(outside / "secret.txt") if p == "ABS" else p for p in value]}
    detail = refused(root, **kwargs)
    assert detail.startswith(f"{key}: ")
    assert expected in detail


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"folder": "nowhere"}, "folder: 'nowhere' does not exist"),
        ({"folder": "top.txt"}, "folder: 'top.txt' is not a folder"),
        ({"folder": "empty"}, "folder: 'empty' holds no .txt files"),
        ({"folder": "novels/sub/.."}, None),  # fine: it is novels
        ({"paths": ["novels/nope.txt"]}, "paths: 'novels/nope.txt' does not exist"),
        ({"paths": ["novels/dangling.txt"]}, "paths: 'novels/dangling.txt' does not exist"),
        (
            {"paths": ["novels"]},
            ("paths: 'novels' is a folder, not a file (give a folder as 'folder')"),
        ),
        ({"paths": ["novels/pipe.txt"]}, "paths: 'novels/pipe.txt' is not a regular file"),
    ],
)
def test_missing_and_wrong_kinds_of_files(root: Path, kwargs: dict, expected: str | None) -> None:
    (root / "empty").mkdir()
    (root / "empty" / "readme.md").write_text("no books here\n")
    if expected is None:
        assert [b.book_id for b in resolve_books(root, **kwargs)] == ["A", "b", "c.d", "linked"]
    else:
        assert refused(root, **kwargs) == expected


def test_clashing_book_ids_name_both_files(root: Path) -> None:
    (root / "more").mkdir()
    (root / "more" / "b.txt").write_text("another bee\n")
    detail = refused(root, paths=["novels/b.txt", "top.txt", "more/b.txt"])
    assert detail.startswith("paths: ")
    assert "'novels/b.txt'" in detail and "'more/b.txt'" in detail and "'b'" in detail
    # differing only in case: one name on case-insensitive file systems
    (root / "more" / "B.txt").write_text("a capital bee\n")
    detail = refused(root, folder="more")
    assert detail.startswith("folder: ") and "'more/B.txt'" in detail and "'more/b.txt'" in detail
    # one file with two names (a link) is two books with two ids: that is fine
    assert len(resolve_books(root, paths=["novels/b.txt", "novels/linked.txt"])) == 2
    assert refused(root, paths=["top.txt", "./top.txt"]) == "paths: 'top.txt' is listed twice"


def test_at_most_max_books(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    for i in range(MAX_BOOKS):
        (big / f"{i:05}.txt").touch()
    assert len(resolve_books(tmp_path, folder="big")) == MAX_BOOKS
    (big / "one-more.txt").touch()
    assert refused(tmp_path, folder="big").startswith("folder: 'big' holds 10,001 .txt files")
    detail = refused(tmp_path, paths=[f"big/{i:05}.txt" for i in range(MAX_BOOKS + 1)])
    assert detail.startswith("paths: lists 10,001 files")


# --- output folder ----------------------------------------------------------------------


def test_output_dir_default_and_given(root: Path) -> None:
    rel, path = resolve_output_dir(root, None, "novels")
    assert rel == "booknlp_output/novels"
    assert path == root.resolve() / "booknlp_output" / "novels"
    assert not path.exists()  # created by whoever writes into it
    rel, path = resolve_output_dir(root, "results/./run1/", "ignored")
    assert (rel, path) == ("results/run1", root.resolve() / "results" / "run1")
    assert resolve_output_dir(root, "novels", "x") == ("novels", root.resolve() / "novels")
    (root / "inner").symlink_to(root / "novels", target_is_directory=True)
    assert resolve_output_dir(root, "inner", "x") == ("novels", root.resolve() / "novels")


@pytest.mark.parametrize(
    ("output_dir", "expected"),
    [
        ("../outside", "output_dir: '../outside' is outside the server's root directory"),
        ("ABS", "is an absolute path"),
        ("away", "output_dir: 'away' is outside the server's root directory"),
        ("away/new/deeper", "output_dir: 'away/new/deeper' is outside"),
        ("top.txt", "output_dir: 'top.txt' exists and is not a folder"),
        ("top.txt/out", "output_dir: 'top.txt/out' cannot be created: 'top.txt' is a file"),
        (".", "output_dir: '.' is the server's root directory"),
        ("", "output_dir: must be a folder path"),
    ],
)
def test_output_dir_refusals(root: Path, output_dir: str, expected: str) -> None:
    outside = root.parent / "outside"
    (root / "away").symlink_to(outside, target_is_directory=True)
    if output_dir == "ABS":
        output_dir = str(outside)
    with pytest.raises(InvalidRequest) as info:
        resolve_output_dir(root, output_dir, "novels")
    assert info.value.detail.startswith("output_dir: ")
    assert expected in info.value.detail


def test_default_output_name(root: Path) -> None:
    assert default_output_name("novels/", []) == "novels"
    assert default_output_name("shelf/novels", []) == "novels"
    assert default_output_name(".", []) == "corpus"
    books = resolve_books(root, paths=["novels/b.txt", "novels/sub/deep.txt"])
    assert default_output_name(None, books) == "novels"
    books = resolve_books(root, paths=["novels/b.txt", "top.txt"])
    assert default_output_name(None, books) == "corpus"
    assert default_output_name(None, []) == "corpus"


# --- reading a book ---------------------------------------------------------------------


def test_bom_and_crlf_read_like_the_plain_lf_file(tmp_path: Path) -> None:
    raw = (FIXTURES / "usher.txt").read_bytes()
    assert b"\r" not in raw
    plain, crlf, cr = tmp_path / "plain.txt", tmp_path / "crlf.txt", tmp_path / "cr.txt"
    plain.write_bytes(raw)
    crlf.write_bytes(codecs.BOM_UTF8 + raw.replace(b"\n", b"\r\n"))
    cr.write_bytes(raw.replace(b"\n", b"\r"))
    text, digest = read_book(plain)
    assert text == raw.decode("utf-8")
    for other in (crlf, cr):
        other_text, other_digest = read_book(other)
        assert other_text == text
        assert other_digest == hashlib.sha256(other.read_bytes()).hexdigest() != digest
        # what Python's universal newlines give (BookNLP's open()), less the BOM
        with open(other, encoding="utf-8-sig") as f:
            assert f.read() == other_text
    assert text.index("Roderick Usher") == read_book(crlf)[0].index("Roderick Usher") > 0
    assert digest == hashlib.sha256(raw).hexdigest()


def test_utf8_text_is_kept_as_is(tmp_path: Path) -> None:
    path = tmp_path / "accents.txt"
    text = "Café, naïve — “quoted” 日本\tend\f\n"
    path.write_bytes(text.encode("utf-8"))
    assert read_book(path) == (text, hashlib.sha256(text.encode("utf-8")).hexdigest())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b" \n\r\n\t \xe2\x80\x83\n", "the file is empty (it holds only whitespace)"),
        (codecs.BOM_UTF8 + b"\r\n", "the file is empty (it holds only whitespace)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00text", "binary, not text (it contains NUL bytes)"),
        (bytes(range(1, 256)) * 4, "binary, not text (11% of its bytes are control characters)"),
        ("UTF-16 text".encode("utf-16"), "saved as UTF-16"),
        (
            "Il était une fois\nun café".encode("latin-1"),
            "not valid UTF-8: byte 0xE9 at byte offset 3 (line 1) cannot be decoded; save the "
            "file as UTF-8",
        ),
        (
            codecs.BOM_UTF8 + "ok\r\nok\r\ncaf\xe9".encode("cp1252"),
            "byte 0xE9 at byte offset 14 (line 3)",
        ),
    ],
)
def test_bad_books(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(BadBook) as info:
        read_book(path)
    assert reason in str(info.value)


def test_unreadable_files_are_bad_books(tmp_path: Path) -> None:
    with pytest.raises(BadBook, match="no longer exists"):
        read_book(tmp_path / "gone.txt")
    with pytest.raises(BadBook, match="a folder, not a file"):
        read_book(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied_is_a_bad_book(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("locked\n")
    path.chmod(0)
    with pytest.raises(BadBook, match="permission denied"):
        read_book(path)
