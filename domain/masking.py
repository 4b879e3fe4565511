"""How personal data is shown to someone who may know of it but not read it in full.

One rule per kind of value, so every reader (read models, GraphQL, history) shows the
same masked form:

- **phone** (stored in E.164, `+8613800138000`): a mainland number (`+86`) is shown as
  its national number, others keep `+` and their country code among the digits kept.
  With 11 digits or more the first 3 and the last 4 stay and four stars stand for
  the rest, whatever its length (`138****8000`, `+447****3456`); with 8 to 10 digits
  only the last 4 stay (`****5678`); shorter numbers are all stars (`****`). So at
  least 4 digits are always hidden, and never more than 7 shown.
- **name** (a person's, a business's or a payer's): the first character and, from 3
  characters on, the last; a star for each character between (`王*`, `王*明`,
  `W******g`). Whitespace at either end is dropped first.
- **address**: the first third, at most 6 characters (the city or the district,
  which `region` says anyway), then four stars (`北京市朝阳区****`, `12 Te****`).
- **identity and account numbers**: `domain.identity.mask` (first 3 and last 4).

An erased value (`domain.erasure.ERASED`) is shown as it is, by every mask.

`search_form` is not a mask: it is how a name is compared when officers search for it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from domain.erasure import ERASED

STARS = "****"
HOME_COUNTRY_CODE = "86"
KEEP_FIRST, KEEP_LAST = 3, 4
FULL_FORM_AT = 11  # digits from which the first 3 and last 4 may show
LAST_FOUR_AT = 8
ADDRESS_KEPT_MAX = 6


def mask_phone(phone: str) -> str:
    if phone == ERASED:
        return phone
    digits = "".join(c for c in phone if c.isdigit())
    prefix = ""
    if phone.strip().startswith("+"):
        if digits.startswith(HOME_COUNTRY_CODE):
            digits = digits[len(HOME_COUNTRY_CODE) :]
        else:
            prefix = "+"
    if len(digits) >= FULL_FORM_AT:
        return prefix + digits[:KEEP_FIRST] + STARS + digits[-KEEP_LAST:]
    if len(digits) >= LAST_FOUR_AT:
        return prefix + STARS + digits[-KEEP_LAST:]
    return prefix + STARS


def mask_name(name: str) -> str:
    if name == ERASED:
        return name
    text = name.strip()
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_address(address: str) -> str:
    if address == ERASED:
        return address
    text = address.strip()
    if not text:
        return ""
    return text[: min(len(text) // 3, ADDRESS_KEPT_MAX)] + STARS


def search_form(name: str) -> str:
    """A name as searches compare it: NFKC (full-width letters and digits become
    ASCII), case folded, inner whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# Name search without names: the search table holds keyed digests of every piece of a
# name up to SEARCH_PIECE characters (in search form), never the name. A query of that
# length or less is one piece; a longer one is all of its pieces of that length, which
# a name holding the query holds too (a name may hold them apart: callers who may read
# names confirm the match).
SEARCH_PIECE = 3
SEARCH_DIGEST_LENGTH = 32  # hex characters: 128 bits


def keyed_digest(key: bytes, kind: str, value: str) -> str:
    """An HMAC-SHA256 of a personal value under the store's lookup key, hex: equal values
    give equal digests, and without the key no value can be guessed from one."""
    return hmac.new(key, f"lookup:{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def name_search_digests(key: bytes, name: str) -> list[str]:
    """The digests of every piece of `name` (1 to SEARCH_PIECE characters), sorted."""
    form = search_form(name)
    pieces = {
        form[start : start + size]
        for size in range(1, SEARCH_PIECE + 1)
        for start in range(len(form) - size + 1)
    }
    return sorted(_piece_digest(key, piece) for piece in pieces)


def name_query_digests(key: bytes, text: str) -> list[str]:
    """The digests a name holding `text` holds (every one of them)."""
    form = search_form(text)
    if len(form) <= SEARCH_PIECE:
        return [_piece_digest(key, form)] if form else []
    pieces = {form[i : i + SEARCH_PIECE] for i in range(len(form) - SEARCH_PIECE + 1)}
    return sorted(_piece_digest(key, piece) for piece in pieces)


def _piece_digest(key: bytes, piece: str) -> str:
    return keyed_digest(key, "name-piece", piece)[:SEARCH_DIGEST_LENGTH]
