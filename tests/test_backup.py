"""`flask backup` and `flask restore`: an instance with a submitted application and its files goes
into one archive and comes back as it was; a damaged, altered or foreign archive, or an operator
who answers no, changes nothing. Runs on SQLite and on PostgreSQL (whichever DATABASE_URL names)."""

import io
import json
import tarfile

import pytest
from sqlalchemy import select

from apec.admin import backup
from apec.enterprises.models import Enterprise
from apec.extensions import db
from apec.materials.models import Material
from apec.materials.storage import get_storage

from .conftest import login
from .factories import add_person, submitted_application


def run(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def state(app):
    """Every row of every table, and the bytes of every file the database names."""
    with app.app_context():
        with db.engine.connect() as connection:
            rows = {table.name: [tuple(row) for row in connection.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns)))]
                    for table in db.metadata.sorted_tables}
        storage = get_storage()
        files = {}
        for key in db.session.scalars(select(Material.stored_name)):
            try:
                files[key] = storage.read(key)
            except FileNotFoundError:
                files[key] = None
    return rows, files


@pytest.fixture
def instance(app, make_enterprise):
    """An enterprise with a submitted application and every material uploaded."""
    enterprise_id, email = make_enterprise()
    person_id = add_person(app, enterprise_id)
    application_id = submitted_application(app, enterprise_id, [person_id])
    return {"enterprise_id": enterprise_id, "email": email, "application_id": application_id}


@pytest.fixture
def archive(app, instance, tmp_path):
    """The instance backed up, and its state at that moment."""
    path = tmp_path / "instance.tar.gz"
    before = state(app)
    result = run(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path, before


def change_everything(app, make_enterprise, enterprise_id):
    """What happens after a backup: a file lost, a row changed, a row added."""
    with app.app_context():
        key = db.session.scalars(select(Material.stored_name).order_by(Material.id)).first()
        get_storage().delete(key)
        db.session.get(Enterprise, enterprise_id).name = "改过名的企业有限公司"
        db.session.commit()
    make_enterprise(email="later@example.com")


def rewrite(path, change):
    """Copy the archive with `change(name, data)` applied to each entry's bytes."""
    with tarfile.open(path, "r:gz") as source:
        entries = [(member.name, source.extractfile(member).read()) for member in source.getmembers()]
    altered = path.with_name("altered.tar.gz")
    with tarfile.open(altered, "w:gz") as target:
        for name, data in entries:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return altered


def test_restore_brings_back_the_rows_and_files_as_they_were_at_backup(app, client, archive, instance,
                                                                      make_enterprise):
    path, before = archive
    rows, files = before
    assert files and all(data for data in files.values()), "the instance has uploaded files"
    change_everything(app, make_enterprise, instance["enterprise_id"])
    assert state(app) != before

    result = run(app, "restore", "--yes", str(path))

    assert result.exit_code == 0, result.output
    assert f"{len(files)} files, {sum(len(data) for data in files.values())} bytes" in result.output
    assert f"{sum(len(table) for table in rows.values())} rows" in result.output
    assert state(app) == before
    # The schema is whole and usable: sign in, and add rows (the restored sequences go on counting).
    assert login(client, instance["email"]).status_code == 303
    make_enterprise(email="after.restore@example.com")


def test_the_archive_holds_a_manifest_the_dump_and_every_file(app, archive):
    path, (rows, files) = archive
    with tarfile.open(path, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
    with app.app_context():
        assert manifest["alembic_revision"] == backup.code_revision()
        kind = backup.database_kind()
    assert manifest["database_kind"] == kind
    assert manifest["file_count"] == len(files) and manifest["missing_files"] == []
    assert manifest["tables"]["material"] == len(rows["material"])
    assert names == {"manifest.json", backup.DATABASE_FILES[kind]} | {f"files/{key}" for key in files}
    assert (path.stat().st_mode & 0o777) == 0o600, "personal data: readable by its owner only"


def test_an_archive_with_one_altered_file_is_refused_and_nothing_changes(app, archive, instance, make_enterprise):
    path, _ = archive
    altered_key = sorted(state(app)[1])[0]
    altered = rewrite(path, lambda name, data: data + b"x" if name == f"files/{altered_key}" else data)
    change_everything(app, make_enterprise, instance["enterprise_id"])
    changed = state(app)

    result = run(app, "restore", "--yes", str(altered))

    assert result.exit_code == 1
    assert f"files/{altered_key} does not match its sha256 in the manifest" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert state(app) == changed


def test_answering_no_changes_nothing(app, archive, instance, make_enterprise):
    path, _ = archive
    change_everything(app, make_enterprise, instance["enterprise_id"])
    changed = state(app)

    result = run(app, "restore", str(path), input="n\n")

    assert result.exit_code == 1
    assert "hashes OK" in result.output and "Continue? [y/N]" in result.output and "Aborted!" in result.output
    assert state(app) == changed


def test_an_archive_of_another_schema_revision_is_refused(app, archive):
    path, _ = archive

    def older(name, data):
        if name != "manifest.json":
            return data
        return json.dumps(dict(json.loads(data), alembic_revision="0001_initial")).encode()

    result = run(app, "restore", "--yes", str(rewrite(path, older)))

    assert result.exit_code == 1
    assert "was made at database revision 0001_initial, this code is at" in result.output


def test_an_unreadable_archive_is_a_one_line_error(app, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    for path in (junk, tmp_path / "absent.tar.gz"):
        result = run(app, "restore", "--yes", str(path))
        assert result.exit_code == 1
        assert "not a readable backup archive" in result.output
        assert isinstance(result.exception, SystemExit), "no traceback"


def test_backup_refuses_to_overwrite_an_archive(app, archive):
    path, _ = archive
    result = run(app, "backup", str(path))
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_pg_tools_get_the_url_as_arguments_and_the_password_in_the_environment(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda program: f"/usr/bin/{program}")
    arguments, environment = backup.pg_command(
        "pg_dump", "postgresql+psycopg://apec:s3cret@db.example:5433/apec?sslmode=require")
    assert arguments == ["/usr/bin/pg_dump", "--host=db.example", "--port=5433", "--username=apec", "--dbname=apec"]
    assert environment["PGPASSWORD"] == "s3cret" and environment["PGSSLMODE"] == "require"
    assert not any("s3cret" in argument for argument in arguments)


def test_a_missing_pg_dump_is_named(app, monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda program: None)
    with pytest.raises(backup.BackupError, match="pg_dump not found: install the PostgreSQL client tools"):
        backup.pg_command("pg_dump", "postgresql+psycopg://postgres@127.0.0.1/test_x")
    with app.app_context():
        if backup.database_kind() != "postgresql":
            return
    result = run(app, "backup", str(tmp_path / "b.tar.gz"))
    assert result.exit_code == 1 and "pg_dump not found" in result.output
    assert not list(tmp_path.iterdir()), "no partial archive left behind"
