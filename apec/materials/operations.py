"""Upload and delete materials through the storage interface."""

import hashlib
import os

from .. import audit
from ..extensions import db
from ..provinces.schema import MaterialSpec
from .checks import CONTENT_TYPES, EXTENSIONS, check_upload
from .models import Material
from .storage import get_storage


def clean_filename(name: str, kind: str) -> str:
    """The user's file name for display and downloads: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')[:200].strip()
    return base or f"附件{EXTENSIONS[kind]}"


def upload_material(*, application, member_id: int | None, spec: MaterialSpec | None, title: str,
                    filename: str, data: bytes, actor, issued_on=None) -> Material:
    """Check and store one file; UploadRejected (nothing stored) if it fails a check."""
    kind = check_upload(data, spec, issued_on=issued_on)
    key = get_storage().save(data)
    material = Material(
        application_id=application.id, member_id=member_id, kind=spec.code if spec else None,
        title=spec.label if spec else title, original_name=clean_filename(filename, kind), stored_name=key,
        content_type=CONTENT_TYPES[kind], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id, issued_on=issued_on,
    )
    db.session.add(material)
    audit.record("material_uploaded", user=actor, application_id=application.id, kind=material.kind)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        get_storage().delete(key)
        raise
    return material


def delete_material(material: Material, actor=None, commit: bool = True) -> None:
    key = material.stored_name
    db.session.delete(material)
    if actor is not None:
        audit.record("material_deleted", user=actor, application_id=material.application_id, kind=material.kind)
    if commit:
        db.session.commit()
    get_storage().delete(key)
