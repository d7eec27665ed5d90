"""`flask backup` and `flask restore`: the database and the uploaded files in one archive.

The archive is one gzip-compressed tar file (`apec-backup-<UTC time>.tar.gz` by default), so an
operator copies, keeps and restores one thing:

    database.dump     PostgreSQL: `pg_dump --format=custom` of the DATABASE_URL's database
    database.sqlite   SQLite: a copy made with the sqlite3 backup API (either one, not both)
    files/<key>       the bytes of every uploaded file, under its storage key
    manifest.json     written last: created_at, alembic_revision, database_kind, the database
                      file's sha256, row counts per table, file_count, file_bytes and the
                      sha256 and size of every file

Why this shape:
- Consistent: on PostgreSQL the file keys are read in the very snapshot pg_dump dumps (an exported
  snapshot of a REPEATABLE READ transaction); on SQLite they are read from the copy itself. Every
  file the dumped database names is in the archive; keys are random and never reused, so a file
  uploaded meanwhile is simply not named. A file the database names but storage lacks (deleted
  while the backup ran, or lost before) is listed under `missing_files` and reported.
- Any storage backend: the bytes are read and written back through `get_storage()` by key, never
  from the upload directory, so the same archive moves between local disk and an object store.
- Restore writes nothing until every hash in the manifest has been checked and the archive's
  alembic revision equals the code's head (a dump from another schema version would not fit).
  It then writes the files first and the database last: a restore that fails half-way leaves at
  worst some unreferenced files, never rows naming files that are not there.
- Restore never deletes bytes: files uploaded after the backup stay in storage, unreferenced.

The archive holds personal data (identity numbers stay encrypted, but names, phones and the
uploaded documents do not) and is written readable by its owner only. It holds no keys: the
restored instance needs the same APEC_DATA_KEYS and APEC_INDEX_KEY to read identity numbers.

On PostgreSQL, stop the app servers and workers before restoring: pg_restore drops and recreates
every table in one transaction (all or nothing), and waits for any lock another connection holds
(the dump itself sets lock_timeout to 0, so a timeout cannot be imposed from outside).
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from ..extensions import db
from ..materials.models import Material
from ..materials.storage import get_storage

FORMAT = "apec-backup/1"
MANIFEST = "manifest.json"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite"}
FILES_DIR = "files/"
# Every column holding a storage key (grep get_storage() users when adding one): their files go
# into the archive.
STORED_KEY_COLUMNS = (Material.__table__.c.stored_name,)
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, one line."""


@dataclass
class Summary:
    path: Path
    tables: int
    rows: int
    files: int
    file_bytes: int
    missing_files: list[str]

    def line(self) -> str:
        return f"{self.tables} tables, {self.rows} rows; {self.files} files, {self.file_bytes} bytes"


# --- what both directions need --------------------------------------------------------------


def database_kind() -> str:
    kind = db.engine.url.get_backend_name()
    if kind not in DATABASE_FILES:
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {kind}")
    return kind


def code_revision() -> str:
    """The head revision of the migrations this code ships (several heads joined by commas)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return ",".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def database_revision(connection) -> str:
    if not inspect(connection).has_table("alembic_version"):
        raise BackupError("the database has no alembic_version table: run `flask db upgrade` first")
    return ",".join(sorted(connection.scalars(text("SELECT version_num FROM alembic_version"))))


def row_counts(connection) -> dict[str, int]:
    """Rows per table of the app's schema, for the summary and the manifest."""
    return {table.name: connection.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def stored_keys(connection) -> list[str]:
    keys = set()
    for column in STORED_KEY_COLUMNS:
        keys.update(key for key in connection.scalars(select(column)) if key)
    return sorted(keys)


def pg_command(program: str, url) -> tuple[list[str], dict]:
    """The libpq arguments and environment for a SQLAlchemy URL (`postgresql+psycopg://…`): host,
    port, user and database as arguments, the password in PGPASSWORD (never on a command line,
    where `ps` shows it)."""
    url = make_url(url)
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} not found: install the PostgreSQL client tools "
                          "(the server's major version or newer)")
    arguments = [executable]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            arguments.append(f"{flag}={value}")
    arguments.append(f"--dbname={url.database}")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    if url.query.get("sslmode"):
        environment["PGSSLMODE"] = url.query["sslmode"]
    return arguments, environment


