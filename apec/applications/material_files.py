"""预览 and 下载 of uploaded materials, only for users who may see the application.

It lives here, not in materials/: who may see a file is who may see its application."""

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from ..extensions import db
from ..materials.models import Material
from ..materials.storage import get_storage
from ..web.downloads import file_response
from .access import can_view
from .models import Application

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
    try:
        data = get_storage().read(material.stored_name)
    except FileNotFoundError:
        abort(404)
    response = file_response(data, material.content_type, material.original_name, disposition)
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"
    return response


@bp.get("/<int:material_id>/download")
@login_required
def download(material_id: int):
    return _file_response(_visible_material(material_id), "attachment")


@bp.get("/<int:material_id>/preview")
@login_required
def preview(material_id: int):
    return _file_response(_visible_material(material_id), "inline")
