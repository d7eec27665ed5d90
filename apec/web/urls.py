"""URLs: redirect targets taken from the request, and the ids in routes."""

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter


def safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another host.

    Browsers drop tabs and newlines and read a backslash as a slash, so
    "/\\t/evil.example" would leave the site: any of those is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch in target for ch in "\\ ") or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: an id beyond the database's integer column (2^31 − 1 on
    PostgreSQL; SQLite overflows at 2^63) matches no route, a 404, instead of an error from the
    database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def row_id(value: str | None) -> int | None:
    """An id posted in a form or a query string, if it can be one (1 … 2^31 − 1)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 2**31:
        return None
    return int(value)
