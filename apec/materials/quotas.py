"""How many files, and how many bytes, may be uploaded into an application, for one member of
it, and by an enterprise in all ([uploads] in config/default.toml).

Every upload passes here (`operations.store_material`), whichever page it comes from: a slot of
the material list, a 新增附件, a member's file, a payment voucher. The counts are of current
files (`superseded_at` is None), the ones the user sees and can delete: a file kept as history
after a submission is no longer the enterprise's to remove, and there are as many of those as
the office's 退回 made. Sizes are the stored ones (`Material.size`: a picture re-encoded).

The application's own files (member_id None) and each member's files have limits of their own:
a 团组 or 批量申报 of many persons has many files, each member's list bounded by its material
list, so one limit for the whole application would either refuse a large group or let one
slot of 新增附件 take dozens of files.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import false, func, select, update

from ..extensions import db
from .checks import UploadRejected
from .models import Material

MIB = 1024 * 1024


class QuotaExceeded(UploadRejected):
    """The upload would take the application, the member or the enterprise past its limit."""


@dataclass(frozen=True)
class Limit:
    """One limit: its config key, and what the user is told when it is reached."""

    key: str
    message: str


FILES_PER_APPLICATION = Limit("APEC_UPLOAD_MAX_FILES_PER_APPLICATION",
                              "本申请的附件已达上限 {limit} 个，请删除不需要的附件后再上传。")
BYTES_PER_APPLICATION = Limit("APEC_UPLOAD_MAX_BYTES_PER_APPLICATION",
                              "本申请的附件合计不能超过 {limit}（已上传 {used}，所选文件 {size}），"
                              "请删除不需要的附件或压缩后再上传。")
FILES_PER_MEMBER = Limit("APEC_UPLOAD_MAX_FILES_PER_MEMBER",
                         "该申请人的材料已达上限 {limit} 个，请删除不需要的文件后再上传。")
BYTES_PER_MEMBER = Limit("APEC_UPLOAD_MAX_BYTES_PER_MEMBER",
                         "该申请人的材料合计不能超过 {limit}（已上传 {used}，所选文件 {size}），"
                         "请删除不需要的文件或压缩后再上传。")
FILES_PER_ENTERPRISE = Limit("APEC_UPLOAD_MAX_FILES_PER_ENTERPRISE",
                             "本企业所有申请的附件已达上限 {limit} 个，请删除草稿中不需要的附件，或联系外办。")
BYTES_PER_ENTERPRISE = Limit("APEC_UPLOAD_MAX_BYTES_PER_ENTERPRISE",
                             "本企业所有申请的附件合计已达上限 {limit}（已上传 {used}，所选文件 {size}），"
                             "请删除草稿中不需要的附件，或联系外办。")


def size_text(size: int) -> str:
    """Bytes as the user reads them: "200 MB", "5 GB", "1.5 MB", "30 KB" (binary units, as the size checks)."""
    if size < MIB:
        return f"{max(1, round(size / 1024))} KB"
    value, unit = (size / (1024 * MIB), "GB") if size >= 1024 * MIB else (size / MIB, "MB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def check_quota(application, member_id: int | None, size: int, replacing: Material | None = None) -> None:
    """QuotaExceeded if storing `size` more bytes in one more file (in place of `replacing`, which
    leaves the current files) would pass a limit; nothing otherwise.

    Takes the enterprise's write lock first, so two uploads at once cannot both pass the last
    place; the lock is held until the upload's transaction ends.
    """
    _lock_enterprise(application.enterprise_id)
    scope = (Material.member_id == member_id) if member_id else (Material.member_id.is_(None))
    own = _usage(Material.application_id == application.id, scope, replacing=replacing)
    if member_id:
        _within(own, size, FILES_PER_MEMBER, BYTES_PER_MEMBER)
    else:
        _within(own, size, FILES_PER_APPLICATION, BYTES_PER_APPLICATION)
    from ..applications.models import Application

    enterprise_applications = select(Application.id).where(Application.enterprise_id == application.enterprise_id)
    _within(_usage(Material.application_id.in_(enterprise_applications), replacing=replacing), size,
            FILES_PER_ENTERPRISE, BYTES_PER_ENTERPRISE)


def _usage(*conditions, replacing: Material | None) -> tuple[int, int]:
    """(files, bytes) of the current files meeting `conditions`, `replacing` left out."""
    query = select(func.count(Material.id), func.coalesce(func.sum(Material.size), 0)).where(
        Material.superseded_at.is_(None), *conditions)
    if replacing is not None and replacing.id is not None:
        query = query.where(Material.id != replacing.id)
    files, used = db.session.execute(query).one()
    return int(files), int(used)


def _within(usage: tuple[int, int], size: int, files_limit: Limit, bytes_limit: Limit) -> None:
    files, used = usage
    max_files = int(current_app.config[files_limit.key])
    if files + 1 > max_files:
        raise QuotaExceeded(files_limit.message.format(limit=max_files))
    max_bytes = int(current_app.config[bytes_limit.key])
    if used + size > max_bytes:
        raise QuotaExceeded(bytes_limit.message.format(limit=size_text(max_bytes), used=size_text(used),
                                                       size=size_text(size)))


def _lock_enterprise(enterprise_id: int) -> None:
    """PostgreSQL: lock the enterprise's row (FOR NO KEY UPDATE: rows that refer to it can still
    be added). SQLite: take the database write lock, as the workflow does (a statement that
    writes, changing no row)."""
    from ..enterprises.models import Enterprise

    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Enterprise).where(false()).values(name=Enterprise.name))
    else:
        db.session.execute(select(Enterprise.id).where(Enterprise.id == enterprise_id).with_for_update(key_share=True))
