"""What a GraphQL query may cost, weighed on the parsed document before anything runs.

Every field selected costs 1, an alias as much as the field it renames. Fields that
read the event store cost more: `Loan.payoffAmount` loads the loan (from its latest
snapshot), LOAD; `loan(asOf)`, `borrower(asOf)` and the history fields replay every
event, REBUILD (measured: a loan with a few dozen payments takes 50 ms to rebuild, and
2 ms to load). A field costs once per item of the lists around it: the `edges` and
`nodes` of a connection count `first` items (DEFAULT_PAGE when not given), any other
list LIST_SIZE. A query over MAX_COST is refused whole, with its cost and the limit,
and so is a `first` outside 1 to MAX_PAGE.

Introspection (`__schema`, `__type`, `__typename`) is free: the schema bounds it.
The walk is linear in the document: each fragment is weighed once per page size.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from interfaces.graphql.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_COST = 25_000
LOAD = 20
REBUILD = 100
LIST_SIZE = 10
COST_CODE = "COST_LIMIT_EXCEEDED"

# (type, field): what one selection of it weighs instead of 1.
LOADS = {("Loan", "payoffAmount")}
REBUILDS = {
    ("Query", "loanHistory"),
    ("Query", "borrowerHistory"),
    ("Query", "delinquencyHistory"),
}
# Fields that rebuild from the store only when given `asOf`; read models otherwise.
REBUILDS_AS_OF = {("Query", "loan"), ("Query", "borrower")}


class QueryCost(SchemaExtension):
    """Refuse a query over MAX_COST, or with a `first` above MAX_PAGE, before validation
    (some of graphql-core's rules take time that grows with the square of the fields)
    and before execution. A refused query too deep for `max_depth` is refused for that,
    as the depth limit would have."""

    def __init__(self, *, max_depth: int) -> None:
        self.max_depth = max_depth

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            schema = context.schema._schema
            errors = check(schema, document, context.variables or {})
            if errors:
                context.pre_execution_errors = self.too_deep(schema, document) or errors
        yield

    def too_deep(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        try:
            return validate(schema, document, [depth_rule(self.max_depth, None)])
        except RecursionError:
            return []


def check(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """The errors that refuse `document`: each `first` out of range, else each operation
    over MAX_COST."""
    weigher = Weigher(schema, document, {**defaults(document), **variables})
    try:
        costs = [
            (operation, weigher.operation(operation))
            for operation in document.definitions
            if isinstance(operation, OperationDefinitionNode)
        ]
    except RecursionError:  # fragments spread inside fragments, hundreds deep
        return [GraphQLError("the query nests fragments too deeply to weigh", document)]
    if weigher.errors:
        return weigher.errors
    return [
        GraphQLError(
            f"query cost {cost} exceeds the limit of {MAX_COST}",
            operation,
            extensions={"code": COST_CODE, "cost": cost, "maxCost": MAX_COST},
        )
        for operation, cost in costs
        if cost > MAX_COST
    ]


def defaults(document: DocumentNode) -> dict[str, Any]:
    """The operations' integer variable defaults, for a `first: $n` not sent."""
    found: dict[str, Any] = {}
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            for variable in operation.variable_definitions or ():
                if isinstance(variable.default_value, IntValueNode):
                    found[variable.variable.name.value] = int(variable.default_value.value)
    return found


@dataclass
class Weigher:
    schema: GraphQLSchema
    document: DocumentNode
    variables: Mapping[str, Any]
    errors: list[GraphQLError] = field(default_factory=list)
    _fragments: dict[tuple[str, int | None], int] = field(default_factory=dict)
    _weighing: set[str] = field(default_factory=set)
    _refused: set[int] = field(default_factory=set)

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root, None) if root else 0

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, page: int | None
    ) -> int:
        """What the selections weigh for one item of `parent`; `page` is the item count of
        the lists directly inside a connection field (None outside one)."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, on, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, page)
        return total

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        if key not in self._fragments:
            definition = next(
                (
                    d
                    for d in self.document.definitions
                    if isinstance(d, FragmentDefinitionNode) and d.name.value == name
                ),
                None,
            )
            if definition is None or name in self._weighing:  # unknown or a cycle: validation
                return 0
            self._weighing.add(name)
            on = self.schema.get_type(definition.type_condition.name.value)
            self._fragments[key] = self.selections(definition.selection_set, on, page)
            self._weighing.discard(name)
        return self._fragments[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return 0
        definition = parent.fields.get(name)
        if definition is None:  # validation names the unknown field
            return 0
        weight = self.weight(parent.name, node)
        if node.selection_set is None:
            return weight
        items = 1
        if is_list_type(get_nullable_type(definition.type)):
            items = LIST_SIZE if page is None else page
        inner_page = self.first(node) if "first" in definition.args else None
        inner = self.selections(node.selection_set, get_named_type(definition.type), inner_page)
        return weight + items * inner

    def weight(self, parent: str, node: FieldNode) -> int:
        key = (parent, node.name.value)
        if key in LOADS:
            return LOAD
        if key in REBUILDS:
            return REBUILD
        if key in REBUILDS_AS_OF:
            as_of = self.argument(node, "asOf")
            return REBUILD if as_of is not None else 1
        return 1

    def first(self, node: FieldNode) -> int:
        """The page size a connection field asks for; out of range, an error and the cap."""
        value = self.argument(node, "first")
        if value is None:
            return DEFAULT_PAGE
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE  # not an Int: validation says so
        if not 0 < value <= MAX_PAGE:
            if id(node) not in self._refused:  # a fragment may be weighed more than once
                self._refused.add(id(node))
                self.errors.append(
                    GraphQLError(
                        f"first: must be between 1 and {MAX_PAGE}",
                        node,
                        extensions={"code": "BAD_USER_INPUT"},
                    )
                )
            return MAX_PAGE
        return value

    def argument(self, node: FieldNode, name: str) -> Any:
        """The argument's value when a literal int or a variable sent; None when absent
        or null; the node itself for any other literal."""
        found = next((a.value for a in node.arguments or () if a.name.value == name), None)
        return literal(found, self.variables)


def literal(value: ValueNode | None, variables: Mapping[str, Any]) -> Any:
    if value is None or isinstance(value, NullValueNode):
        return None
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    if isinstance(value, IntValueNode):
        return int(value.value)
    return value
