"""管理后台 for a province admin: offices, review paths, staff accounts."""

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import STAFF_ROLES, User
from ..extensions import db
from ..web.access import province_admin_required
from ..web.templating import current_province, render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@province_admin_required
def overview():
    province = current_province()
    staff = db.session.scalars(
        select(User).where(User.province == current_user.province, User.role.in_(STAFF_ROLES)).order_by(User.id)
    ).all()
    paths = {code: province.review_path(code) for code, _ in province.registration_offices()}
    return render("admin/overview.html", staff=staff, paths=paths)[0]
