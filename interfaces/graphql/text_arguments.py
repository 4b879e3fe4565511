"""GraphQL refuses control characters in its string arguments, as REST does in bodies.

A filter holding a NUL (`loans(filter: {region: "a\\u0000b"})`) would otherwise reach
PostgreSQL, which refuses it with an error the client sees as "Unexpected error".
Both the document's string literals and the request's variables are checked, before
validation and before anything runs, and the error names the argument or variable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectFieldNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension

from interfaces.text import has_control_character

REASON = "must not contain control characters"


class RefuseControlCharacters(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            errors = refused(document, context.variables or {})
            if errors:
                context.pre_execution_errors = errors
        yield


def refused(document: DocumentNode, variables: Mapping[str, Any]) -> list[GraphQLError]:
    """An error for each argument literal and each variable holding a control character."""
    found = _Literals()
    visit(document, found)
    errors = [_error(f"argument {name}", node) for name, node in found.refused]
    errors += [_error(f"variable ${name}") for name, value in variables.items() if _holds(value)]
    return errors


class _Literals(Visitor):
    """Each string literal inside an argument, by its path (`filter.region`)."""

    def __init__(self) -> None:
        super().__init__()
        self.path: list[str] = []
        self.refused: list[tuple[str, StringValueNode]] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.path.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.path.pop()

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if self.path and has_control_character(node.value):
            self.refused.append((".".join(self.path), node))


def _holds(value: Any) -> bool:
    """Whether a variable's value, at any depth, has a string with a control character.
    orjson has bounded the depth already (the router refuses deeper bodies)."""
    if isinstance(value, str):
        return has_control_character(value) is not None
    if isinstance(value, Mapping):
        return any(_holds(k) or _holds(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds(item) for item in value)
    return False


def _error(what: str, node: StringValueNode | None = None) -> GraphQLError:
    return GraphQLError(
        f"{what} {REASON}", node, extensions={"code": "BAD_USER_INPUT", "reason": REASON}
    )
