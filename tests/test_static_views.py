"""Every view has a static form, and views show the text as written.

A live widget (a job's progress, the jobs table) is replaced by static HTML in every output
it was displayed in once it is done; the text view's page is plain HTML beside its pager;
quotes are rebuilt from the tokens' offsets (`quote_text`) and ``_italics_`` rendered. Run
in a real kernel against a real ``booknlp-jupyter serve`` (the test engine, and ``lite`` on
a Pride and Prejudice excerpt). `blank_outputs` (what nbconvert's HTML of an executed
notebook shows nothing for) is also used on the project's notebooks
(``test_notebook_notebooks``).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from booknlp_jupyter._frames import quote_text
from booknlp_jupyter.client import Client

from .notebook_server import WIDGET_VIEW, Kernel, gate_text
from .procs import ROOT, ServerProcess

PRIDE = ROOT / "tests/fixtures/pride_excerpt.txt"
#: What a front end without widgets shows for a widget: its ``text/plain`` repr.
WIDGET_REPR = re.compile(
    r"\s*((HBox|VBox|Box|GridBox|Output|HTML|Label|IntSlider|FloatProgress|Button|"
    r"Dropdown|JobProgress|JobsTable|Panel)\(.*\)\s*)+",
    re.S,
)

pytestmark = pytest.mark.slow


# --- what nbconvert shows ------------------------------------------------------------------


def blank_outputs(nb: Any, widget_state: bool = True) -> list[tuple[int, dict]]:
    """The outputs of ``nb``'s code cells that nbconvert's HTML (`HTMLExporter`) shows
    nothing for (no text but a widget's repr, no image), as (cell index, output).
    ``widget_state=False``: as saved without the widget state (JupyterLab's default), where
    a widget output shows its bundle's HTML or text instead."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    if not widget_state:
        nb.metadata.pop("widgets", None)
    body, _ = HTMLExporter().from_notebook_node(nb)
    soup = BeautifulSoup(body, "html.parser")
    cells = soup.select("div.jp-CodeCell")
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert len(cells) == len(code)
    blank = []
    for (index, cell), shown in zip(code, cells, strict=True):
        children = shown.select("div.jp-OutputArea-child")
        for n, output in enumerate(cell.outputs):
            if n >= len(children):
                blank.append((index, output))
                continue
            area = children[n].select_one(".jp-OutputArea-output")
            for tag in area.find_all(["script", "style"]):
                tag.decompose()
            text = area.get_text(" ", strip=True)
            if not area.find(["img", "svg"]) and (not text or WIDGET_REPR.fullmatch(text)):
                blank.append((index, output))
    return blank


def is_pager(output: dict) -> bool:
    """The text view's pager: a widget whose bundle carries "page n of N" as HTML."""
    data = output.get("data", {})
    return WIDGET_VIEW in data and "booknlp-text-pager" in data.get("text/html", "")


def assert_static(nb: Any) -> None:
    """Saved without the widget state every output reads in nbconvert's HTML; with it (as
    nbclient saves it) only the text view's pager is a widget left to a widget runtime."""
    assert not blank_outputs(nb, widget_state=False)
    left = blank_outputs(nb)
    assert all(is_pager(o) for _, o in left), [o.get("data", o) for _, o in left]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if WIDGET_VIEW in o.get("data", {})] == [o for _, o in left]


# --- a real server and kernel ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("static") / "data", token="static-t").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def pride(server) -> Any:
    """The excerpt's lite job."""
    job = Client(server.url, server.token).submit(PRIDE.read_text(), model="lite", book_id="pp")
    assert job.wait(timeout=300)["status"] == "completed"
    return job


@pytest.fixture(scope="module")
def kernel(server) -> Iterator[Kernel]:
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env={**os.environ, "BOOKNLP_URL": server.url, "BOOKNLP_TOKEN": server.token})
    kernel = Kernel(Path(km.connection_file), manager=km)
    kernel.run("%load_ext booknlp_jupyter\nfrom booknlp_jupyter import Client\nclient = Client()")
    yield kernel
    kernel.stop()


def shown(kernel: Kernel, start: int, kinds: tuple[str, ...] = ("display_data",)) -> list[dict]:
    return [m for m in kernel.since(start) if m["msg_type"] in kinds]


