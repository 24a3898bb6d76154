"""The JupyterLab extension's TypeScript types match the server's OpenAPI document.

``labextension/src/types.ts`` declares the documents the panel reads; the OpenAPI
components (from the server's pydantic models) are the truth. The job document must
match field for field; ``IStats`` and ``IReady`` name only fields the server sends.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from booknlp_jupyter.server.openapi import build_openapi

TYPES = Path(__file__).resolve().parent.parent / "labextension" / "src" / "types.ts"


def interface_fields(source: str, name: str) -> list[str]:
    """The field names of ``export interface <name> { ... }``."""
    match = re.search(rf"export interface {name}\s*\{{(.*?)\n\}}", source, re.S)
    assert match, f"no interface {name} in {TYPES}"
    body = re.sub(r"/\*.*?\*/|//[^\n]*", "", match.group(1), flags=re.S)
    fields = re.findall(r"^\s*(\w+)\??:", body, re.M)
    assert fields, f"interface {name} has no fields"
    return fields


def union_literals(source: str, name: str) -> set[str]:
    match = re.search(rf"export type {name}\s*=(.*?);", source, re.S)
    assert match, f"no type {name} in {TYPES}"
    return set(re.findall(r"'([^']*)'", match.group(1)))


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return build_openapi()["components"]["schemas"]


@pytest.fixture(scope="module")
def source() -> str:
    return TYPES.read_text(encoding="utf-8")


def schema(schemas: dict[str, Any], name: str) -> dict[str, Any]:
    assert name in schemas, (
        f"the OpenAPI document has no components.schemas.{name} (has {sorted(schemas)})"
    )
    return schemas[name]


def resolve(schemas: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (and a single-entry ``allOf``, as pydantic writes enums)."""
    while True:
        if "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[-1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            return node


def test_ijob_fields_are_jobview_properties(source: str, schemas: dict[str, Any]) -> None:
    """``IJob`` has exactly ``JobView``'s properties."""
    view = schema(schemas, "JobView")
    ts = interface_fields(source, "IJob")
    props = set(view["properties"])
    assert set(ts) == props, (
        f"only in types.ts: {sorted(set(ts) - props)}; only in JobView: {sorted(props - set(ts))}"
    )


def test_job_status_union_is_the_schema_enum(source: str, schemas: dict[str, Any]) -> None:
    view = schema(schemas, "JobView")
    status = resolve(schemas, view["properties"]["status"])
    assert "enum" in status, f"JobView.status has no enum: {status}"
    assert union_literals(source, "JobStatus") == set(status["enum"])


@pytest.mark.parametrize(("interface", "component"), [("IStats", "Stats"), ("IReady", "Ready")])
def test_other_interfaces_name_only_schema_fields(
    source: str, schemas: dict[str, Any], interface: str, component: str
) -> None:
    """The panel reads no field the server does not document."""
    ts = interface_fields(source, interface)
    props = set(schema(schemas, component)["properties"])
    assert set(ts) <= props, f"{interface} fields not in {component}: {sorted(set(ts) - props)}"
