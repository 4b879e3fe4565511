"""Every command's OpenAPI schema bounds its inputs: a new unbounded field fails here.

Each text field has a maxLength and a pattern that refuses control characters, each
whole number a minimum and a maximum, each list a maxItems, each date the 1900-2200
range, and every path or query parameter is a UUID or bounded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from interfaces.rest.app import create_app

DOCUMENT = create_app().openapi()
COMPONENTS: dict[str, Any] = DOCUMENT["components"]["schemas"]
UNBOUNDED_FORMATS = {"uuid", "decimal"}  # their own syntax (a UUID, a decimal string) bounds them


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def leaves(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every value a request body can carry."""
    schema = resolved(schema)
    members = [resolved(m) for m in schema.get("anyOf", []) if m.get("type") != "null"]
    if {m.get("type") for m in members} == {"number", "string"}:
        return  # a Decimal, bounded by its digits and places
    for member in members:
        yield from leaves(member, where)
    if "enum" in schema or members:
        return
    kind = schema.get("type")
    if kind == "object":
        for name, field in schema.get("properties", {}).items():
            yield from leaves(field, f"{where}.{name}")
        if "properties" not in schema:
            yield where, schema
    elif kind == "array":
        yield where, schema
        yield from leaves(schema["items"], f"{where}[]")
    elif kind is not None:
        yield where, schema


def request_bodies() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if path != "/graphql" and "application/json" in content:
                yield f"{method.upper()} {path}", content["application/json"]["schema"]


FIELDS = [
    (f"{op}{where}", leaf) for op, body in request_bodies() for where, leaf in leaves(body, "")
]


def refuses_control_characters(pattern: str) -> bool:
    compiled = re.compile(pattern)
    allowed = compiled.fullmatch("Wang Fang, 12 Tea Garden Road")
    return bool(allowed) and not any(compiled.fullmatch(f"a{c}b") for c in "\x00\x1b\x7f\x85")


def test_the_walk_finds_every_command() -> None:
    operations = {where.split(".")[0] for where, _ in FIELDS}
    assert len(operations) >= 20
    assert any(where.endswith("/update.address") for where, _ in FIELDS)


@pytest.mark.parametrize(("where", "schema"), FIELDS, ids=[w for w, _ in FIELDS])
def test_every_command_field_is_bounded(where: str, schema: dict[str, Any]) -> None:
    kind, form = schema["type"], schema.get("format")
    if kind == "string" and form == "date":
        assert (schema["formatMinimum"], schema["formatMaximum"]) == ("1900-01-01", "2200-12-31")
    elif kind == "string" and form not in UNBOUNDED_FORMATS:
        assert "maxLength" in schema, f"{where} has no maxLength"
        assert refuses_control_characters(schema.get("pattern", "")), (
            f"{where} lets control characters in"
        )
    elif kind == "integer":
        assert {"minimum", "maximum"} <= set(schema), f"{where} is an unbounded integer"
    elif kind == "array":
        assert "maxItems" in schema, f"{where} is an unbounded list"
    elif kind == "object":
        assert "maxProperties" in schema, f"{where} is an unbounded object"
        assert "maxLength" in schema["propertyNames"], f"{where} has unbounded keys"
    else:
        assert kind in ("boolean", "string"), f"{where}: {kind} is not checked here"


def test_every_path_and_query_parameter_is_a_uuid_or_bounded_text() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in ("path", "query"):
                    continue
                schema = resolved(parameter["schema"])
                # An optional parameter (a document's period or language): its value's schema.
                (schema, *_) = [
                    resolved(m) for m in schema.get("anyOf", [schema]) if m.get("type") != "null"
                ]
                # A date or one of a few names cannot carry control characters either.
                assert (
                    schema.get("format") in ("uuid", "date")
                    or "enum" in schema
                    or ("maxLength" in schema and refuses_control_characters(schema["pattern"]))
                ), f"{path} {parameter['name']}"
