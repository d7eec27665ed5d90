"""忘记密码: the token a reset link carries.

The token is signed (itsdangerous, SECRET_KEY, a salt of its own) and stored nowhere. It holds
the user's id, when it was issued (the app's clock) and a fingerprint of the account: an HMAC,
under SECRET_KEY, of its e-mail and current password hash. So it is

- valid for APEC_PASSWORD_RESET_MINUTES (30) after it was issued;
- single use: a reset writes a new password hash (Argon2 salts each one afresh, so even the same
  password hashes differently), after which the fingerprint no longer matches; a 修改密码 or
  another link's reset ends it the same way;
- useless if altered (the signature), and never in the database, so no dump yields a link;
- refused for a de-authorised (inactive) account.

Nothing is kept per process or per token: any app server checks any link.
"""

import base64
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from ..extensions import db
from ..web.session import now_seconds
from .models import User

SALT = "apec.accounts.password-reset"
CLOCK_SKEW_SECONDS = 300  # another app server's clock may run a little ahead


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def fingerprint(user: User) -> str:
    """Changes whenever the account's password (or e-mail) does; tells nothing about either."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{SALT}\0{user.id}\0{user.email}\0{user.password_hash}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def lifetime_seconds() -> int:
    return current_app.config["APEC_PASSWORD_RESET_MINUTES"] * 60


def make_token(user: User) -> str:
    return _serializer().dumps([user.id, now_seconds(), fingerprint(user)])


def user_for_token(token: str | None) -> User | None:
    """The active user this token may reset the password of, or None (expired, used, altered)."""
    if not token or len(token) > 200:
        return None
    try:
        user_id, issued, mark = _serializer().loads(token)
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(issued, int) or not isinstance(mark, str):
        return None
    age = now_seconds() - issued
    if not -CLOCK_SKEW_SECONDS <= age <= lifetime_seconds():
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(mark, fingerprint(user)):
        return None
    return user
