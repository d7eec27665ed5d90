"""Site-wide pages: 首页, province choice, branding stylesheet, health check."""

from flask import Blueprint, Response, abort, jsonify, redirect, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..provinces.registry import enabled_provinces
from .templating import current_province, render

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    return render("site/index.html")[0]


@bp.get("/province/<code>")
def choose_province(code: str):
    """A visitor picks which province's service to use (deployments serving several)."""
    if code not in enabled_provinces():
        abort(404)
    if not current_user.is_authenticated:
        session["province"] = code
    return redirect(url_for("site.index"), code=303)


@bp.get("/brand/<code>.css")
def brand_css(code: str):
    """The province's colours as CSS variables (a file, so the CSP needs no inline styles)."""
    province = enabled_provinces().get(code)
    if province is None:
        abort(404)
    branding = province.branding
    css = f":root {{ --brand: {branding.primary_color}; --brand-accent: {branding.accent_color}; }}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        db.session.rollback()
        database = f"error: {type(error).__name__}"
    healthy = database == "ok"
    body = {
        "status": "ok" if healthy else "error",
        "database": database,
        "provinces": list(enabled_provinces()),
    }
    return jsonify(body), 200 if healthy else 503


def home_for(user) -> str:
    """Where a user lands after signing in."""
    if user.is_staff:
        return url_for("review.queue") if user.role == "reviewer" else url_for("admin.overview")
    return url_for("user_center.applications")


__all__ = ["bp", "home_for", "current_province"]
