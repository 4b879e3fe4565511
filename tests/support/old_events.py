"""Rewrite a store's events as older code wrote them (fields it did not record yet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import psycopg

from infrastructure.eventstore import PydanticMapper


def rewrite_events(
    db_url: str, mapper: PydanticMapper, older: Callable[[str, dict[str, Any]], bool]
) -> int:
    """Pass each stored event's topic and plain state to `older`, which changes the state
    in place and says whether it did; store back those it changed. How many it changed."""
    assert mapper.cipher is not None
    assert mapper.compressor is None
    rewritten = 0
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT notification_id, topic, state FROM lending_events").fetchall()
        for position, topic, state in rows:
            plain: dict[str, Any] = orjson.loads(mapper.cipher.decrypt(state))
            if older(topic, plain):
                sealed = mapper.cipher.encrypt(orjson.dumps(plain))
                conn.execute(
                    "UPDATE lending_events SET state = %s WHERE notification_id = %s",
                    (sealed, position),
                )
                rewritten += 1
        if rewritten:  # the code that wrote such events chained none of them
            forget_chain(conn.cursor())
    return rewritten


def forget_chain(cursor: psycopg.Cursor[Any]) -> None:
    """Make the store one written before the hash chain existed (see
    infrastructure/chain_migration.py): no chain hashes, heads or checkpoints."""
    cursor.execute("UPDATE lending_events SET chain_hash = NULL, recorded_at = NULL")
    cursor.execute("TRUNCATE lending_event_heads, lending_checkpoints")
