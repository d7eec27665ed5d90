"""Redirect targets taken from the request."""

from urllib.parse import urlsplit


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
