"""What the enterprise changed between two submissions (after a 退回).

At every submission the application keeps a fingerprint of what it submitted: one digest per
section a reviewer may ask to change (RETURN_SECTIONS) and the list of current materials. On
resubmission the fingerprint is compared with the application as it is now, so the office sees
which sections and materials changed since it returned the application.

Digests, not values: identity numbers are encrypted with a fresh nonce on every save, so
values are compared decrypted, and only their keyed digest is kept (no PII in the fingerprint).
"""

import json

from ..crypto import blind_index
from ..enterprises.persons import person_form_data
from ..statuses import RETURN_SECTIONS


def _digest(value) -> str:
    """Keyed (the blind index's HMAC): without the key a digest cannot be checked against guesses."""
    return blind_index(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def section_values(application) -> dict:
    """Each returnable section's values as the enterprise entered them."""
    extra = application.extra or {}
    return {
        "contact": [application.contact_name, application.contact_phone],
        "declaration": extra.get("declaration"),
        "members": [[member.person_id, person_form_data(member.person)] for member in application.members],
        "pickup": [application.pickup_method, application.pickup_snapshot],
        "report": [application.purpose, application.payment_method, application.invoice_snapshot],
    }


def _material_label(material, members: dict) -> str:
    owner = members.get(material.member_id)
    return f"{material.title}（{owner}）" if owner else material.title


def fingerprint(application) -> dict:
    members = {member.id: member.person.name for member in application.members}
    return {
        "sections": {key: _digest(value) for key, value in section_values(application).items()},
        "materials": {
            str(material.id): {"label": _material_label(material, members), "slot": [material.kind, material.member_id]}
            for material in application.materials
        },
    }


def changes_since(previous: dict | None, application) -> dict | None:
    """Sections and materials that differ from the `previous` fingerprint, as labels to show
    (None when there is no earlier fingerprint to compare with)."""
    if not previous:
        return None
    now = fingerprint(application)
    sections = [
        RETURN_SECTIONS[key] for key in RETURN_SECTIONS
        if previous["sections"].get(key) != now["sections"].get(key)
    ]
    before, after = previous["materials"], now["materials"]
    removed = {key: value for key, value in before.items() if key not in after}
    added = {key: value for key, value in after.items() if key not in before}
    materials = []
    for key, new in added.items():
        old_key = next((k for k, old in removed.items() if old["slot"] == new["slot"] and new["slot"][0]), None)
        if old_key is not None:
            removed.pop(old_key)
            materials.append(f"已替换 {new['label']}")
        else:
            materials.append(f"新增 {new['label']}")
    materials.extend(f"已删除 {old['label']}" for old in removed.values())
    return {"sections": sections, "materials": materials}


def summary(changes: dict | None) -> str:
    """One line for lists: 已修改 联系人信息；已替换 照片（宋文泰）."""
    if changes is None:
        return ""
    if not changes.get("sections") and not changes.get("materials"):
        return "未作修改"
    parts = []
    if changes.get("sections"):
        parts.append("已修改 " + "、".join(changes["sections"]))
    parts.extend(changes.get("materials", []))
    return "；".join(parts)
