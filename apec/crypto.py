"""Encryption at rest for identity numbers, and blind indexes to find them.

Values are sealed with AES-256-GCM under the first key of APEC_DATA_KEYS
("kid:base64key,kid2:base64key"); the key id is stored with the value, so
old rows stay readable after a new key is put first. Exact look-ups use an
HMAC-SHA256 blind index under APEC_INDEX_KEY, so a database dump shows no
identity numbers and yet 成员核查 and duplicate checks need no decryption.
"""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from .validators import normalize


class DataKeyError(RuntimeError):
    pass


def _keys() -> list[tuple[str, bytes]]:
    keys = []
    for entry in current_app.config["APEC_DATA_KEYS"].split(","):
        key_id, _, encoded = entry.strip().partition(":")
        key = base64.b64decode(encoded)
        if not key_id or len(key) != 32:
            raise DataKeyError("APEC_DATA_KEYS entries must be 'kid:<base64 of 32 bytes>'")
        keys.append((key_id, key))
    return keys


def encrypt(value: str) -> str:
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    key_id, _, payload = token.partition(":")
    key = dict(_keys()).get(key_id)
    if key is None:
        raise DataKeyError(f"no data key with id '{key_id}' in APEC_DATA_KEYS")
    raw = base64.b64decode(payload)
    return AESGCM(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode()


def blind_index(value: str) -> str:
    key = base64.b64decode(current_app.config["APEC_INDEX_KEY"])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedIdentity:
    """Model attribute that stores `<name>_encrypted` and `<name>_index` columns.

    Reading decrypts; assigning normalises, encrypts and indexes.
    """

    def __set_name__(self, owner, name):
        self.encrypted = f"{name}_encrypted"
        self.index = f"{name}_index"

    def __get__(self, instance, owner):
        if instance is None:
            return self
        token = getattr(instance, self.encrypted)
        return decrypt(token) if token else ""

    def __set__(self, instance, value):
        value = normalize(value)
        setattr(instance, self.encrypted, encrypt(value) if value else None)
        setattr(instance, self.index, blind_index(value) if value else None)
