"""Encryption at rest for identity numbers, and blind indexes to find them.

Values are sealed with AES-256-GCM under the first key of APEC_DATA_KEYS
("kid:base64key,kid2:base64key"); the key id is stored with the value, so
old rows stay readable after a new key is put first, and `flask rotate-keys`
re-seals every value under the newest key. Each value is bound, as associated
data, to the key id and to where it lives (table, column and row: its
*context*), so a ciphertext copied into another person's row, or another
column, does not decrypt. Exact look-ups use an HMAC-SHA256 blind index under
APEC_INDEX_KEY, so a database dump shows no identity numbers and yet 成员核查
and duplicate checks need no decryption.

A token is "@kid:base64(nonce + ciphertext)". Tokens written before values
were bound ("kid:…", bound to the key id only) stay readable until
`flask rotate-keys` re-seals them.
"""

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

from .validators import normalize

BOUND = "@"
KEY_ID = re.compile(r"[A-Za-z0-9_-]+")


class DataKeyError(RuntimeError):
    pass


def context(table: str, column: str, row_id) -> str:
    """Where a sealed value lives, e.g. "person.id_number#12"."""
    return f"{table}.{column}#{row_id}"


def _keys() -> list[tuple[str, bytes]]:
    keys = []
    for entry in current_app.config["APEC_DATA_KEYS"].split(","):
        key_id, _, encoded = entry.strip().partition(":")
        key = base64.b64decode(encoded)
        if not KEY_ID.fullmatch(key_id) or len(key) != 32:
            raise DataKeyError("APEC_DATA_KEYS entries must be 'kid:<base64 of 32 bytes>', kid of letters, digits, - or _")
        keys.append((key_id, key))
    return keys


def encrypt(value: str, where: str) -> str:
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), f"{key_id}|{where}".encode())
    return f"{BOUND}{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, where: str) -> str:
    bound = token.startswith(BOUND)
    key_id, _, payload = token.removeprefix(BOUND).partition(":")
    key = dict(_keys()).get(key_id)
    if key is None:
        raise DataKeyError(f"no data key with id '{key_id}' in APEC_DATA_KEYS")
    raw = base64.b64decode(payload)
    associated = f"{key_id}|{where}" if bound else key_id
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], associated.encode()).decode()
    except InvalidTag:
        raise DataKeyError(f"the value sealed for {where} does not open there: moved or altered") from None


def is_current(token: str) -> bool:
    """Whether the token is bound to its place and sealed under the newest key."""
    return token.startswith(f"{BOUND}{_keys()[0][0]}:")


def reseal(token: str | None, where: str) -> str | None:
    """The same value sealed under the newest key and bound to `where`; unchanged if it already is."""
    if not token or is_current(token):
        return token
    return encrypt(decrypt(token, where), where)


def blind_index(value: str) -> str:
    key = base64.b64decode(current_app.config["APEC_INDEX_KEY"])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedIdentity:
    """Model attribute that stores `<name>_encrypted` and `<name>_index` columns.

    Reading decrypts; assigning normalises, encrypts and indexes. The value is bound to the
    row's id, which a new row has only once inserted: until then the plain value waits on the
    object, and is sealed and written in the same flush, right after the INSERT.
    """

    def __set_name__(self, owner, name):
        self.name = name
        self.encrypted = f"{name}_encrypted"
        self.index = f"{name}_index"

    def context(self, instance) -> str:
        return context(instance.__tablename__, self.name, instance.id)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        pending = instance.__dict__.get("_unsealed", {})
        if self.name in pending:
            return pending[self.name]
        token = getattr(instance, self.encrypted)
        return decrypt(token, self.context(instance)) if token else ""

    def __set__(self, instance, value):
        value = normalize(value)
        setattr(instance, self.index, blind_index(value) if value else None)
        pending = instance.__dict__.setdefault("_unsealed", {})
        pending.pop(self.name, None)
        if value and instance.id is None:
            pending[self.name] = value
            setattr(instance, self.encrypted, None)
        else:
            setattr(instance, self.encrypted, encrypt(value, self.context(instance)) if value else None)


@event.listens_for(Mapper, "after_insert")
def _seal_after_insert(mapper, connection, instance):
    pending = instance.__dict__.pop("_unsealed", None)
    if not pending:
        return
    sealed = {}
    for name, value in pending.items():
        descriptor = getattr(type(instance), name)
        sealed[descriptor.encrypted] = encrypt(value, descriptor.context(instance))
    connection.execute(update(mapper.local_table).where(mapper.local_table.c.id == instance.id).values(**sealed))
    for column, token in sealed.items():
        set_committed_value(instance, column, token)
