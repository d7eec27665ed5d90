"""审核工作台: a reviewer's queue, the application as staff see it, and every review action.

Each action is one call of `workflow.transition` (or, for the economies'
decisions, `record_economy_decisions`); a refusal re-renders the page with
the reason and changes nothing.
"""

import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from .. import audit
from ..accounts.models import ROLE_REVIEWER
from ..applications import changes
from ..applications.access import can_view
from ..applications.models import Application
from ..applications.states import REVIEW_STATUSES, TRANSITIONS
from ..applications.businesses import makes_card
from ..applications.steps import steps_of
from ..applications.workflow import (
    WorkflowError,
    action_label,
    available_actions,
    current_payment,
    missing_comment,
    record_economy_decisions,
    refusal,
    transition,
)
from ..economies import preclearing_economies, transitional_economies
from ..extensions import db
from ..materials.history import replaced_files, slot_history
from ..provinces.registry import get_province
from ..statuses import RETURN_SECTIONS
from ..web.access import roles_required
from ..web.templating import current_province, page_number, render
from .queue import QueueFilters, is_resubmission, office_queue, queue_statuses, resubmissions

bp = Blueprint("review", __name__, url_prefix="/staff")
bp.add_app_template_filter(changes.summary, "change_summary")  # 重新提交: what changed, in one line
bp.add_app_template_test(is_resubmission, "resubmission")
reviewer_required = roles_required(ROLE_REVIEWER)


def returnable_sections(province, application) -> dict:
    """The parts of this application's steps a reviewer may ask to change."""
    steps = steps_of(province, application.business_type)
    present = {"contact", "members"}
    if province.config.wizard.declaration and application.parent_id is None:
        present.add("declaration")
    if application.parent_id is not None:
        present.add("business")
    if "pickup" in steps or "report" in steps:
        present.add("pickup")
    if "report" in steps:
        present.add("report")
    return {key: label for key, label in RETURN_SECTIONS.items() if key in present}


