"""Identity numbers encrypted at rest with rotating keys; migrations match the models."""

import base64
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from apec.crypto import blind_index, decrypt, encrypt
from apec.enterprises.models import Person
from apec.extensions import db


def test_encrypt_round_trip_and_nonce_makes_each_token_different(app):
    with app.app_context():
        first, second = encrypt("110105199805152516"), encrypt("110105199805152516")
        assert first != second
        assert decrypt(first) == decrypt(second) == "110105199805152516"
        assert "110105199805152516" not in first


def test_old_values_stay_readable_after_a_new_key_is_put_first(app):
    with app.app_context():
        old_token = encrypt("E26895502")
        old_keys = app.config["APEC_DATA_KEYS"]
        new_key = base64.b64encode(os.urandom(32)).decode()
        app.config["APEC_DATA_KEYS"] = f"k1:{new_key},{old_keys}"
        try:
            new_token = encrypt("E26895502")
            assert new_token.startswith("k1:")
            assert decrypt(old_token) == decrypt(new_token) == "E26895502"
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