def run_pg(arguments: list[str], environment: dict) -> None:
    program = Path(arguments[0]).name
    try:
        result = subprocess.run(arguments, env=environment, capture_output=True, text=True)
    except OSError as error:
        raise BackupError(f"{program} could not run: {error}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{program} failed: {lines[-1] if lines else f'exit status {result.returncode}'}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup ---------------------------------------------------------------------------------


def default_backup_path() -> Path:
    return Path(f"apec-backup-{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%SZ}.tar.gz")


def dump_database(kind: str, target: Path) -> dict:
    """Dump the database to `target` and return what the dumped state holds (revision, row
    counts, file keys), read from that same state."""
    if kind == "sqlite":
        source = db.engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            try:
                source.driver_connection.backup(copy)  # one consistent copy while the app runs
            finally:
                copy.close()
        finally:
            source.close()
        engine = create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as connection:
                return _state(connection)
        finally:
            engine.dispose()

    arguments, environment = pg_command("pg_dump", db.engine.url)
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            state = _state(connection)
            # pg_dump sees exactly this transaction's snapshot, which stays open while it runs.
            run_pg(arguments + ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"], environment)
    return state


def _state(connection) -> dict:
    return {"revision": database_revision(connection), "tables": row_counts(connection),
            "keys": stored_keys(connection)}


def write_backup(target: str | Path) -> Summary:
    """Write the archive to `target` (refused if it exists); see the module docstring."""
    target = Path(target)
    kind = database_kind()
    if target.exists():
        raise BackupError(f"{target} already exists: choose another path")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(target.name + ".part")
    storage = get_storage()
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".apec-backup-") as work:
            dump = Path(work) / DATABASE_FILES[kind]
            state = dump_database(kind, dump)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle, \
                    tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as archive:
                archive.add(dump, arcname=dump.name)
                files, missing = {}, []
                for key in state["keys"]:
                    try:
                        data = storage.read(key)
                    except FileNotFoundError:
                        missing.append(key)
                        continue
                    _add_bytes(archive, FILES_DIR + key, data)
                    files[key] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                manifest = {
                    "format": FORMAT,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "alembic_revision": state["revision"],
                    "database_kind": kind,
                    "database_file": dump.name,
                    "database_sha256": sha256_of(dump),
                    "tables": state["tables"],
                    "file_count": len(files),
                    "file_bytes": sum(entry["size"] for entry in files.values()),
                    "files": files,
                    "missing_files": missing,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
        os.replace(partial, target)  # a half-written archive never carries the final name
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    except (OSError, tarfile.TarError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {error}") from None
    return Summary(target, len(state["tables"]), sum(state["tables"].values()), manifest["file_count"],
                   manifest["file_bytes"], missing)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore --------------------------------------------------------------------------------


@dataclass
class Archive:
    """An archive whose every hash has been checked; the database file is extracted."""

    path: Path
    manifest: dict
    tar: tarfile.TarFile
    database_file: Path


@contextmanager
def open_backup(path: str | Path):
    """Open and check an archive, writing nothing: BackupError unless it is whole (every hash as
    in the manifest) and fits this instance (same database kind, same alembic revision)."""
    path = Path(path)
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path}: not a readable backup archive ({error})") from None
    try:
        with tempfile.TemporaryDirectory(prefix="apec-restore-") as work:
            try:
                manifest, database_file = _check(path, tar, Path(work))
            except (OSError, tarfile.TarError, EOFError, zlib.error) as error:  # how gzip and tar damage shows
                raise BackupError(f"{path}: not a readable backup archive ({error})") from None
            yield Archive(path, manifest, tar, database_file)
    finally:
        tar.close()


def _check(path: Path, tar: tarfile.TarFile, work: Path) -> tuple[dict, Path]:
    members = {member.name: member for member in tar.getmembers()}
    if MANIFEST not in members:
        raise BackupError(f"{path}: no {MANIFEST}, not an archive made by `flask backup`")
    try:
        manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        kind, files = manifest["database_kind"], manifest["files"]
        database_name, revision = manifest["database_file"], manifest["alembic_revision"]
        if manifest["format"] != FORMAT or database_name != DATABASE_FILES.get(kind):
            raise ValueError(manifest["format"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path}: {MANIFEST} is not a {FORMAT} manifest") from None

    if kind != database_kind():
        raise BackupError(f"{path} holds a {kind} database; this instance uses {database_kind()}")
    if revision != code_revision():
        raise BackupError(f"{path} was made at database revision {revision}, this code is at {code_revision()}: "
                          "restore it with the code version that made it, then run `flask db upgrade`")
    expected = {FILES_DIR + key: entry["sha256"] for key, entry in files.items()}
    if bad := [key for key in files if not key.isalnum()]:
        raise BackupError(f"{path}: {MANIFEST} names an invalid storage key {bad[0]!r}")
    expected[database_name] = manifest["database_sha256"]
    if extra := sorted(set(members) - set(expected) - {MANIFEST}):
        raise BackupError(f"{path}: unexpected entry {extra[0]}, not an archive made by `flask backup`")

    database_file = work / database_name
    for name, sha256 in expected.items():
        member = members.get(name)
        if member is None or not member.isfile():
            raise BackupError(f"{path}: {name} is missing; nothing was restored")
        digest = hashlib.sha256()
        source = tar.extractfile(member)
        sink = database_file.open("wb") if name == database_name else None
        try:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                if sink:
                    sink.write(chunk)
        finally:
            if sink:
                sink.close()
        if digest.hexdigest() != sha256:
            raise BackupError(f"{path}: {name} does not match its sha256 in the manifest "
                              "(damaged or altered); nothing was restored")
    return manifest, database_file


def restore_from(archive: Archive) -> Summary:
    """Write an opened (checked) archive's files back through storage, then replace the
    database's content with its dump."""
    storage, manifest = get_storage(), archive.manifest
    try:
        for key, entry in manifest["files"].items():
            data = archive.tar.extractfile(FILES_DIR + key).read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:  # the archive changed since the check
                raise BackupError(f"{archive.path}: {FILES_DIR}{key} changed while restoring; the database "
                                  "was not touched")
            storage.put(key, data)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(f"writing the files back failed ({error}); the database was not touched") from None

    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a lock on, or a stale view of, the old tables
    try:
        if manifest["database_kind"] == "sqlite":
            _restore_sqlite(archive.database_file)
        else:
            arguments, environment = pg_command("pg_restore", db.engine.url)
            run_pg(arguments + ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                                str(archive.database_file)], environment)
    finally:
        db.engine.dispose()
    with db.engine.connect() as connection:
        tables = row_counts(connection)
    return Summary(archive.path, len(tables), sum(tables.values()), manifest["file_count"], manifest["file_bytes"],
                   manifest["missing_files"])


def _restore_sqlite(database_file: Path) -> None:
    """The backup API in reverse, into the app's own database: it takes the write lock and
    replaces every page in one step, which copying over the live file would not."""
    source = sqlite3.connect(database_file)
    target = db.engine.raw_connection()
    try:
        source.backup(target.driver_connection)
    except sqlite3.Error as error:
        raise BackupError(f"restoring the SQLite database failed: {error}") from None
    finally:
        target.close()
        source.close()


def restore_backup(path: str | Path) -> Summary:
    """Check the archive at `path`, then restore it (no confirmation: the CLI asks)."""
    with open_backup(path) as archive:
        return restore_from(archive)


# --- the commands ---------------------------------------------------------------------------


def register_backup_cli(app) -> None:
    @app.cli.command("backup")
    @click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path):
        """Write the database and every uploaded file to one archive (default:
        ./apec-backup-<UTC time>.tar.gz)."""
        try:
            summary = write_backup(path or default_backup_path())
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        if summary.missing_files:
            click.echo(f"warning: {len(summary.missing_files)} file(s) named by the database are not in storage "
                       f"and not in the backup: {', '.join(summary.missing_files)}", err=True)
        click.echo(f"backup written to {summary.path}: {summary.line()}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="do not ask for confirmation")
    def restore_command(path, yes):
        """Replace the database's content and write back the files from a `flask backup` archive."""
        try:
            with open_backup(path) as archive:
                manifest = archive.manifest
                click.echo(f"{path}: made {manifest['created_at']}, revision {manifest['alembic_revision']}, "
                           f"{sum(manifest['tables'].values())} rows, {manifest['file_count']} files; hashes OK")
                if not yes:
                    click.confirm("This replaces every row of this instance's database. Continue?", abort=True)
                summary = restore_from(archive)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"restored from {summary.path}: {summary.line()}")
