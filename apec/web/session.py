"""Login sessions: signed cookies, revocable server-side, with an idle timeout and an absolute
lifetime.

The cookie carries `user_id:session_token`; rotating the user's token in the
database (logout, de-authorisation, a password change or reset) revokes every
cookie issued before, on every app process, with no per-process state.

The session also holds when it was signed in (`signed_in`) and last used (`seen`), in seconds
of the app's clock (models_base, which tests move): past the idle timeout, or past the absolute
lifetime since sign-in however active it was, its next request ends it.
"""

import datetime

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from .. import models_base
from ..accounts.models import User
from ..extensions import db, login_manager


KEPT_ACROSS_SIGN_IN = ("_flashes", "province")
EXEMPT_ENDPOINTS = ("static", "site.healthz", "site.brand_css")
IDLE_MESSAGE = "由于长时间未操作，您已自动退出，请重新登录。"


def now_seconds() -> int:
    """The app's clock as whole seconds since the epoch."""
    return int(models_base.utcnow().replace(tzinfo=datetime.UTC).timestamp())


def _fresh_session() -> None:
    """Drop everything of the previous session but messages and the chosen province."""
    kept = {key: session[key] for key in KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


def start_session(user) -> None:
    """Sign `user` in on a fresh session (no leftovers such as an old idle timestamp)."""
    _fresh_session()
    login_user(user)
    session["signed_in"] = session["seen"] = now_seconds()


def renew_session(user) -> None:
    """Keep this tab signed in after the user's token rotated (password changed here): a fresh
    session with the new token, which keeps the original sign-in time, so the absolute lifetime
    still counts from the sign-in."""
    signed_in, csrf_token = session.get("signed_in"), session.get("csrf_token")
    start_session(user)
    if signed_in is not None:
        session["signed_in"] = signed_in
    if csrf_token is not None:
        session["csrf_token"] = csrf_token  # the same user: forms open in other tabs still submit


def end_session() -> None:
    logout_user()
    _fresh_session()


def _expiry_message(app) -> str | None:
    """Why this signed-in session must end now, or None."""
    now = now_seconds()
    absolute_seconds = app.config["APEC_SESSION_ABSOLUTE_HOURS"] * 3600
    signed_in = session.get("signed_in")
    if signed_in is None or now - signed_in > absolute_seconds:
        # No sign-in time: a cookie from before the absolute lifetime existed; it ends too.
        hours = app.config["APEC_SESSION_ABSOLUTE_HOURS"]
        return f"您已连续登录超过 {hours:g} 小时，为了账号安全已自动退出，请重新登录。"
    if now - session.get("seen", now) > app.config["APEC_SESSION_IDLE_MINUTES"] * 60:
        return IDLE_MESSAGE
    session["seen"] = now
    return None


def init_app(app):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(cookie_id: str):
        user_id, _, token = cookie_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_token != token or not user.active:
            return None
        return user

    @app.before_request
    def enforce_session_limits():
        if request.endpoint in EXEMPT_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return None
        message = _expiry_message(app)
        if message is None:
            return None
        end_session()
        flash(message, "info")
        return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
