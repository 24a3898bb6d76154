"""How far the service's BookNLP files agree with bare BookNLP's (`booknlp_bench.py`).

Per file (``tokens``, ``entities``, ``quotes``, ``supersense``, ``book``): byte for byte
identical or not, and the share of rows (lines) found in both, as a multiset so that one
entity more or less does not count every later row as different.
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
    return out


def describe(agreement: dict[str, dict]) -> str:
    """One line: ``tokens identical, entities 99.8% of 1,234 rows, ...``."""
    parts = []
    for suffix, a in agreement.items():
        if a["identical"]:
            parts.append(f"{suffix} identical")
        else:
            parts.append(f"{suffix} {a['rows']:.2%} of {a['rows_bare']:,} rows")
    return ", ".join(parts)
