"""Rate limits, with Flask-Limiter: counted in Redis where REDIS_URL is set, so that every app
server counts together, in memory for the demo. The limits are config ([rate_limits] of
config/default.toml), read on each request.

Logins are limited per IP (every attempt) and, for failures, per account and IP and per account:
a guesser from one address is slowed on that account without locking its owner out, and a
guesser from many addresses meets the account-wide limit. Beyond a limit the answer is the same
message as a wrong password, after the same work, so it tells nobody whether the account exists.
"""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from .errors import error_page

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def configured(name: str):
    """A limit read from config when the request comes, so tests and operators can change it."""
    return lambda: current_app.config["APEC_RATE_LIMITS"][name]


def init_app(app) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("APEC_REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "apec-limits")
    # Retry-After on every 429 (and the X-RateLimit-* counts on limited routes): a client, or a
    # proxy, knows how long to wait.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.errorhandler(429)
    def too_many(error):
        return error_page(429, "操作过于频繁，请稍候片刻再试。")


def _failure_counts(email: str):
    """The two counts of an account's failed logins, each (limit, identifiers): from this
    address, and from all addresses."""
    limits = current_app.config["APEC_RATE_LIMITS"]
    account, address = email.strip().lower()[:254], request.remote_addr or ""
    return ((parse(limits["login_failures_per_account_and_ip"]), ("login", account, address)),
            (parse(limits["login_failures_per_account"]), ("login", account)))


def login_failures_exceeded(email: str) -> bool:
    """Whether this account has failed too often, from this address or from all together."""
    return not all(limiter.limiter.test(limit, *keys) for limit, keys in _failure_counts(email))


def count_login_failure(email: str) -> None:
    for limit, keys in _failure_counts(email):
        limiter.limiter.hit(limit, *keys)


def forget_login_failures(email: str) -> None:
    """A successful login from this address starts its count afresh."""
    limit, keys = _failure_counts(email)[0]
    limiter.limiter.clear(limit, *keys)
