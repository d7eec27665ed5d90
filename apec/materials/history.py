"""Files replaced or deleted after a submission, as the office sees them.

Once an application was submitted, a replaced or deleted file is kept as history
(`Material.superseded_at`, and `replaced_by_id` on a replacement). The office's page shows
each current file with the files it replaced, and the opinion its last 退回 gave on them,
and lists the history of each material in one line.
"""

from dataclasses import dataclass, field

from .models import Material


@dataclass(frozen=True)
class Earlier:
    """A file no longer current, with what the last 退回 said of it ("" if nothing)."""

    material: Material
    note: str


@dataclass
class SlotHistory:
    """The history of one material of the list (for the application or one member)."""

    title: str
    member_id: int | None
    files: list[Earlier] = field(default_factory=list)


def last_return_notes(application) -> dict[int, str]:
    """{material id: opinion} of the materials the last 退回 flagged.

    While returned the opinion is in `extra`; resubmission drops it there, but the 退回's
    timeline entry keeps it.
    """
    for event in reversed(application.timeline):
        if event.action == "return":
            flagged = (event.data or {}).get("materials") or {}
            return {int(key): note for key, note in flagged.items()}
    return {}


def replaced_files(application) -> dict[int, list[Earlier]]:
    """Current file id → the files it replaced (through any chain of replacements), oldest first."""
    notes = last_return_notes(application)
    current = {material.id for material in application.materials}
    history = {material.id: material for material in application.material_history}
    replaced: dict[int, list[Earlier]] = {}
    for material in history.values():
        successor, seen = material.replaced_by_id, set()
        while successor in history and successor not in seen:  # the replacement was replaced too
            seen.add(successor)
            successor = history[successor].replaced_by_id
        if successor in current:
            replaced.setdefault(successor, []).append(Earlier(material, notes.get(material.id, "")))
    return replaced


def slot_history(application) -> list[SlotHistory]:
    """The files no longer current, one entry per material of the list, in upload order."""
    notes = last_return_notes(application)
    slots: dict[tuple, SlotHistory] = {}
    for material in application.material_history:
        key = (material.member_id, material.kind, material.title if material.kind is None else "")
        slot = slots.setdefault(key, SlotHistory(material.title, material.member_id))
        slot.files.append(Earlier(material, notes.get(material.id, "")))
    return list(slots.values())
