"""Builds the Flask config from config/default.toml and the environment.

Environment variables win over the file, so one image serves every
deployment; see README ("Configuration").
"""

import base64
import binascii
import os
import secrets
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"

# Development-only keys: stable so a demo database stays readable across
# restarts. `APEC_ENV=production` refuses to start with them.
_DEV_SECRET = "dev-only-secret-key-not-for-production"
_DEV_DATA_KEY = "k0:" + "ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE="  # 32 bytes
_DEV_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGU="


class SettingsError(RuntimeError):
    pass


def load_settings(config_dir: Path | None = None) -> dict:
    config_dir = Path(os.environ.get("APEC_CONFIG_DIR", config_dir or CONFIG_DIR))
    with (config_dir / "default.toml").open("rb") as handle:
        file_settings = tomllib.load(handle)

    env = os.environ
    production = env.get("APEC_ENV", "development") == "production"
    provinces = env.get("APEC_PROVINCES")
    province_codes = (
        [code.strip() for code in provinces.split(",") if code.strip()]
        if provinces
        else list(file_settings["provinces"])
    )
    database_url = env.get("DATABASE_URL", file_settings["database_url"])
    if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
        relative = database_url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            database_url = f"sqlite:///{PROJECT_ROOT / relative}"
    uploads = file_settings["uploads"]
    security = file_settings["security"]
    mail = file_settings["mail"]

    settings = {
        "APEC_ENV": "production" if production else "development",
        "APEC_PROVINCES": province_codes,
        "APEC_PROVINCE_OVERRIDES": config_dir / "provinces",
        # A folder of the operator's own province plugins (each a folder with a province.toml).
        "APEC_PLUGIN_DIR": env.get("APEC_PLUGIN_DIR") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": env.get("SECRET_KEY") or (None if production else _DEV_SECRET),
        "APEC_DATA_KEYS": env.get("APEC_DATA_KEYS") or (None if production else _DEV_DATA_KEY),
        "APEC_INDEX_KEY": env.get("APEC_INDEX_KEY") or (None if production else _DEV_INDEX_KEY),
        "MAX_CONTENT_LENGTH": int(env.get("APEC_UPLOAD_MAX_BYTES", uploads["max_bytes"])),
        "APEC_STORAGE": env.get("APEC_STORAGE", uploads["storage"]),
        "APEC_UPLOAD_DIR": str(PROJECT_ROOT / env.get("APEC_UPLOAD_DIR", uploads["local_dir"])),
        "APEC_SESSION_IDLE_MINUTES": int(env.get("APEC_SESSION_IDLE_MINUTES", security["session_idle_minutes"])),
        "APEC_LOCKOUT_ATTEMPTS": int(security["lockout_attempts"]),
        "APEC_LOCKOUT_MINUTES": int(security["lockout_minutes"]),
        "APEC_REDIS_URL": env.get("REDIS_URL", ""),
        "MAIL_SENDER": env.get("APEC_MAIL_SENDER", mail["sender"]),
        "APEC_MAIL_BACKEND": env.get("APEC_MAIL_BACKEND", mail["backend"]),
        "APEC_JOBS": env.get("APEC_JOBS", file_settings["jobs"]["mode"]),
        "APEC_SMS_SENDER": env.get("APEC_SMS_SENDER", "apec.notifications.outbound:outbox_sms"),
        "MAIL_SMTP_HOST": env.get("APEC_SMTP_HOST", mail["smtp_host"]),
        "MAIL_SMTP_PORT": int(env.get("APEC_SMTP_PORT", mail["smtp_port"])),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "apec_session",
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own idle timeout bounds it
        "APEC_PASSWORD_HASH": {},     # argon2 defaults (RFC 9106 low-memory profile)
    }
    missing = [key for key in ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY") if not settings[key]]
    if missing:
        raise SettingsError(
            "APEC_ENV=production needs these environment variables: " + ", ".join(missing)
        )
    if production:
        check_production_keys(settings)
    settings["APEC_TRUSTED_PROXIES"] = int(env.get("APEC_TRUSTED_PROXIES", "0"))
    return settings


def _key_bytes(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None


def check_production_keys(settings: dict) -> None:
    """Refuse placeholders and short keys: a guessable SECRET_KEY lets anyone forge a session."""
    problems = []
    secret = settings["SECRET_KEY"]
    if len(secret) < 32 or "change-me" in secret or secret == _DEV_SECRET:
        problems.append("SECRET_KEY must be at least 32 random characters (see README: generate a key)")
    for entry in settings["APEC_DATA_KEYS"].split(","):
        key_id, _, encoded = entry.strip().partition(":")
        key = _key_bytes(encoded)
        if not key_id or key is None or len(key) != 32 or entry.strip() == _DEV_DATA_KEY:
            problems.append("APEC_DATA_KEYS entries must be 'kid:<base64 of 32 random bytes>'")
            break
    index_key = _key_bytes(settings["APEC_INDEX_KEY"])
    if index_key is None or len(index_key) != 32 or settings["APEC_INDEX_KEY"] == _DEV_INDEX_KEY:
        problems.append("APEC_INDEX_KEY must be base64 of 32 random bytes")
    if problems:
        raise SettingsError("APEC_ENV=production: " + "; ".join(problems))


def generate_key() -> str:
    """A fresh random key for SECRET_KEY, APEC_DATA_KEYS or APEC_INDEX_KEY."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
