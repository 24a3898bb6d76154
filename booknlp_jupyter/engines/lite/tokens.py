"""Compact per-token columns for a whole document, filled one spaCy Doc at a time."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from .bounded import split_tokens
from .plain import PLAIN_SENTENCE, SENTENCE_END, plain_attrs


class TokenColumns:
    """The document's tokens as parallel columns (arrays of ints, lists of shared strings).

    Ids are document-level: ``heads[i]`` is the token id of token ``i``'s syntactic head
    (itself for a root); ``sent_ids``/``para_ids`` count sentences and paragraphs that hold
    at least one token. Strings are interned through one dict, so a word or tag that
    occurs 10,000 times is stored once.
    """

    def __init__(self) -> None:
        self.words: list[str] = []
        self.lemmas: list[str] = []
        self.pos: list[str] = []
        self.tags: list[str] = []
        self.deps: list[str] = []
        self.onsets = array("q")
        self.heads = array("i")
        self.sent_ids = array("i")
        self.para_ids = array("i")
        self.in_sent = array("i")
        #: First token id of each sentence.
        self.sent_starts = array("i")
        self._strings: dict[str, str] = {}
        self.n_sents = 0
        self.n_paras = 0

    def __len__(self) -> int:
        return len(self.words)

    def _s(self, s: str) -> str:
        return self._strings.setdefault(s, s)

    def add_doc(self, doc: Any, text: str, base: int, new_paragraph: bool) -> list[int]:
        """Append the non-space tokens of ``doc`` (parsed from ``text[base:...]``).

        Returns the map from ``doc`` token index to document token id (-1 for spaces).
        """
        first = len(self.words)
        gid = [-1] * len(doc)
        nxt = first
        for tok in doc:
            if not tok.is_space:
                gid[tok.i] = nxt
                nxt += 1
        if nxt == first:
            return gid
        if new_paragraph or self.n_paras == 0:
            self.n_paras += 1
        para = self.n_paras - 1
        s = self._s
        for sent in doc.sents:
            within = 0
            for tok in sent:
                i = gid[tok.i]
                if i < 0:
                    continue
                if within == 0:
                    self.sent_starts.append(i)
                    self.n_sents += 1
                on = base + tok.idx
                self.words.append(s(text[on : on + len(tok.text)]))
                self.lemmas.append(s(tok.lemma_))
                self.pos.append(s(tok.pos_))
                self.tags.append(s(tok.tag_))
                self.deps.append(s(tok.dep_))
                self.onsets.append(on)
                head = gid[tok.head.i]
                self.heads.append(head if head >= 0 else i)
                self.sent_ids.append(self.n_sents - 1)
                self.para_ids.append(para)
                self.in_sent.append(within)
                within += 1
        return gid

    def add_plain(self, piece: str, text: str, base: int, new_paragraph: bool) -> None:
        """Append the tokens of ``piece`` (``text[base:...]``) without spaCy: split and
        tagged by rule (`bounded.split_tokens`, `plain.plain_attrs`), a sentence per
        ``.``/``!``/``?`` (at most ``PLAIN_SENTENCE`` tokens), each token a dependent of its
        sentence's first."""
        if new_paragraph or self.n_paras == 0:
            self.n_paras += 1
        para = self.n_paras - 1
        s = self._s
        within = root = 0
        for start, end in split_tokens(piece):
            i = len(self.words)
            if within == 0:
                self.sent_starts.append(i)
                self.n_sents += 1
                root = i
            word = s(text[base + start : base + end])
            lemma, pos, tag, dep = plain_attrs(word)
            self.words.append(word)
            self.lemmas.append(s(lemma))
            self.pos.append(pos)
            self.tags.append(tag)
            self.deps.append("ROOT" if i == root else dep)
            self.onsets.append(base + start)
            self.heads.append(root)
            self.sent_ids.append(self.n_sents - 1)
            self.para_ids.append(para)
            self.in_sent.append(within)
            within = 0 if word in SENTENCE_END or within + 1 >= PLAIN_SENTENCE else within + 1

    def offset(self, i: int) -> int:
        """Character offset just past token ``i``."""
        return self.onsets[i] + len(self.words[i])

    def text(self, start: int, end: int) -> str:
        """Words ``start..end`` (inclusive) joined by spaces, as BookNLP writes phrases."""
        return " ".join(self.words[start : end + 1])

    def span_head(self, start: int, end: int) -> int:
        """The syntactic head of tokens ``start..end``: the first whose head lies outside
        the span (or is itself), else ``end``."""
        for i in range(start, end + 1):
            if not start <= self.heads[i] <= end or self.heads[i] == i:
                return i
        return end

    def sentence_range(self, sid: int) -> tuple[int, int]:
        """First and last token id of sentence ``sid``."""
        start = self.sent_starts[sid]
        end = self.sent_starts[sid + 1] - 1 if sid + 1 < self.n_sents else len(self.words) - 1
        return start, end

    def children(self) -> list[list[int]]:
        """Dependents of each token (computed on demand; not stored)."""
        kids: list[list[int]] = [[] for _ in range(len(self.words))]
        for i, h in enumerate(self.heads):
            if h != i:
                kids[h].append(i)
        return kids


class BookToken:
    """A light stand-in for ``booknlp.common.pipelines.Token``, made on demand."""

    __slots__ = (
        "dephead",
        "deprel",
        "inQuote",
        "lemma",
        "paragraph_id",
        "pos",
        "sentence_id",
        "text",
        "token_id",
    )

    def __init__(self, cols: TokenColumns, i: int):
        self.text = cols.words[i]
        self.lemma = cols.lemmas[i]
        self.pos = cols.pos[i]
        self.deprel = cols.deps[i]
        self.dephead = cols.heads[i]
        self.paragraph_id = cols.para_ids[i]
        self.sentence_id = cols.sent_ids[i]
        self.token_id = i
        self.inQuote = False


class BookTokens:
    """A read-only sequence of `BookToken` views over `TokenColumns` for BookNLP's code."""

    def __init__(self, cols: TokenColumns):
        self.cols = cols

    def __len__(self) -> int:
        return len(self.cols)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [BookToken(self.cols, j) for j in range(*i.indices(len(self.cols)))]
        if i < 0:
            i += len(self.cols)
        if not 0 <= i < len(self.cols):
            raise IndexError(i)
        return BookToken(self.cols, i)

    def __iter__(self) -> Iterator[BookToken]:
        for i in range(len(self.cols)):
            yield BookToken(self.cols, i)
