"""Interfaces translate: no SQL under interfaces/, whose resolvers call the read models'
query functions (projections/<model>.py) instead."""

from __future__ import annotations

import ast
import re
from pathlib import Path

INTERFACES = Path(__file__).resolve().parents[2] / "interfaces"
STATEMENT = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|TRUNCATE|"
    r"CREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW|INDEX)|ALTER\s+TABLE|DROP\s+(TABLE|VIEW))\b",
    re.DOTALL,
)
RUNS_SQL = {"execute", "executemany", "copy", "fetch_all", "fetch_one"}
SQL_MODULES = ("psycopg.sql", "projections.reads")


def sql_in(source: str) -> list[str]:
    """What in `source` is SQL or runs it: statements in its strings, calls that execute
    a statement, imports of SQL builders."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if STATEMENT.search(node.value):
                found.append(f"line {node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in RUNS_SQL:
                found.append(f"line {node.lineno}: calls {name}")
        elif isinstance(node, ast.ImportFrom) and node.module in SQL_MODULES:
            found.append(f"line {node.lineno}: imports {node.module}")
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "psycopg"
            and any(alias.name == "sql" for alias in node.names)
        ):
            found.append(f"line {node.lineno}: imports psycopg.sql")
    return found


def test_no_module_under_interfaces_holds_or_runs_sql() -> None:
    modules = sorted(INTERFACES.rglob("*.py"))
    assert len(modules) > 20
    found = {str(m.relative_to(INTERFACES)): sql_in(m.read_text()) for m in modules}
    assert {module: lines for module, lines in found.items() if lines} == {}


def test_the_check_finds_sql_where_there_is_some() -> None:
    assert sql_in('QUERY = """SELECT loan_id\n FROM loans WHERE id = %s"""')
    assert sql_in('q = f"UPDATE loans SET status = {status!r}"')
    assert sql_in("await cursor.execute(query)")
    assert sql_in("from psycopg import sql")
    assert sql_in("from projections.reads import fetch_all")
    assert not sql_in('HELP = "Select the loans you follow from the list."')