def display_id(message: dict) -> str:
    return message["content"]["transient"]["display_id"]


def updates_of(kernel: Kernel, ident: str, start: int = 0) -> list[dict]:
    return [
        m
        for m in shown(kernel, start, ("update_display_data",))
        if m["content"]["transient"]["display_id"] == ident
    ]


def test_a_finished_jobs_widget_becomes_its_static_summary(kernel, tmp_path):
    text, gate = gate_text(tmp_path, "gate-widget")
    mark = len(kernel.since())
    out = kernel.execute(f"job = client.submit({text!r}, book_id='gated')\njob.widget()")
    assert not out["errors"], out["errors"]
    (live,) = shown(kernel, mark)
    data = live["content"]["data"]
    assert WIDGET_VIEW in data  # live while the job waits, with its summary beside it
    assert "booknlp-job-summary" in data["text/html"] and "gated" in data["text/plain"]
    ident = display_id(live)
    # the job ends while no cell runs: the widget's thread replaces the output ...
    gate.touch()
    last = kernel.wait_for(lambda: updates_of(kernel, ident, mark))[-1]["content"]["data"]
    assert WIDGET_VIEW not in last
    assert "booknlp-job-summary" in last["text/html"] and "completed" in last["text/html"]
    assert "4 tokens" in last["text/plain"]
    # ... and again as the next cell starts, for front ends that follow only that cell
    mark = len(kernel.since())
    msg_id = kernel.kc.execute("pass")
    again = kernel.wait_for(lambda: updates_of(kernel, ident, mark))
    assert again[0]["parent_header"]["msg_id"] == msg_id
    assert again[0]["content"]["data"] == last
    # shown once the job is final: the summary at once
    mark = len(kernel.since())
    kernel.run("job.widget()")
    (static,) = shown(kernel, mark)
    assert static["content"]["data"] == last


def test_the_jobs_table_becomes_static_when_every_job_is_final(kernel, server, tmp_path):
    text, gate = gate_text(tmp_path, "gate-table", "Jane wrote")
    mark = len(kernel.since())
    out = kernel.execute(f"late = client.submit({text!r}, book_id='late')\n%booknlp_jobs -l 3")
    assert not out["errors"], out["errors"]
    (live,) = shown(kernel, mark)
    assert WIDGET_VIEW in live["content"]["data"]
    assert "late" in live["content"]["data"]["text/html"]
    gate.touch()
    ident = display_id(live)
    last = kernel.wait_for(lambda: updates_of(kernel, ident, mark))[-1]["content"]["data"]
    assert WIDGET_VIEW not in last and "booknlp-jobs-summary" in last["text/html"]
    rows = last["text/plain"].splitlines()
    listed = Client(server.url, server.token).jobs(limit=3)
    assert [row.split(":")[0] for row in rows] == [s["book_id"] for s in listed]
    assert rows[0].startswith("late: completed") and all(": completed" in r for r in rows)
    mark = len(kernel.since())
    kernel.run("%booknlp_jobs -l 3")  # every job final: static from the start
    (static,) = shown(kernel, mark)
    assert WIDGET_VIEW not in static["content"]["data"]
    assert static["content"]["data"]["text/plain"].splitlines() == rows
    # the panel is an app (never done): its widget view carries the jobs as HTML
    out = kernel.execute("from booknlp_jupyter import panel\npanel(limit=3)")
    assert not out["errors"], out["errors"]
    (app,) = out["displays"] or out["results"]
    assert WIDGET_VIEW in app and "booknlp-jobs-summary" in app["text/html"]
    assert app["text/plain"].splitlines()[1:] == rows


def test_the_text_view_is_a_plain_html_page_turned_in_place(kernel, pride):
    mark = len(kernel.since())
    out = kernel.execute(
        f"view = client.job({pride.job_id!r}).book().text_view(paragraphs_per_page=5)\nview"
    )
    assert not out["errors"], out["errors"]
    pager, page = shown(kernel, mark)
    pages = int(kernel.run("print(len(view.pages))"))
    assert pages > 3
    assert is_pager(pager["content"])
    assert f"page 1 of {pages}" in pager["content"]["data"]["text/html"]
    first = page["content"]["data"]
    assert WIDGET_VIEW not in first and first["text/plain"].startswith("Chapter 1")
    assert "It is a truth universally acknowledged" in first["text/html"]
    # the pager turns the page: the page's output is replaced, and its note
    mark = len(kernel.since())
    kernel.run("view.slider.value = 3")
    turned = kernel.wait_for(lambda: updates_of(kernel, display_id(page), mark))
    third = kernel.run("print(view.pages.text(2), end='')")
    assert turned[-1]["content"]["data"]["text/plain"] == third and third not in first["text/plain"]
    note = kernel.wait_for(lambda: updates_of(kernel, display_id(pager), mark))
    assert f"page 3 of {pages}" in note[-1]["content"]["data"]["text/html"]


