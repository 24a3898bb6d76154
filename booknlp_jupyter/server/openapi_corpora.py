"""The corpus paths of the OpenAPI document (`openapi.build_openapi` adds them)."""

from __future__ import annotations

from typing import Any

from ..api import corpora

#: The corpus models whose schemas join the document's components.
CORPUS_COMPONENTS: tuple[type[Any], ...] = (
    corpora.CorpusRequest,
    corpora.CorpusView,
    corpora.CorpusList,
)

_CORPUS_ID = {"name": "corpus_id", "in": "path", "required": True, "schema": {"type": "string"}}


def corpus_paths(ref: Any, json_body: Any, error: Any, auth: dict[int, Any]) -> dict[str, Any]:
    """``/corpora`` and below, built with the document's own helpers."""
    location = {"Location": {"schema": {"type": "string"}, "description": "The corpus's URL."}}
    return {
        "/corpora": {
            "post": {
                "summary": "Analyse a folder (or a list) of text files as one corpus",
                "description": "Paths are relative to the Jupyter server's root directory "
                "and must stay inside it. The server feeds the books into the job queue as "
                "slots free and writes BookNLP's own files and corpus.json into output_dir.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("CorpusRequest")}},
                },
                "responses": {
                    200: json_body(ref("CorpusView"), "Created.", location),
                    400: error("Invalid request: outside the root, no books, clashing names."),
                    415: error("Body is not application/json."),
                    507: error("The server's disk is full."),
                    **auth,
                },
            },
            "get": {
                "summary": "List corpora, newest first (without their books)",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "responses": {
                    200: json_body(ref("CorpusList"), "A page of corpora."),
                    400: error("Bad paging."),
                    **auth,
                },
            },
        },
        "/corpora/{corpus_id}": {
            "parameters": [_CORPUS_ID],
            "get": {
                "summary": "A corpus, with every book",
                "responses": {
                    200: json_body(ref("CorpusView"), "The corpus."),
                    404: error("No such corpus."),
                    **auth,
                },
            },
            "delete": {
                "summary": "Cancel a corpus: books not started never run (force=true also "
                "stops the running one)",
                "parameters": [
                    {
                        "name": "force",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "boolean"},
                    }
                ],
                "responses": {
                    200: json_body(ref("CorpusView"), "Cancelled."),
                    404: error("No such corpus."),
                    409: error("Already completed or cancelled."),
                    **auth,
                },
            },
        },
        "/corpora/{corpus_id}/events": {
            "parameters": [_CORPUS_ID],
            "get": {
                "summary": "Server-Sent Events of the corpus until it ends",
                "responses": {
                    200: {
                        "description": "`event: corpus` messages whose data is a CorpusView.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    404: error("No such corpus."),
                    **auth,
                },
            },
        },
    }
