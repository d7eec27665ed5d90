"""审核工作台: a reviewer's queue of applications routed to its office."""

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import ROLE_REVIEWER
from ..applications.models import Application
from ..applications.statuses import STATUS_LABELS
from ..extensions import db
from ..web.access import roles_required
from ..web.templating import current_province, page_number, render

bp = Blueprint("review", __name__, url_prefix="/staff")


@bp.get("/")
@roles_required(ROLE_REVIEWER)
def queue():
    province = current_province()
    status = request.args.get("status", "")
    statement = (
        select(Application)
        .where(
            Application.province == current_user.province,
            Application.office_code == current_user.office_code,
            Application.status != "draft",
        )
        .order_by(Application.submitted_at.asc(), Application.id.asc())
    )
    if status in STATUS_LABELS:
        statement = statement.where(Application.status == status)
    page = db.paginate(statement, page=page_number(), per_page=20, error_out=False)
    return render(
        "review/queue.html",
        block="results",
        page=page,
        office=province.office(current_user.office_code),
        status=status,
        statuses=list(STATUS_LABELS.items()),
        status_labels=STATUS_LABELS,
    )[0]
