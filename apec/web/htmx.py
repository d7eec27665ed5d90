"""The little of HTMX the server needs to know (our own helper, no extension)."""

from flask import request


def is_htmx_request() -> bool:
    """True for a request HTMX made to swap part of a page.

    A history-restore request wants the whole page, so it counts as a plain one.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def triggering_field() -> str | None:
    """Name of the input whose change sent an HTMX request, if any."""
    return request.headers.get("HX-Trigger-Name")
