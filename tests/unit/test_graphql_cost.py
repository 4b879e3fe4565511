"""What the cost rule charges for a GraphQL document, weighed on the schema alone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import hypothesis_graphql
import pytest
from graphql import (
    FieldNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    StringValueNode,
    parse,
    print_schema,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interfaces.graphql.cost import (
    LIST_SIZE,
    LOAD,
    LOADS,
    MAX_COST,
    REBUILD,
    REBUILDS,
    REBUILDS_AS_OF,
    Weigher,
    check,
    defaults,
)
from interfaces.graphql.pagination import DEFAULT_PAGE, MAX_PAGE
from interfaces.graphql.schema import schema

GRAPHQL = schema._schema


def cost(query: str, **variables: Any) -> int:
    document = parse(query)
    weigher = Weigher(GRAPHQL, document, {**defaults(document), **variables})
    [operation] = [d for d in document.definitions if d.kind == "operation_definition"]
    total = weigher.operation(operation)  # type: ignore[arg-type]
    assert not weigher.errors, weigher.errors
    return total


def test_each_field_and_each_alias_costs_one() -> None:
    assert cost("{ businessDate }") == 1
    assert cost("{ a: businessDate b: businessDate c: businessDate }") == 3


def test_a_connection_multiplies_its_lists_by_first() -> None:
    # loans + nodes + 20 x (id + status); pageInfo and its field once.
    assert cost("{ loans(first: 20) { nodes { id status } pageInfo { hasNextPage } } }") == (
        1 + 1 + 20 * 2 + 1 + 1
    )
    assert cost("{ loans { edges { node { id } } } }") == 1 + 1 + DEFAULT_PAGE * (1 + 1)
    assert cost("query($n: Int) { loans(first: $n) { nodes { id } } }", n=7) == 1 + 1 + 7
    assert cost("query($n: Int = 9) { loans(first: $n) { nodes { id } } }") == 1 + 1 + 9


def test_nested_lists_multiply() -> None:
    query = "{ loans(first: 100) { nodes { repayments { id amount } } } }"
    assert cost(query) == 1 + 1 + 100 * (1 + LIST_SIZE * 2)


def test_store_reads_weigh_more() -> None:
    assert cost("{ loans(first: 10) { nodes { payoffAmount } } }") == 1 + 1 + 10 * LOAD
    assert cost('{ loan(id: "x") { id } }') == 2
    assert cost('{ loan(id: "x", asOf: "2030-01-01T00:00:00Z") { id } }') == REBUILD + 1
    assert cost('query($at: DateTime) { loan(id: "x", asOf: $at) { id } }') == 2
    assert cost('{ loanHistory(id: "x") { version } }') == REBUILD + LIST_SIZE


def test_fragments_cost_where_they_are_spread() -> None:
    query = """{ loans(first: 30) { nodes { ...F } } borrower(id: "x") { loans { ...F } } }
        fragment F on Loan { id ... on Loan { status } }"""
    assert cost(query) == (1 + 1 + 30 * 2) + (1 + 1 + LIST_SIZE * 2)


def test_introspection_is_free() -> None:
    assert cost("{ __schema { types { name fields { name args { name } } } } }") == 0
    assert cost("{ businessDate __typename }") == 1


def test_fragments_doubling_up_are_weighed_once_each() -> None:
    """60 fragments each spreading the next twice: 2^60 fields, weighed in 61 steps."""
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(60))
    document = parse(f"{{ ...F0 }} {fragments} fragment F60 on Query {{ businessDate }}")
    [error] = check(GRAPHQL, document, {})
    assert error.extensions == {"code": "COST_LIMIT_EXCEEDED", "cost": 2**60, "maxCost": MAX_COST}


def test_fragments_nested_too_deep_to_weigh_are_refused() -> None:
    chain = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(800))
    document = parse(f"{{ ...F0 }} {chain} fragment F800 on Query {{ businessDate }}")
    [error] = check(GRAPHQL, document, {})
    assert error.message == "the query nests fragments too deeply to weigh"


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE + 1, 10**12])
def test_a_page_out_of_range_is_refused(first: int) -> None:
    document = parse("query($n: Int) { a: loans(first: $n) { nodes { id } } }")
    [error] = check(GRAPHQL, document, {"n": first})
    assert error.message == f"first: must be between 1 and {MAX_PAGE}"
    assert error.extensions == {"code": "BAD_USER_INPUT"}


def test_every_weighed_field_is_in_the_schema() -> None:
    for type_name, field_name in LOADS | REBUILDS | REBUILDS_AS_OF:
        found = GRAPHQL.get_type(type_name)
        assert isinstance(found, GraphQLObjectType)
        assert field_name in found.fields, (type_name, field_name)
    for type_name, field_name in REBUILDS_AS_OF:
        assert "asOf" in GRAPHQL.get_type(type_name).fields[field_name].args  # type: ignore[union-attr]


def field_count(selection_set: Any) -> int:
    """Fields in the selections, each counted once, introspection left out."""
    total = 0
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value.startswith("__"):
            continue
        total += isinstance(selection, FieldNode) + field_count(selection.selection_set)
    return total


def quoted(values: st.SearchStrategy[Any]) -> st.SearchStrategy[StringValueNode]:
    return values.map(lambda value: StringValueNode(value=str(value)))


# Required arguments of the custom scalars (a period's dates, say) need values to build.
SCALARS = {
    "Date": quoted(st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(date.isoformat)),
    "DateTime": quoted(st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31))),
    "Decimal": quoted(st.decimals(0, 10**6, places=2)),
}


# hypothesis-graphql builds its strategies afresh at every draw: a query over this
# schema costs some 70 ms to make, the weighing well under one. A hundred queries.
@given(query=hypothesis_graphql.queries(print_schema(GRAPHQL), custom_scalars=SCALARS))
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_query_is_weighed_at_one_or_more_a_field(query: str) -> None:
    document = parse(query)
    errors = check(GRAPHQL, document, {})
    assert all(error.message.startswith("first:") or "cost" in error.message for error in errors)
    weigher = Weigher(GRAPHQL, document, {})
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert weigher.operation(operation) >= field_count(operation.selection_set)
