"""Login sessions: signed cookies, revocable server-side, with an idle timeout.

The cookie carries `user_id:session_token`; rotating the user's token in the
database (logout, de-authorisation) revokes every cookie issued before, on
every app process, with no per-process state.
"""

import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..accounts.models import User
from ..extensions import db, login_manager


KEPT_ACROSS_SIGN_IN = ("_flashes", "province")


def _fresh_session() -> None:
    """Drop everything of the previous session but messages and the chosen province."""
    kept = {key: session[key] for key in KEPT_ACROSS_SIGN_IN if key in session}
    session.clear()
    session.update(kept)


def start_session(user) -> None:
    """Sign `user` in on a fresh session (no leftovers such as an old idle timestamp)."""
    _fresh_session()
    login_user(user)
    session["seen"] = int(time.time())


def end_session() -> None:
    logout_user()
    _fresh_session()


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
    def enforce_idle_timeout():
        if request.endpoint in ("static", "site.healthz", "site.brand_css"):
            return None
        if not current_user.is_authenticated:
            return None
        idle_seconds = app.config["APEC_SESSION_IDLE_MINUTES"] * 60
        now = int(time.time())
        last_seen = session.get("seen", now)
        if now - last_seen > idle_seconds:
            end_session()
            flash("由于长时间未操作，您已自动退出，请重新登录。", "info")
            return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
        session["seen"] = now
        return None
