"""Schema changes that a read model makes by being built again from the store."""

from __future__ import annotations

from collections.abc import Iterable

from projections.base import APPLICATION_NAME


def drop_if_it_has(table: str, column: str, *others: str) -> str:
    """A statement that drops `table` if it still has `column` (it was made the old way),
    with the read model's `others` tables, and forgets the read model's position (the
    tracking table is named after `table`), so the follower builds it again from the store.

    For a column that must not stay, such as one holding personal data in plaintext: a
    rebuild keeps the old table, and the new handlers no longer write that column.
    """
    return _drop_when(f"EXISTS ({_column(table, column)})", table, others)


def drop_unless_it_has(table: str, column: str, *others: str) -> str:
    """`drop_if_it_has`, for a `table` made before it had `column`: a column only the
    store can fill, so the follower builds the read model again."""
    exists = f"SELECT 1 FROM information_schema.tables WHERE {_named(table)}"
    return _drop_when(f"EXISTS ({exists}) AND NOT EXISTS ({_column(table, column)})", table, others)


def _named(table: str) -> str:
    return f"table_schema = current_schema() AND table_name = '{table}'"


def _column(table: str, column: str) -> str:
    return (
        "SELECT 1 FROM information_schema.columns"
        f" WHERE {_named(table)} AND column_name = '{column}'"
    )


def _drop_when(condition: str, table: str, others: tuple[str, ...]) -> str:
    return f"""DO $$ BEGIN
        IF {condition} THEN
            DROP TABLE IF EXISTS {", ".join((table, *others))};
            DELETE FROM {table}_tracking WHERE application_name = '{APPLICATION_NAME}';
        END IF;
    END $$"""


def drop_tables(*names: str) -> str:
    """A statement that drops each of `names` that is still a table: a name that a read
    model now keeps as a SQL view over another's tables (the view is made after)."""
    listed = ", ".join(f"'{name}'" for name in names)
    return f"""DO $$ DECLARE found text; BEGIN
        FOR found IN SELECT table_name FROM information_schema.tables WHERE table_schema =
            current_schema() AND table_type = 'BASE TABLE' AND table_name IN ({listed})
        LOOP
            EXECUTE format('DROP TABLE %I CASCADE', found);
        END LOOP;
    END $$"""


def retire(*read_models: str) -> str:
    """A statement that forgets read models that are no more (another took over their
    tables): their tracking tables, and so their positions, go."""
    return f"DROP TABLE IF EXISTS {', '.join(f'{name}_tracking' for name in read_models)}"


def rename_table(table: str, new_name: str, *dropped: str) -> str:
    """A statement that renames `table` to `new_name` without its `dropped` columns, if
    it is still a table: a read model that now keeps `table` as a SQL view over its own
    table and another read model's. Its rows and position stay as they were."""
    drops = ", ".join(f"DROP COLUMN {column}" for column in dropped)
    return f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema =
            current_schema() AND table_type = 'BASE TABLE' AND table_name = '{table}') THEN
            ALTER TABLE {table} RENAME TO {new_name};
            {f"ALTER TABLE {new_name} {drops};" if dropped else ""}
        END IF;
    END $$"""


def rebuild_unless_it_has(read_model: str, table: str, column: str, tables: Iterable[str]) -> str:
    """`rebuild_if_it_has` for a `table` made before it had `column`, one only the store
    can fill: all of `read_model`'s `tables` go, and the follower builds them again."""
    exists = f"SELECT 1 FROM information_schema.tables WHERE {_named(table)}"
    condition = f"EXISTS ({exists}) AND NOT EXISTS ({_column(table, column)})"
    return f"""DO $$ BEGIN
        IF {condition} THEN
            DROP TABLE IF EXISTS {", ".join(tables)} CASCADE;
            DELETE FROM {read_model}_tracking WHERE application_name = '{APPLICATION_NAME}';
        END IF;
    END $$"""


def rebuild_if_it_has(read_model: str, table: str, column: str, tables: Iterable[str]) -> str:
    """A statement that drops all of `read_model`'s `tables` if `table` still has `column`
    (it was made the old way), with the views over them (each read model makes its own
    again once its tables exist), and forgets the read model's position, so the follower
    builds it again from the store."""
    return f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema =
            current_schema() AND table_name = '{table}' AND column_name = '{column}') THEN
            DROP TABLE IF EXISTS {", ".join(tables)} CASCADE;
            DELETE FROM {read_model}_tracking WHERE application_name = '{APPLICATION_NAME}';
        END IF;
    END $$"""
