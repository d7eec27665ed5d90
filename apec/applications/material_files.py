"""预览 (a page with the file and 下载, seed 002) and 下载 of uploaded materials, only for users who
may see the application.

It lives here, not in materials/: who may see a file is who may see its application."""

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required

from .. import audit
from ..accounts.models import ROLE_REVIEWER
from ..extensions import db
from ..materials.models import Material
from ..materials.storage import get_storage
from ..web.downloads import file_response
from ..web.templating import current_province
from .access import can_view
from .models import Application, ApplicationMember

bp = Blueprint("materials", __name__, url_prefix="/materials")


def _visible_material(material_id: int) -> Material:
    material = db.session.get(Material, material_id)
    if material is None or material.application_id is None:
        abort(404)
    application = db.session.get(Application, material.application_id)
    if not can_view(current_user, application):
        abort(404)
    return material


def _file_response(material: Material, disposition: str) -> Response:
    """The file's bytes; each serving is in the audit log (a passport or ID card scan is a
    person's data, and a province admin may open any file of the province)."""
    try:
        data = get_storage().read(material.stored_name)
    except FileNotFoundError:
        abort(404)
    member = db.session.get(ApplicationMember, material.member_id) if material.member_id else None
    audit.pii_viewed("material", current_user, application_id=material.application_id, material_id=material.id,
                     person_id=member.person_id if member else None, kind=material.kind, disposition=disposition)
    db.session.commit()
    response = file_response(data, material.content_type, material.original_name, disposition)
    # The file itself runs nothing; only the 预览 page of this site may show it in a frame. A PDF is
    # not sandboxed: Chromium refuses to show a PDF in a sandboxed document.
    sandbox = "" if material.content_type == "application/pdf" else "; sandbox"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'{sandbox}")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/examples/<business_type>/<code>.svg")
def example(business_type: str, code: str):
    """查看示例 of one material of the province's list, as a picture drawn from its rules."""
    spec = next((spec for spec in current_province().material_list(business_type) if spec.code == code), None)
    if spec is None:
        abort(404)
    if spec.image_size:
        kind = "photo" if spec.image_size[1] > spec.image_size[0] else "signature"
    else:
        # 护照更换申请 (passport_change) is a generated document, not a passport page.
        kind = "passport" if "passport" in spec.code and not spec.template else "document"
    svg = render_template("materials/example.svg", spec=spec, kind=kind, w=520, h=330)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/<int:material_id>/download")
@login_required
def download(material_id: int):
    return _file_response(_visible_material(material_id), "attachment")


@bp.get("/<int:material_id>/preview")
@login_required
def preview(material_id: int):
    """预览: the file on a page of its own, with whose it is and 下载."""
    material = _visible_material(material_id)
    application = db.session.get(Application, material.application_id)
    back = None
    if current_user.is_enterprise_user:
        back = url_for("user_center.application_detail", application_id=application.id)
    elif current_user.role == ROLE_REVIEWER:
        back = url_for("review.detail", application_id=application.id)
    return render_template("materials/preview.html", material=material, application=application, back=back)


@bp.get("/<int:material_id>/file")
@login_required
def inline(material_id: int):
    """The file as the browser shows it, framed by 预览."""
    return _file_response(_visible_material(material_id), "inline")
