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
    return f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema =
            current_schema() AND table_name = '{table}' AND column_name = '{column}') THEN
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