# --- the text as written --------------------------------------------------------------------


def test_quote_text_is_the_quote_as_written(pride):
    frames = pride.frames()
    quotes, tokens = frames["quotes"], frames["tokens"].set_index("token_ID_within_document")
    assert list(quotes.columns).index("quote_text") == list(quotes.columns).index("quote") + 1
    assert len(quotes) > 20
    text = PRIDE.read_text()
    for q in quotes.itertuples():
        # the source between the quote's first and last token, its white space one space
        span = text[tokens.at[q.quote_start, "byte_onset"] : tokens.at[q.quote_end, "byte_offset"]]
        assert q.quote_text == " ".join(span.split())
        assert q.quote.split() == [str(w) for w in tokens.loc[q.quote_start : q.quote_end, "word"]]
    assert quotes["quote_text"].iloc[0] == "“My dear Mr. Bennet,”"
    assert quotes["quote"].iloc[0] == "“ My dear Mr. Bennet , ”"  # BookNLP's, kept
    # the book's quote table: in order, with speakers' names, as written
    book = pride.book()
    table = book.quote_table()
    assert list(table["quote_text"]) == list(quotes.sort_values("quote_start")["quote_text"])
    names = dict(zip(frames["characters"]["id"], frames["characters"]["name"], strict=True))
    for row in table.dropna(subset=["char_id"]).itertuples():
        assert row.speaker == names.get(row.char_id, row.mention_phrase)
    someone = table["speaker"].dropna().iloc[0]
    assert set(book.quote_table(speaker=someone)["speaker"]) == {someone}
    # a corpus's frames (a book_id column): each book's quotes from its own tokens
    two = {
        name: pd.concat([frames[name].assign(book_id=b) for b in ("b", "a")], ignore_index=True)
        for name in ("tokens", "quotes")
    }
    two["tokens"] = two["tokens"].iloc[::-1]  # in any order
    both = quote_text(two["tokens"], two["quotes"].drop(columns="quote_text"))
    assert list(both) == list(quotes["quote_text"]) * 2


def italic_runs(page: str) -> tuple[list[str], str]:
    """A page's runs of ``<em>`` text (neighbouring ones joined) and its text without tags."""
    page = re.sub(r"<style>.*?</style>|<span class='who'[^>]*>[^<]*</span>", "", page, flags=re.S)
    page = re.sub(r"<(?!/?em>)[^>]*>", "", page)
    runs = re.findall(r"(?:<em>[^<]*</em>\s*)+", page)
    return [re.sub(r"<[^>]*>", "", r).strip() for r in runs], re.sub(r"<[^>]*>", "", page)


def test_gutenberg_italics_render_as_em(pride):
    book = pride.book()
    # the runs between paired underscores of each paragraph, from the tokens themselves
    expected, unpaired = [], 0
    for _, para in book.tokens.groupby("paragraph_ID", sort=True):
        joined = " ".join(map(str, para["word"]))
        expected += [" ".join(run.split()) for run in re.findall(r"_([^_]*)_", joined)]
        unpaired += joined.count("_") % 2
    assert len(expected) > 10 and "Boulanger" in expected  # "_ Boulanger_": two tokens
    pages, runs, literal = book.text_view(paragraphs_per_page=10).pages, [], 0
    for n in range(len(pages)):
        found, text = italic_runs(pages.html(n))
        runs += found
        literal += text.count("_")
    assert [r.replace(" ", "") for r in runs] == [e.replace(" ", "") for e in expected]
    assert literal == unpaired  # an underscore without a partner stays as written
    assert re.search(r"<em>You</em>(</span>)* want to tell", book.html(0))
