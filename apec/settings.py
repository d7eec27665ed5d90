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

KEY_NAMES = ("SECRET_KEY", "APEC_DATA_KEYS", "APEC_INDEX_KEY")
# [uploads] quotas (apec/materials/quotas.py), each also APEC_UPLOAD_<NAME>; these values where an
# operator's own default.toml predates them.
UPLOAD_QUOTAS = {"max_files_per_application": 40, "max_bytes_per_application": 200 * 2**20,
                 "max_files_per_member": 30, "max_bytes_per_member": 150 * 2**20,
                 "max_files_per_enterprise": 10_000, "max_bytes_per_enterprise": 20 * 2**30}
# Where `make demo` keeps the keys it generates on its first run (env: APEC_KEY_FILE). No key is
# written into the repository: a published key would open every database made with it.
DEMO_KEY_FILE = PROJECT_ROOT / "instance" / "keys.toml"
# Keys this repository once shipped as development defaults: public, so refused everywhere.
PUBLISHED_KEYS = frozenset({
    "dev-only-secret-key-not-for-production",
    "ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
    "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGU=",
})


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
        **load_keys(env, production),
        "MAX_CONTENT_LENGTH": int(env.get("APEC_UPLOAD_MAX_BYTES", uploads["max_bytes"])),
        "APEC_STORAGE": env.get("APEC_STORAGE", uploads["storage"]),
        "APEC_UPLOAD_DIR": str(PROJECT_ROOT / env.get("APEC_UPLOAD_DIR", uploads["local_dir"])),
        **{f"APEC_UPLOAD_{name.upper()}": int(env.get(f"APEC_UPLOAD_{name.upper()}", uploads.get(name, default)))
           for name, default in UPLOAD_QUOTAS.items()},
        "APEC_SESSION_IDLE_MINUTES": int(env.get("APEC_SESSION_IDLE_MINUTES", security["session_idle_minutes"])),
        "APEC_SESSION_ABSOLUTE_HOURS": float(
            env.get("APEC_SESSION_ABSOLUTE_HOURS", security.get("session_absolute_hours", 12))),
        "APEC_PASSWORD_RESET_MINUTES": int(
            env.get("APEC_PASSWORD_RESET_MINUTES", security.get("password_reset_minutes", 30))),
        "APEC_PUBLIC_URL": env.get("APEC_PUBLIC_URL", security.get("public_url", "")).rstrip("/"),
        "APEC_RATE_LIMITS": dict(file_settings["rate_limits"]),
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
    if production:
        check_production_keys(settings)
    settings["APEC_TRUSTED_PROXIES"] = int(env.get("APEC_TRUSTED_PROXIES", "0"))
    return settings


def load_keys(env, production: bool) -> dict:
    """The three keys from the environment; outside production, what the environment lacks from
    the instance key file, which demo mode (APEC_DEMO=1, set by `make demo`) writes with fresh
    keys on its first run. Anything else refuses to start, naming what is missing."""
    keys = {name: env.get(name, "") for name in KEY_NAMES}
    missing = [name for name in KEY_NAMES if not keys[name]]
    if not missing:
        return _refuse_published(keys)
    if production:
        raise SettingsError("APEC_ENV=production needs these environment variables: " + ", ".join(missing))
    path = Path(env.get("APEC_KEY_FILE") or DEMO_KEY_FILE)
    if not path.exists() and env.get("APEC_DEMO") == "1":
        write_demo_keys(path)
    if not path.exists():
        raise SettingsError(
            f"No keys: set {', '.join(missing)} (README: Configuration, generate a key), or run `make demo`, "
            f"which writes fresh demo keys to {path}.")
    with path.open("rb") as handle:
        stored = tomllib.load(handle)
    keys.update({name: keys[name] or stored.get(name, "") for name in KEY_NAMES})
    if lacking := [name for name in KEY_NAMES if not keys[name]]:
        raise SettingsError(f"{path} lacks {', '.join(lacking)}")
    return _refuse_published(keys)


def _refuse_published(keys: dict) -> dict:
    published = [name for name, value in keys.items()
                 if any(part.partition(":")[2] in PUBLISHED_KEYS or part in PUBLISHED_KEYS for part in value.split(","))]
    if published:
        raise SettingsError(f"{', '.join(published)}: a key published in this repository; generate a fresh one "
                            "(README: Configuration)")
    return keys


def write_demo_keys(path: Path) -> None:
    """Fresh keys for this machine's demo, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Demo keys generated by `make demo` on its first run; keep them with the demo database.\n"
        f'SECRET_KEY = "{generate_key()}"\n'
        f'APEC_DATA_KEYS = "k1:{generate_key()}"\n'
        f'APEC_INDEX_KEY = "{generate_key()}"\n'
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _key_bytes(value: str) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None


def check_production_keys(settings: dict) -> None:
    """Refuse placeholders and short keys: a guessable SECRET_KEY lets anyone forge a session."""
    problems = []
    secret = settings["SECRET_KEY"]
    if len(secret) < 32 or "change-me" in secret:
        problems.append("SECRET_KEY must be at least 32 random characters (see README: generate a key)")
    for entry in settings["APEC_DATA_KEYS"].split(","):
        key_id, _, encoded = entry.strip().partition(":")
        key = _key_bytes(encoded)
        if not key_id or key is None or len(key) != 32:
            problems.append("APEC_DATA_KEYS entries must be 'kid:<base64 of 32 random bytes>'")
            break
    index_key = _key_bytes(settings["APEC_INDEX_KEY"])
    if index_key is None or len(index_key) != 32:
        problems.append("APEC_INDEX_KEY must be base64 of 32 random bytes")
    if problems:
        raise SettingsError("APEC_ENV=production: " + "; ".join(problems))


def generate_key() -> str:
    """A fresh random key for SECRET_KEY, APEC_DATA_KEYS or APEC_INDEX_KEY."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
