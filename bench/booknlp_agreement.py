"""How far the service's BookNLP files agree with bare BookNLP's (`booknlp_bench.py`).

Per file (``tokens``, ``entities``, ``quotes``, ``supersense``, ``book``): byte for byte
identical or not, and the share of rows (lines) found in both, as a multiset so that one
entity more or less does not count every later row as different. For ``entities`` and
``quotes`` also that share with the character ids left out (``COREF``, ``char_id``): a
cluster numbered otherwise, or one split, changes the id on every row of it, while spans,
categories and speakers' mentions may all agree.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def row_agreement(ours: list[str], theirs: list[str]) -> float:
    """Rows in both (with repeats) over the longer file's rows; 1.0 for two empty files."""
    longest = max(len(ours), len(theirs))
    if not longest:
        return 1.0
    return sum((Counter(ours) & Counter(theirs)).values()) / longest


#: The column of cluster ids in the files that have one.
ID_COLUMNS = {"entities": "COREF", "quotes": "char_id"}


def without_column(rows: list[str], column: str) -> list[str]:
    """``rows`` (a header first, tab-separated) without ``column``."""
    if not rows or column not in rows[0].split("\t"):
        return rows
    k = rows[0].split("\t").index(column)
    return ["\t".join(c for i, c in enumerate(r.split("\t")) if i != k) for r in rows]


def file_agreement(result_dir: Path, bare_dir: Path, name: str) -> dict[str, dict]:
    """Per BookNLP file: the service's stored result (written as BookNLP's files into
    ``bare_dir``'s sibling ``name``) against bare BookNLP's: ``identical`` (bytes),
    ``rows`` (share of rows equal) and both row counts."""
    from booknlp_jupyter.results import ResultReader
    from booknlp_jupyter.results.booknlp_files import booknlp_suffixes, write_booknlp_files

    ours_dir = bare_dir.parent / name
    reader = ResultReader(result_dir)
    try:
        write_booknlp_files(reader, ours_dir, "book", None)
    finally:
        reader.close()
    out: dict[str, dict] = {}
    for suffix in booknlp_suffixes(None):
        ours = (ours_dir / f"book.{suffix}").read_bytes()
        theirs = (bare_dir / f"book.{suffix}").read_bytes()
        a, b = ours.decode("utf-8").splitlines(), theirs.decode("utf-8").splitlines()
        out[suffix] = {
            "identical": ours == theirs,
            "rows": round(row_agreement(a, b), 5),
            "rows_ours": len(a),
            "rows_bare": len(b),
        }
        if suffix in ID_COLUMNS:
            column = ID_COLUMNS[suffix]
            out[suffix]["rows_without_ids"] = round(
                row_agreement(without_column(a, column), without_column(b, column)), 5
            )
    return out


def describe(agreement: dict[str, dict]) -> str:
    """One line: ``tokens identical, entities 99.8% of 1,234 rows, ...``."""
    parts = []
    for suffix, a in agreement.items():
        if a["identical"]:
            parts.append(f"{suffix} identical")
        else:
            ids = a.get("rows_without_ids")
            more = f" ({ids:.2%} without character ids)" if ids is not None else ""
            parts.append(f"{suffix} {a['rows']:.2%} of {a['rows_bare']:,} rows{more}")
    return ", ".join(parts)
