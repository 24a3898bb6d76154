"""Project Gutenberg's licence header and footer stripped from a book's text
(`booknlp_jupyter.corpora.sources.strip_gutenberg_boilerplate`, ``strip_gutenberg``):
modern and older variants, on real files in tmp_path and the shared corpus."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from booknlp_jupyter.corpora.sources import BadBook, read_book, strip_gutenberg_boilerplate

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

HEADER = """\
The Project Gutenberg eBook of The Fall of the House of Usher, by Edgar Allan Poe

This eBook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever. You may copy it, give it away or re-use it under the terms
of the Project Gutenberg License included with this eBook or online at
www.gutenberg.org. If you are not located in the United States, you
will have to check the laws of the country where you are located before
using this eBook.

Title: The Fall of the House of Usher

Author: Edgar Allan Poe

Release Date: June, 1997 [eBook #932]
[Most recently updated: March 3, 2021]

Language: English

Character set encoding: UTF-8

Produced by: David Widger

*** START OF THE PROJECT GUTENBERG EBOOK THE FALL OF THE HOUSE OF USHER ***




"""

FOOTER = """\



*** END OF THE PROJECT GUTENBERG EBOOK THE FALL OF THE HOUSE OF USHER ***

Updated editions will replace the previous one--the old editions will
be renamed.

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

To protect the Project Gutenberg-tm mission of promoting the free
distribution of electronic works, by using or distributing this work
(or any other work associated in any way with the phrase "Project
Gutenberg"), you agree to comply with all the terms of the Full
Project Gutenberg-tm License available with this file or online at
www.gutenberg.org/license.
"""

OLD_HEADER = """\
The Project Gutenberg EBook of Emma, by Jane Austen

This eBook is for the use of anyone anywhere at no cost and with
almost no restrictions whatsoever.

Title: Emma

Author: Jane Austen

*** START OF THIS PROJECT GUTENBERG EBOOK EMMA ***




Produced by An Anonymous Volunteer and David Widger





"""

OLD_FOOTER = """\





End of the Project Gutenberg EBook of Emma, by Jane Austen

*** END OF THIS PROJECT GUTENBERG EBOOK EMMA ***

***** This file should be named 158.txt or 158.zip *****
"""

SMALL_PRINT_HEADER = """\
**The Project Gutenberg Etext of Emma, by Jane Austen**

**Welcome To The World of Free Plain Vanilla Electronic Texts**

*****These eBooks Were Prepared By Thousands of Volunteers!*****

***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***
Why is this "Small Print" statement here? You know: lawyers.
*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

"""


def test_strips_a_modern_gutenberg_file_read_with_crlf(tmp_path: Path) -> None:
    book = (FIXTURES / "usher.txt").read_text(encoding="utf-8")
    path = tmp_path / "pg932.txt"  # as gutenberg.org serves it: BOM, CRLF
    path.write_bytes(codecs.BOM_UTF8 + (HEADER + book + FOOTER).replace("\n", "\r\n").encode())
    text, digest = read_book(path, strip_gutenberg=True)
    assert text == book
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    kept, _ = read_book(path)
    assert kept.startswith("The Project Gutenberg eBook") and "FULL LICENSE" in kept


def test_strips_older_gutenberg_variants() -> None:
    text = (FIXTURES / "pride_excerpt.txt").read_text(encoding="utf-8")
    book = text.rstrip() + "\n"  # the blank lines that end the body go with the footer
    assert strip_gutenberg_boilerplate(OLD_HEADER + text + OLD_FOOTER) == book
    old = SMALL_PRINT_HEADER + text + "\nEnd of The Project Gutenberg Etext of Emma\n"
    assert strip_gutenberg_boilerplate(old) == book
    # markers need not be in capitals, nor preceded by three stars
    assert strip_gutenberg_boilerplate(
        "Licence\n*** Start of the Project Gutenberg eBook X\nBody.\n"
    ) == ("Body.\n")
    assert strip_gutenberg_boilerplate(
        "Body.\n***END OF THE PROJECT GUTENBERG EBOOK X***\nL\n"
    ) == ("Body.\n")


def test_text_without_markers_is_unchanged() -> None:
    texts = [
        (FIXTURES / name).read_text(encoding="utf-8") for name in ("usher.txt", "pride_excerpt.txt")
    ]
    texts.append("She read the Project Gutenberg licence.\n*** a starred line ***\n")
    for text in texts:
        assert strip_gutenberg_boilerplate(text) is text


def test_the_shared_corpus_has_no_boilerplate_left() -> None:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} is absent (the shared material is optional)")
    for path in sorted(SHARED_CORPUS.glob("*.txt")):
        text, _ = read_book(path)
        assert strip_gutenberg_boilerplate(text) is text, path.name


def test_a_book_that_is_only_boilerplate_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(HEADER + FOOTER)
    with pytest.raises(BadBook, match="empty"):
        read_book(path, strip_gutenberg=True)
