"""Text no read model can hold, or that belongs in no name, phone, reference or filter.

Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F). PostgreSQL
text refuses a NUL outright; the others have no place in a single-line value. REST
and GraphQL both refuse them at the edge, so they never reach the store or a query.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = r"\x00-\x1F\x7F-\x9F"
# Notes and reasons span lines: tab and line feed are theirs to keep.
CONTROL_CHARACTERS_BUT_LINES = r"\x00-\x08\x0B-\x1F\x7F-\x9F"

has_control_character = re.compile(f"[{CONTROL_CHARACTERS}]").search
