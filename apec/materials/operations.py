"""Upload and delete materials through the storage interface."""

import hashlib
import os

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models_base import utcnow
from ..provinces.schema import MaterialSpec
from .checks import CONTENT_TYPES, EXTENSIONS, UploadRejected, checked_file
from .models import Material
from .quotas import check_quota
from .storage import get_storage


def clean_filename(name: str, kind: str) -> str:
    """The user's file name for display and downloads: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')[:200].strip()
    return base or f"附件{EXTENSIONS[kind]}"


def store_material(*, application, member_id: int | None, spec: MaterialSpec | None, title: str, filename: str,
                   data: bytes, actor, issued_on, replacing: Material | None = None) -> Material:
    """Check the bytes and the quotas, save the bytes as checked (a picture re-encoded) and add
    their row (not committed); UploadRejected, nothing saved, if a check fails.

    Every upload comes through here: the one place of the file checks and the quotas.
    `replacing` is the file the new one takes the place of, which leaves the quota's count.
    """
    checked = checked_file(data, spec, issued_on=issued_on)
    kind, data = checked.kind, checked.data
    check_quota(application, member_id, len(data), replacing=replacing)
    key = get_storage().save(data)
    material = Material(
        application_id=application.id, member_id=member_id, kind=spec.code if spec else None,
        title=spec.label if spec else title, original_name=clean_filename(filename, kind), stored_name=key,
        content_type=CONTENT_TYPES[kind], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id, issued_on=issued_on,
    )
    db.session.add(material)
    return material


def _commit_or_forget(material: Material) -> None:
    """Commit; if that fails, nothing is kept, not even the new file's bytes."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        get_storage().delete(material.stored_name)
        raise


def keeps_history(application, material: Material) -> bool:
    """A file the office has seen (it was there at the last submission) is kept when replaced or
    deleted; one uploaded since, in a draft or after a 退回, simply goes."""
    return application.submitted_at is not None and material.created_at <= application.submitted_at


def upload_material(*, application, member_id: int | None, spec: MaterialSpec | None, title: str,
                    filename: str, data: bytes, actor, issued_on=None) -> Material:
    """Check and store one file; UploadRejected (nothing stored) if it fails a check."""
    material = store_material(application=application, member_id=member_id, spec=spec, title=title,
                              filename=filename, data=data, actor=actor, issued_on=issued_on)
    audit.record("material_uploaded", user=actor, application_id=application.id, kind=material.kind)
    _commit_or_forget(material)
    return material


class SlotFull(UploadRejected):
    """The material already has as many files as it takes, and the user did not confirm a replacement."""


def file_to_replace(spec: MaterialSpec | None, files: list[Material], replace_id: int | None) -> Material | None:
    """Which of a slot's current `files` an upload replaces: the one the user confirmed, or None to add a file.

    SlotFull when the slot is full and the user confirmed no file of it.
    """
    chosen = next((material for material in files if material.id == replace_id), None) if replace_id else None
    if chosen is not None or spec is None or len(files) < spec.max_count:
        return chosen
    if len(files) == 1:
        raise SlotFull(f"{spec.label}已上传 1 个文件（最多 {spec.max_count} 个）。"
                       "如需替换，请勾选“确认替换原文件”后重新上传；原文件未作改动。")
    raise SlotFull(f"{spec.label}已上传 {len(files)} 个文件（最多 {spec.max_count} 个）。"
                   "如需替换，请选择要替换的文件后重新上传；原文件未作改动。")


def replace_material(old: Material, *, application, spec: MaterialSpec | None, filename: str, data: bytes, actor,
                     issued_on=None) -> Material:
    """Store a new file in place of `old`; UploadRejected (nothing changed) if the new one fails a check.

    Once the application was submitted the old file stays as history (replaced by the new
    one, still downloadable by whoever may see the application); in a draft it is deleted.
    """
    new = store_material(application=application, member_id=old.member_id, spec=spec, title=old.title,
                         filename=filename, data=data, actor=actor, issued_on=issued_on, replacing=old)
    old_key = None
    if keeps_history(application, old):
        old.superseded_at, old.replaced_by = utcnow(), new
    else:
        old_key = old.stored_name
        _pass_on_history(old, new)
        db.session.delete(old)
    audit.record("material_replaced", user=actor, application_id=application.id, kind=new.kind, replaced_id=old.id)
    _commit_or_forget(new)
    if old_key:
        get_storage().delete(old_key)
    return new


def remove_material(application, material: Material, actor) -> None:
    """删除 by the enterprise: kept as history once the application was submitted, else gone."""
    if not keeps_history(application, material):
        delete_material(material, actor)
        return
    material.superseded_at = utcnow()
    audit.record("material_deleted", user=actor, application_id=material.application_id, kind=material.kind)
    db.session.commit()


def _pass_on_history(gone: Material, successor: Material | None) -> None:
    """Files that `gone` had replaced are now replaced by `successor` (None: they read as deleted)."""
    for earlier in db.session.scalars(select(Material).where(Material.replaced_by_id == gone.id)):
        earlier.replaced_by = successor


def delete_material(material: Material, actor=None, commit: bool = True) -> None:
    """Delete the row and its bytes, history or not (a draft's file, a removed member's files)."""
    key = material.stored_name
    _pass_on_history(material, None)
    db.session.delete(material)
    if actor is not None:
        audit.record("material_deleted", user=actor, application_id=material.application_id, kind=material.kind)
    if commit:
        db.session.commit()
    get_storage().delete(key)