def _date(name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@reviewer_required
def queue():
    """待办: applications now at this office; 已办: those it handled, read-only."""
    province = current_province()
    filters = QueueFilters(
        view=request.args.get("view", "todo"), status=request.args.get("status", ""),
        business_type=request.args.get("type", ""), enterprise=request.args.get("enterprise", "").strip(),
        since=_date("from"), until=_date("to"),
    )
    page, rows, filters = office_queue(current_user, province, filters, page_number())
    return render(
        "review/queue.html", block="results", page=page, rows=rows, view=filters.view,
        office=province.office(current_user.office_code), status_filter=filters.status,
        business_type=filters.business_type, enterprise=filters.enterprise, since=filters.since,
        until=filters.until, statuses=list(queue_statuses(province, filters.view).items()),
    )[0]


@bp.post("/batch-accept")
@reviewer_required
def batch_accept():
    """受理 several applications at once (e.g. a group's reports)."""
    ids = [int(value) for value in request.form.getlist("application_id") if value.isdigit()]
    accepted, refused = [], []
    for application_id in ids:
        application = db.session.get(Application, application_id)
        if application is None or not can_view(current_user, application):
            refused.append(f"编号 {application_id}：申请单不存在。")
            continue
        try:
            transition(application, "accept", current_user, expected_version=None)
            accepted.append(application.number)
        except WorkflowError as error:
            refused.append(f"{application.number or application_id}：{error.message}")
    if accepted:
        flash(f"已受理 {len(accepted)} 件：{'、'.join(accepted)}。", "success")
    for message in refused:
        flash(message, "error")
    if not ids:
        flash("请先勾选要受理的申请单。", "error")
    return redirect(url_for("review.queue"), code=303)


def _visible(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not can_view(current_user, application):
        abort(404)
    return application


def detail_page(application: Application, error: WorkflowError | None = None, status: int = 200):
    """The staff page shows full identity numbers: every showing is written to the audit log."""
    audit.record("pii_view", user=current_user, application_id=application.id)
    db.session.commit()
    province = get_province(application.province)
    following = province.next_office(application.office_code) if application.status in REVIEW_STATUSES else None
    return render(
        "review/detail.html", application=application, actions=available_actions(application, current_user),
        next_office=following,
        payment=current_payment(application), sections=returnable_sections(province, application),
        economies=preclearing_economies(), transitional=transitional_economies(), error=error, status=error.status if error else status,
        resubmission=resubmissions([application]).get(application.id) if application.status == "submitted" else None,
        replaced=replaced_files(application), material_history=slot_history(application),
        today=datetime.date.today(), economies_of=economies_shown(application),
    )


# After the fee: the economies' decisions are recorded (新办/续办) or were recorded on the parent.
ECONOMIES_SHOWN = frozenset({"economies_review", "economies_review_early_made", "economies_done",
                             "economies_done_early_made", "card_pending", "card_ready", "picked_up", "mailed"})


def economies_shown(application: Application) -> Application | None:
    """Whose economies' decisions the staff page shows: the application's own, or for 提前制卡 and
    换补卡 its parent's (the card is made on them); None before there are any."""
    if application.parent_id is not None and makes_card(application):
        return application.parent
    return application if application.status in ECONOMIES_SHOWN else None


@bp.get("/applications/<int:application_id>")
@reviewer_required
def detail(application_id: int):
    return detail_page(_visible(application_id))


def _action_data(action: str, application: Application) -> dict:
    form = request.form
    if action == "return":
        sections = returnable_sections(get_province(application.province), application)
        fields = [key for key in form.getlist("field") if key in sections]
        materials = {}
        for material in application.materials:
            if form.get(f"material-{material.id}"):
                materials[material.id] = form.get(f"material-note-{material.id}", "").strip() or "请重新上传"
        return {"fields": fields, "materials": materials}
    if action == "issue_card":
        cards = {str(member.id): form.get(f"card-{member.id}", "").strip().upper() for member in application.members}
        try:
            valid_from = datetime.date.fromisoformat(form.get("valid_from", ""))
        except ValueError:
            raise WorkflowError("请填写有效期起始日期。", status=422) from None
        return {"cards": cards, "valid_from": valid_from}
    if action == "hand_over":
        return {"tracking_number": form.get("tracking_number", "").strip()[:40]}
    return {}


# Final and not to be undone: asked once more, on a page of its own (so also without JavaScript).
CONFIRMED_FIRST = ("reject",)


@bp.post("/applications/<int:application_id>/act")
@reviewer_required
def act(application_id: int):
    application = _visible(application_id)
    action = request.form.get("action", "")
    if action not in TRANSITIONS or TRANSITIONS[action].own_function:
        abort(400)
    label = action_label(application, action)
    comment = request.form.get("comment", "")[:1000]
    try:
        if action not in available_actions(application, current_user):
            raise refusal(application, action, current_user) or WorkflowError("该操作当前不可进行。")
        if action in CONFIRMED_FIRST and not request.form.get("confirmed"):
            if (missing := missing_comment(action, comment)) is not None:
                raise missing
            return render("review/confirm_action.html", application=application, action=action, label=label,
                          comment=comment)[0]
        data = _action_data(action, application)
        transition(application, action, current_user, expected_version=request.form.get("version", type=int),
                   comment=comment, **data)
    except WorkflowError as error:
        db.session.rollback()
        return detail_page(db.session.get(Application, application_id), error=error)
    flash(f"已{label}：{application.number}。", "success")
    return redirect(url_for("review.detail", application_id=application.id), code=303)


@bp.post("/applications/<int:application_id>/economies")
@reviewer_required
def economies(application_id: int):
    application = _visible(application_id)
    decisions = []
    for member in application.members:
        for economy in preclearing_economies():
            decision = request.form.get(f"decision-{member.id}-{economy.code}", "")
            if not decision:
                continue
            try:
                decided_on = datetime.date.fromisoformat(request.form.get(f"date-{member.id}-{economy.code}", ""))
            except ValueError:
                error = WorkflowError(f"{member.shown.name} {economy.name} 的审核日期不是有效日期。", status=422)
                return detail_page(application, error=error)
            decisions.append({"member_id": member.id, "economy": economy.code, "decision": decision,
                              "decided_on": decided_on})
    try:
        changed = record_economy_decisions(application, current_user, decisions,
                                           expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        db.session.rollback()
        return detail_page(db.session.get(Application, application_id), error=error)
    flash(f"已记录 {changed} 项经济体审核结果。" if changed else "没有新的审核结果。", "success")
    return redirect(url_for("review.detail", application_id=application.id), code=303)
