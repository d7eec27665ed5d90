"""The one storage interface for uploaded files (DESIGN.md section 11).

Nothing else in the app opens upload paths: code asks `get_storage()` to
save bytes and gets back an opaque random key, which it keeps in
`material.stored_name`. The local directory serves the demo and small
offices; an S3-compatible store slots in behind the same methods when
several app servers run. `put` exists for `flask restore` only
(apec/admin/backup.py): the app itself never chooses a key.
"""

import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    def save(self, data: bytes) -> str:
        """Store the bytes under a new random key and return the key."""

    def read(self, key: str) -> bytes:
        """The bytes stored under `key`; FileNotFoundError if there are none."""

    def delete(self, key: str) -> None:
        """Remove the bytes under `key`; no error if already gone."""

    def put(self, key: str, data: bytes) -> None:
        """Store the bytes under a key chosen by the caller, replacing what is there.

        Only `flask restore` uses it: it brings files back under the keys the restored
        database names, which `save` (always a fresh key) cannot do.
        """


class LocalStorage:
    """Files in a directory outside the web root, named by random keys."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        if not key.isalnum():  # keys are ours; never let a name walk the file system
            raise FileNotFoundError(key)
        return self.directory / key[:2] / key

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16)
        self.put(key, data)
        return key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)  # the same key check as every other method
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)  # whole or not at all, even if the write is interrupted

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def build_storage(config) -> Storage:
    kind = config["APEC_STORAGE"]
    if kind == "local":
        return LocalStorage(config["APEC_UPLOAD_DIR"])
    raise ValueError(f"APEC_STORAGE: unknown storage '{kind}' (supported: local)")


def get_storage() -> Storage:
    return current_app.extensions["apec_storage"]
