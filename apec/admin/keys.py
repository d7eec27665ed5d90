"""`flask rotate-keys`: every sealed identity number re-sealed under the newest data key.

Run after putting a new key first in APEC_DATA_KEYS (the old one stays listed until this
has run), and once after upgrading from values bound to the key id only. Rows are taken in
batches, each locked and committed on its own, so the app keeps serving meanwhile.
"""

from collections import Counter

from sqlalchemy import select

from ..applications.businesses import NEW_PASSPORT_NUMBER
from ..applications.drafts import SEALED
from ..applications.models import Application, ApplicationMember
from ..crypto import reseal
from ..enterprises.models import Person
from ..extensions import db

BATCH = 500


def rotate_keys() -> dict[str, Counter]:
    """Per place ("person.id_number", …): how many values were re-sealed and how many already were current."""
    counts: dict[str, Counter] = {}
    for model, reseal_row in ((Person, _reseal_person), (ApplicationMember, _reseal_member),
                              (Application, _reseal_application)):
        last_id = 0
        while True:
            rows = db.session.scalars(
                select(model).where(model.id > last_id).order_by(model.id).limit(BATCH).with_for_update()
            ).all()
            if not rows:
                break
            for row in rows:
                reseal_row(row, counts)
            last_id = rows[-1].id
            db.session.commit()
    return counts


def _count(counts, place: str, old, new) -> None:
    if old:
        counts.setdefault(place, Counter())["resealed" if new != old else "current"] += 1


def _reseal_person(person: Person, counts) -> None:
    for descriptor in (Person.id_number, Person.passport_number):
        old = getattr(person, descriptor.encrypted)
        new = reseal(old, descriptor.context(person))
        _count(counts, f"person.{descriptor.name}", old, new)
        if new != old:
            setattr(person, descriptor.encrypted, new)


def _reseal_member(member: ApplicationMember, counts) -> None:
    if not member.snapshot:
        return
    snapshot = dict(member.snapshot)
    for field in SEALED:
        old = snapshot.get(f"{field}_encrypted")
        snapshot[f"{field}_encrypted"] = new = reseal(old, member.seal_context(field))
        _count(counts, f"application_member.snapshot.{field}", old, new)
    if snapshot != member.snapshot:
        member.snapshot = snapshot


def _reseal_application(application: Application, counts) -> None:
    if not application.extra:
        return
    extra = dict(application.extra)
    if extra.get("new_passport"):
        passport = dict(extra["new_passport"])
        old = passport.get("number_encrypted")
        passport["number_encrypted"] = new = reseal(old, application.seal_context(NEW_PASSPORT_NUMBER))
        _count(counts, f"application.extra.{NEW_PASSPORT_NUMBER}", old, new)
        extra["new_passport"] = passport
    unsaved = {}
    for step, kept in (extra.get("unsaved") or {}).items():
        kept = dict(kept)
        for key in SEALED:
            old = kept.get(key)
            kept[key] = new = reseal(old, application.seal_context(f"unsaved.{step}.{key}"))
            _count(counts, "application.extra.unsaved", old, new)
        unsaved[step] = kept
    if unsaved:
        extra["unsaved"] = unsaved
    if extra != application.extra:
        application.extra = extra
