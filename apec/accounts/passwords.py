"""Password hashing with Argon2id (argon2-cffi)."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PASSWORD_RULE = "密码至少 8 位，且须同时包含字母和数字"


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("APEC_PASSWORD_HASH", {}))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def is_strong_enough(password: str) -> bool:
    return (
        len(password) >= 8
        and re.search(r"[A-Za-z]", password) is not None
        and re.search(r"\d", password) is not None
    )
