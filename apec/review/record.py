"""The application as the office reads it: when each stage began, the timeline in groups."""

import datetime
from dataclasses import dataclass

from sqlalchemy import select

from ..applications.models import Application, ApplicationMember, Card, TimelineEvent
from ..applications.states import enters_stage
from ..extensions import db
from ..materials.models import Material


@dataclass(frozen=True)
class StageEntry:
    office_code: str
    status: str
    entered_at: datetime.datetime


def stage_entries(application: Application) -> list[StageEntry]:
    """Each time the application came into new hands (states.enters_stage), oldest first. A
    timeline event keeps the office it happened at; the office it led to is the next event's."""
    changes = [event for event in application.timeline if event.from_status != event.to_status]
    entries = []
    for event, following in zip(changes, changes[1:] + [None]):
        office_after = following.office_code if following else application.office_code
        if enters_stage(event.from_status or "draft", event.office_code, event.to_status, office_after):
            entries.append(StageEntry(office_after, event.to_status, event.created_at))
    return entries


@dataclass(frozen=True)
class TimelineItem:
    """One line of the staff timeline: an event, or the economies' decisions recorded together."""

    event: TimelineEvent
    decisions: tuple[TimelineEvent, ...] = ()


def timeline_items(application: Application) -> list[TimelineItem]:
    """The timeline with each run of economy decisions, one recording, as one line."""
    items: list[TimelineItem] = []
    for event in application.timeline:
        previous = items[-1] if items else None
        if event.action == "economy_decision" and previous and previous.decisions \
                and previous.event.actor_id == event.actor_id:
            items[-1] = TimelineItem(previous.event, previous.decisions + (event,))
        elif event.action == "economy_decision":
            items.append(TimelineItem(event, (event,)))
        else:
            items.append(TimelineItem(event))
    return items


def done_by(province, event: TimelineEvent) -> str:
    """Who an event was by, as the office reads it: the enterprise's own user by name, staff by
    office and name, the system (a follow-on change) by office."""
    actor = event.actor
    if actor is not None and actor.is_enterprise_user:
        return f"企业 {actor.display_name}"
    office = province.office(event.office_code).name if event.office_code else ""
    name = actor.display_name if actor else ""
    if name.startswith(office):
        return name  # an account named after its office (石家庄市人民政府外事办公室审核员)
    return " ".join(part for part in (office, name) if part)


@dataclass(frozen=True)
class MemberFacts:
    member: ApplicationMember
    passport_months_left: int | None   # at submission
    passport_short: bool               # below the province's least validity at submission
    materials: list[Material]


def member_facts(province, application: Application) -> list[MemberFacts]:
    """Each member with their files and how long their passport ran at submission, against the
    province's least validity (Liaoning, Hunan: 12 months) and the card's 5 years."""
    least = province.config.eligibility.passport_min_valid_months
    submitted = (application.submitted_at or application.created_at).date()
    facts = []
    for member in application.members:
        expiry = member.shown.passport_expiry_date
        months = months_between(submitted, datetime.date.fromisoformat(expiry)) if expiry else None
        facts.append(MemberFacts(
            member, months, bool(least) and (months is None or months < least),
            [material for material in application.materials if material.member_id == member.id],
        ))
    return facts


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (negative when `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def unit_materials(application: Application) -> list[Material]:
    """The enterprise's files (公函, 营业执照 …) and vouchers: those of no member."""
    return [material for material in application.materials if material.member_id is None]


def cards_made(application: Application) -> list[Card]:
    return list(db.session.scalars(select(Card).where(Card.application_id == application.id).order_by(Card.id)))
