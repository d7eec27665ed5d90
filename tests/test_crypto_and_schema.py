"""Identity numbers encrypted at rest with rotating keys; migrations match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from apec.applications.models import Application
from apec.crypto import DataKeyError, blind_index, decrypt, encrypt
from apec.enterprises.models import Person
from apec.extensions import db
from apec.settings import generate_key

from .factories import add_person, submitted_application, valid_id


def test_encrypt_round_trip_and_nonce_makes_each_token_different(app):
    with app.app_context():
        first, second = encrypt("110105199805152516", "person.id_number#1"), encrypt("110105199805152516", "person.id_number#1")
        assert first != second
        assert decrypt(first, "person.id_number#1") == decrypt(second, "person.id_number#1") == "110105199805152516"
        assert "110105199805152516" not in first


def test_old_values_stay_readable_after_a_new_key_is_put_first(app):
    with app.app_context():
        old_token = encrypt("E26895502", "person.passport_number#1")
        old_keys = app.config["APEC_DATA_KEYS"]
        app.config["APEC_DATA_KEYS"] = f"k1:{generate_key()},{old_keys}"
        try:
            new_token = encrypt("E26895502", "person.passport_number#1")
            assert new_token.startswith("@k1:")
            assert decrypt(old_token, "person.passport_number#1") == decrypt(new_token, "person.passport_number#1") == "E26895502"
        finally:
            app.config["APEC_DATA_KEYS"] = old_keys


def _two_people(app, enterprise_id):
    with app.app_context():
        first = Person(enterprise_id=enterprise_id, name="宋文泰")
        first.id_number, first.passport_number = "110105199805152516", "E26895502"
        second = Person(enterprise_id=enterprise_id, name="林晓")
        second.id_number, second.passport_number = "11010519491231002X", "E12345678"
        db.session.add_all([first, second])
        db.session.commit()
        return first.id, second.id


def test_a_number_moved_to_another_persons_row_or_column_does_not_open(app, make_enterprise):
    """L5: each sealed number is bound to its table, column and row."""
    enterprise_id, _ = make_enterprise()
    first_id, second_id = _two_people(app, enterprise_id)
    with app.app_context():
        first, second = db.session.get(Person, first_id), db.session.get(Person, second_id)
        assert first.id_number == "110105199805152516" and second.passport_number == "E12345678"
        stolen_id, stolen_passport = first.id_number_encrypted, first.passport_number_encrypted
        db.session.execute(update(Person).where(Person.id == second_id).values(id_number_encrypted=stolen_id))
        db.session.execute(update(Person).where(Person.id == first_id).values(id_number_encrypted=stolen_passport))
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(DataKeyError):
            db.session.get(Person, second_id).id_number
        with pytest.raises(DataKeyError):
            db.session.get(Person, first_id).id_number


def test_rotate_keys_reseals_every_number_under_the_newest_key_and_counts(app, make_enterprise):
    enterprise_id, _ = make_enterprise()
    _two_people(app, enterprise_id)
    applicant = add_person(app, enterprise_id, name="袁媛", id_number=valid_id("13010219850101002"), passport="E55667788")
    application_id = submitted_application(app, enterprise_id, [applicant])
    runner = app.test_cli_runner()
    old_keys = app.config["APEC_DATA_KEYS"]
    app.config["APEC_DATA_KEYS"] = f"k9:{generate_key()},{old_keys}"
    try:
        first = runner.invoke(args=["rotate-keys"])
        assert first.exit_code == 0, first.output
        assert "person.id_number: 3 re-encrypted, 0 already current" in first.output
        assert "application_member.snapshot.passport_number: 1 re-encrypted" in first.output
        with app.app_context():
            tokens = db.session.scalars(select(Person.id_number_encrypted)).all()
            assert tokens and all(token.startswith("@k9:") for token in tokens)
        # The old key can go: everything still opens under the new one alone.
        app.config["APEC_DATA_KEYS"] = app.config["APEC_DATA_KEYS"].split(",")[0]
        with app.app_context():
            assert {person.id_number for person in db.session.scalars(select(Person))} >= {"110105199805152516"}
            member = db.session.get(Application, application_id).members[0]
            assert member.shown.passport_number == member.person.passport_number
        again = runner.invoke(args=["rotate-keys"])
        assert "person.id_number: 0 re-encrypted, 3 already current" in again.output
    finally:
        app.config["APEC_DATA_KEYS"] = old_keys


def test_blind_index_finds_a_person_by_id_number_without_decrypting(app, make_enterprise):
    enterprise_id, _ = make_enterprise()
    with app.app_context():
        person = Person(enterprise_id=enterprise_id, name="宋文泰")
        person.id_number = "１１０１０５１９９８０５１５２５１６"  # typed full-width
        db.session.add(person)
        db.session.commit()
        found = db.session.scalar(select(Person).where(Person.id_number_index == blind_index("110105199805152516")))
        assert found is not None and found.id_number == "110105199805152516"


def test_alembic_migrations_create_exactly_the_models_schema(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
