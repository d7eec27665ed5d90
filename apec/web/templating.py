"""Rendering: whole pages, or one block of them for HTMX, and template globals."""

from flask import current_app, render_template, request, session
from flask_login import current_user
from jinja2_fragments.flask import render_block

from ..economies import economy_name
from ..provinces.base import APPLICATION_UNIT_LABELS, BUSINESS_TYPE_DESCRIPTIONS, STAGE_LABELS
from ..provinces.registry import enabled_provinces
from ..statuses import CARD_STATUS_LABELS, PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS, RETURN_SECTIONS
from ..timefmt import format_local
from ..validators import mask_identity
from .htmx import is_htmx_request


def render(template: str, block: str | None = None, status: int = 200, **context):
    """The whole page, or only `block` when HTMX asked for a part of it.

    `status` is the HTTP status: a template variable of that name would be taken for it.
    """
    if not isinstance(status, int):
        raise TypeError(f"render(status={status!r}): the HTTP status; give the template variable another name")
    if block and is_htmx_request():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


MAX_PAGE = 10_000


def page_number() -> int:
    """The ?page= of a list, kept within 1..MAX_PAGE whatever was typed."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def current_province():
    """The province whose branding and rules a page shows.

    A signed-in user's own province; otherwise the one a visitor chose on the
    home page; otherwise the first enabled one.
    """
    provinces = enabled_provinces()
    if current_user.is_authenticated and current_user.province in provinces:
        return provinces[current_user.province]
    chosen = session.get("province")
    if chosen in provinces:
        return provinces[chosen]
    return next(iter(provinces.values()))


def init_app(app):
    app.jinja_env.filters["mask"] = mask_identity
    app.jinja_env.globals["stage_labels"] = STAGE_LABELS
    app.jinja_env.globals["business_descriptions"] = BUSINESS_TYPE_DESCRIPTIONS
    app.jinja_env.filters["localtime"] = format_local

    app.jinja_env.globals.update(
        return_sections=RETURN_SECTIONS,
        application_unit_labels=APPLICATION_UNIT_LABELS,
        payment_method_labels=PAYMENT_METHOD_LABELS,
        payment_status_labels=PAYMENT_STATUS_LABELS,
        card_status_labels=CARD_STATUS_LABELS,
    )
    app.jinja_env.filters["economy_name"] = economy_name

    @app.context_processor
    def inject_province():
        return {
            "province": current_province(),
            "provinces": enabled_provinces(),
            "htmx_src": current_app.config.get("APEC_HTMX_FILE", "vendor/htmx-2.0.11.min.js"),
        }
