"""成员 operations: add, edit, 成员核查 (look a person up by ID number)."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..crypto import blind_index
from ..extensions import db
from ..validators import normalize
from .forms import birth_date_from_id, gender_from_id
from .models import Person
from .pinyin import propose_pinyin

PERSON_FIELDS = (
    "name", "surname_pinyin", "given_name_pinyin", "mobile", "position", "passport_type",
    "passport_issue_date", "passport_expiry_date", "passport_authority", "passport_place",
)
DUPLICATE_PERSON = "本企业已有该身份证号的成员，请在成员列表中编辑。"


class PersonError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def find_person(enterprise_id: int, id_number: str) -> Person | None:
    """成员核查: the enterprise's person with this ID number, found through the blind index."""
    number = normalize(id_number)
    if not number:
        return None
    return db.session.scalar(
        select(Person).where(Person.enterprise_id == enterprise_id, Person.id_number_index == blind_index(number))
    )


def _apply(person: Person, data: dict) -> None:
    for field in PERSON_FIELDS:
        setattr(person, field, data[field])
    person.id_number = data["id_number"]
    person.passport_number = data["passport_number"]
    person.birth_date = birth_date_from_id(person.id_number)
    person.gender = gender_from_id(person.id_number)
    if not person.surname_pinyin or not person.given_name_pinyin:
        surname, given = propose_pinyin(person.name)
        person.surname_pinyin = person.surname_pinyin or surname
        person.given_name_pinyin = person.given_name_pinyin or given


def create_person(enterprise_id: int, data: dict, actor) -> Person:
    if find_person(enterprise_id, data["id_number"]):
        raise PersonError(DUPLICATE_PERSON, field="id_number")
    person = Person(enterprise_id=enterprise_id)
    _apply(person, data)
    db.session.add(person)
    audit.record("person_created", user=actor, person_name=person.name)
    _commit()
    return person


def update_person(person: Person, data: dict, actor) -> None:
    other = find_person(person.enterprise_id, data["id_number"])
    if other is not None and other.id != person.id:
        raise PersonError(DUPLICATE_PERSON, field="id_number")
    _apply(person, data)
    audit.record("person_updated", user=actor, person_id=person.id)
    _commit()


def person_form_data(person: Person) -> dict:
    """The person as form data (decrypted), to fill a form from 成员核查."""
    data = {field: getattr(person, field) for field in PERSON_FIELDS}
    data.update(
        id_number=person.id_number, passport_number=person.passport_number,
        gender=person.gender, birth_date=person.birth_date,
    )
    return data


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise PersonError(DUPLICATE_PERSON, field="id_number") from None
