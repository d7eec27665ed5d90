"""审核工作台: a reviewer's queue, the application as staff see it, and every review action.

Each action is one call of `workflow.transition` (or, for the economies'
decisions, `record_economy_decisions`); a refusal re-renders the page with
the reason and changes nothing.
"""

import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..accounts.models import ROLE_REVIEWER, User
from ..applications import changes
from ..applications.access import can_view, overseen_offices
from ..applications.models import Application
from ..applications.businesses import makes_card
from ..applications.eligibility import approved_economies
from ..applications.states import CLOSED, REVIEW_STATUSES, TRANSITIONS
from ..applications.steps import steps_of
from ..applications.workflow import (
    Collector,
    WorkflowError,
    action_label,
    available_actions,
    correct_economy_decision,
    end_member,
    set_assignee,
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
from ..models_base import utcnow
from ..timefmt import china_today, filter_date, parse_date
from ..web.access import roles_required
from ..web.urls import row_id
from ..web.templating import current_province, page_number, render
from ..documents.pdf import render_pdf
from ..web.downloads import file_response
from .exports import EXPORT_LIMIT, as_csv, as_xlsx, cards_to_hand_over, queue_table
from .economy_entry import COLUMNS, MAX_IMPORT_BYTES, ImportPreview, bulk_decisions, decode, preview_import
from .queue import (QueueFilters, city_backlogs, is_resubmission, office_queue, overdue_days, queue_statuses,
                    resubmissions)
from .record import cards_made, done_by, member_facts, stage_entries, timeline_items, unit_materials
from .search import SEARCH_KEYS, search_applications

bp = Blueprint("review", __name__, url_prefix="/staff")
bp.add_app_template_filter(changes.summary, "change_summary")  # 重新提交: what changed, in one line
bp.add_app_template_test(is_resubmission, "resubmission")
bp.add_app_template_global(done_by, "done_by")
bp.add_app_template_global(CLOSED, "closed_statuses")
bp.add_app_template_global(overseen_offices, "overseen_offices")
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
    return filter_date(request.args.get(name))


def _queue_filters() -> QueueFilters:
    return QueueFilters(
        view=request.args.get("view", "todo"), status=request.args.get("status", ""),
        business_type=request.args.get("type", ""), enterprise=request.args.get("enterprise", "").strip(),
        since=_date("from"), until=_date("to"), who=request.args.get("who", ""),
    )


@bp.get("/")
@reviewer_required
def queue():
    """待办: applications now at this office; 已办: those it handled, read-only."""
    province = current_province()
    page, rows, filters = office_queue(current_user, province, _queue_filters(), page_number())
    return render(
        "review/queue.html", block="results", page=page, rows=rows, view=filters.view,
        office=province.office(current_user.office_code), status_filter=filters.status,
        business_type=filters.business_type, enterprise=filters.enterprise, since=filters.since,
        until=filters.until, who=filters.who, statuses=list(queue_statuses(province, current_user.office_code, filters.view).items()),
    )[0]


@bp.get("/backlogs")
@reviewer_required
def backlogs():
    """各市待办: each 市外办's backlog, for the province office to oversee (read-only)."""
    if not overseen_offices(current_user):
        abort(404)
    province = current_province()
    return render("review/backlogs.html", backlogs=city_backlogs(province, utcnow()),
                  working_days=province.config.workflow.overdue_in_working_days)[0]


@bp.get("/backlogs/<office_code>")
@reviewer_required
def backlog(office_code: str):
    """One 市外办's 待办 as it sees it, longest waiting first, without its tools."""
    if office_code not in overseen_offices(current_user):
        abort(404)
    province = current_province()
    page, rows, _ = office_queue(current_user, province, QueueFilters(), page_number(), office_code=office_code)
    return render("review/backlog.html", office=province.office(office_code), office_code=office_code,
                  page=page, rows=rows)[0]


@bp.get("/export.<any(xlsx, csv):kind>")
@reviewer_required
def export(kind: str):
    """The list as filtered on screen, every page of it, as Excel or CSV."""
    province = current_province()
    page, rows, filters = office_queue(current_user, province, _queue_filters(), 1, per_page=EXPORT_LIMIT)
    table = queue_table(province, rows, province.config.workflow.overdue_in_working_days)
    title = "待办" if filters.view == "todo" else "已办"
    audit.record("queue_export", user=current_user, view=filters.view, rows=len(table), kind=kind)
    db.session.commit()
    name = f"{province.office(current_user.office_code).name}{title}-{china_today():%Y%m%d}.{kind}"
    if kind == "xlsx":
        return file_response(as_xlsx(title, table),
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name)
    return file_response(as_csv(table), "text/csv; charset=utf-8", name)


@bp.get("/handover-list.pdf")
@reviewer_required
def handover_list():
    """The cards waiting at this office's window, with room to sign for each."""
    province = current_province()
    pdf = render_pdf("review/handover_list.html", title="APEC商务旅行卡领取签收单",
                     office=province.office(current_user.office_code), rows=cards_to_hand_over(current_user),
                     now=utcnow())
    return file_response(pdf, "application/pdf", f"领取签收单-{china_today():%Y%m%d}.pdf")


@bp.get("/applications/<int:application_id>/receipt.pdf")
@reviewer_required
def acceptance_receipt(application_id: int):
    """受理回执, once the application has been accepted."""
    application = _visible(application_id)
    if application.accepted_at is None:
        abort(404)
    province = get_province(application.province)
    pdf = render_pdf("review/acceptance_receipt.html", title="APEC商务旅行卡受理回执", application=application,
                     province=province, office=province.office(next(e.office_code for e in application.timeline if e.action == "accept")),
                     members=member_facts(province, application), unit_materials=unit_materials(application),
                     today=china_today())
    return file_response(pdf, "application/pdf", f"受理回执-{application.number}.pdf")


@bp.route("/search", methods=["GET", "POST"])
@reviewer_required
def search():
    """查询: by 申请单号, 申请人姓名, 护照号 or 身份证号, among what this office may see. Posted, so
    an identity number is never in a URL (history, proxy logs)."""
    key, text = request.form.get("key", "number"), request.form.get("q", "")
    result = search_applications(current_user, key, text) if request.method == "POST" else None
    return render("review/search.html", block="results", key=key, q=text, result=result, keys=SEARCH_KEYS)[0]


@bp.post("/batch-accept")
@reviewer_required
def batch_accept():
    """受理 several applications at once (e.g. a group's reports)."""
    ids = [row_id(value) for value in request.form.getlist("application_id") if row_id(value)]
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


class Withdrawn(Exception):
    """The enterprise took the application back (撤回) after it reached this office."""

    def __init__(self, application: Application):
        self.application = application


def _visible(application_id: int) -> Application:
    application = db.session.get(Application, application_id, options=Application.whole_record())
    if application is None:
        abort(404)
    if not can_view(current_user, application):
        if withdrawn_from_office(application, current_user.office_code):
            raise Withdrawn(application)
        abort(404)
    return application


def withdrawn_from_office(application: Application, office_code: str) -> bool:
    changes = [event for event in application.timeline if event.from_status != event.to_status]
    return (application.status == "draft" and bool(changes) and changes[-1].action == "withdraw"
            and changes[-1].office_code == office_code)


@bp.errorhandler(Withdrawn)
def withdrawn(error: Withdrawn):
    """A page, or an action on it, opened after the enterprise withdrew it: say so, not 404."""
    application = error.application
    event = next(event for event in reversed(application.timeline) if event.action == "withdraw")
    return render("review/withdrawn.html", application=application, event=event,
                  status=409 if request.method == "POST" else 410)


def detail_page(application: Application, error: WorkflowError | None = None, status: int = 200, **shown):
    """The whole record. Identity numbers are masked; ?full=1 shows them, and that showing is
    written to the audit log."""
    province = get_province(application.province)
    full_numbers = request.args.get("full") == "1"
    if full_numbers:
        audit.pii_viewed("identity_numbers", current_user, application_id=application.id)
        db.session.commit()
    following = province.next_office(application.office_code) if application.status in REVIEW_STATUSES else None
    return render(
        "review/detail.html", application=application, actions=available_actions(application, current_user),
        next_office=following, full_numbers=full_numbers,
        payment=current_payment(application), sections=returnable_sections(province, application),
        economies=preclearing_economies(), transitional=transitional_economies(), error=error, status=error.status if error else status,
        resubmission=resubmissions([application]).get(application.id) if application.status == "submitted" else None,
        replaced=replaced_files(application), material_history=slot_history(application),
        today=datetime.date.today(), economies_of=economies_shown(application),
        stages=stage_entries(application), overdue=overdue_days(province, application, utcnow()),
        timeline=timeline_items(application), members=member_facts(province, application),
        unit_materials=unit_materials(application), cards=cards_made(application), import_columns=COLUMNS,
        colleagues=colleagues(current_user), card_economies=card_economies(application),
        **shown,
    )


def card_economies(application: Application) -> dict[int, list[str]]:
    """For the 制卡 form: each member's approved economies (none: no card for them)."""
    if application.status not in TRANSITIONS["issue_card"].sources:
        return {}
    return {member.id: approved_economies(member) for member in application.active_members}


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


MAX_COMMENT, MAX_NOTE = 1000, 200  # 审核意见 and a file's note, as the forms' maxlength says


def _action_data(action: str, application: Application) -> dict:
    form = request.form
    if action == "return":
        sections = returnable_sections(get_province(application.province), application)
        fields = [key for key in form.getlist("field") if key in sections]
        materials = {}
        for material in application.materials:
            if form.get(f"material-{material.id}"):
                note = form.get(f"material-note-{material.id}", "").strip()
                if len(note) > MAX_NOTE:
                    raise WorkflowError(f"{material.title}的意见不能超过 {MAX_NOTE} 字（现为 {len(note)} 字）。", status=422)
                materials[material.id] = note or "请重新上传"
        return {"fields": fields, "materials": materials}
    if action == "issue_card":
        cards = {str(member.id): form.get(f"card-{member.id}", "").strip().upper() for member in application.active_members}
        valid_from = parse_date(form.get("valid_from"))
        if valid_from is None:
            raise WorkflowError("请填写有效期起始日期（年-月-日）。", status=422)
        return {"cards": cards, "valid_from": valid_from}
    if action == "hand_over":
        return {"tracking_number": form.get("tracking_number", "").strip()[:40],
                "collector": Collector(form.get("collector_name", "")[:100], form.get("collector_id", "")[:30])}
    if action == "confirm_payment":
        return {"receipt_number": form.get("receipt_number", "")[:40]}
    return {}


# Final and not to be undone: asked once more, on a page of its own (so also without JavaScript).
CONFIRMED_FIRST = ("reject", "refuse_member")
# Applied by their own workflow function, from the same form as the transitions.
OWN_FUNCTION_ACTS = ("refuse_member",)


@bp.post("/applications/<int:application_id>/act")
@reviewer_required
def act(application_id: int):
    application = _visible(application_id)
    action = request.form.get("action", "")
    if action not in TRANSITIONS or (TRANSITIONS[action].own_function and action not in OWN_FUNCTION_ACTS):
        abort(400)
    label = action_label(application, action)
    comment = request.form.get("comment", "")
    member = next((m for m in application.active_members if m.id == row_id(request.form.get("member", ""))), None)
    try:
        if len(comment) > MAX_COMMENT:
            raise WorkflowError(f"意见不能超过 {MAX_COMMENT} 字（现为 {len(comment)} 字）。", status=422)
        if action not in available_actions(application, current_user):
            raise refusal(application, action, current_user) or WorkflowError("该操作当前不可进行。")
        if action == "refuse_member" and member is None:
            raise WorkflowError("请选择一位办理中的成员。", status=422)
        if action in CONFIRMED_FIRST and not request.form.get("confirmed"):
            if (missing := missing_comment(action, comment)) is not None:
                raise missing
            return render("review/confirm_action.html", application=application, action=action, label=label,
                          comment=comment, member=member)[0]
        version = request.form.get("version", type=int)
        if action == "refuse_member":
            end_member(application, current_user, action, member_id=member.id, reason=comment,
                       expected_version=version)
            flash(f"{member.shown.name} 审核不通过，已记录：{application.number}，其他成员继续办理。", "success")
            return redirect(url_for("review.detail", application_id=application.id), code=303)
        transition(application, action, current_user, expected_version=version, comment=comment,
                   **_action_data(action, application))
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
    for member in application.active_members:
        for economy in preclearing_economies():
            decision = request.form.get(f"decision-{member.id}-{economy.code}", "")
            if not decision:
                continue
            decided_on = parse_date(request.form.get(f"date-{member.id}-{economy.code}"))
            if decided_on is None:
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


def _posted_date(name: str) -> datetime.date | None:
    return parse_date(request.form.get(name))


def _refused(application_id: int, error: WorkflowError, **shown):
    db.session.rollback()
    return detail_page(db.session.get(Application, application_id), error=error, **shown)


@bp.post("/applications/<int:application_id>/economies/bulk")
@reviewer_required
def economies_bulk(application_id: int):
    """全部获批 for the chosen members, except the economies marked otherwise."""
    application = _visible(application_id)
    member_ids = [row_id(value) for value in request.form.getlist("member") if row_id(value)]
    decided_on = _posted_date("decided_on")
    exceptions = {economy.code: request.form.get(f"exception-{economy.code}", "approved")
                  for economy in preclearing_economies()}
    if not member_ids:
        return _refused(application_id, WorkflowError("请选择人员。", status=422), bulk_error=True)
    if decided_on is None:
        return _refused(application_id, WorkflowError("请填写审核日期。", status=422), bulk_error=True)
    if any(value not in ("approved", "refused", "skip") for value in exceptions.values()):
        abort(400)
    decisions, kept = bulk_decisions(application, member_ids, decided_on, exceptions)
    try:
        changed = record_economy_decisions(application, current_user, decisions,
                                           expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        return _refused(application_id, error, bulk_error=True)
    note = f"；{kept} 项此前已记录，未改动" if kept else ""
    flash(f"已记录 {changed} 项经济体审核结果{note}。", "success")
    return redirect(url_for("review.detail", application_id=application.id) + "#economies", code=303)


@bp.post("/applications/<int:application_id>/economies/import")
@reviewer_required
def economies_import(application_id: int):
    """The MFA's results as CSV: a file is previewed row by row; the previewed text, posted back
    with 确认导入, is checked again and recorded all together, or not at all."""
    application = _visible(application_id)
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            preview, text = ImportPreview([], "文件过大（不超过 256 KB）。"), ""
        else:
            try:
                text = decode(data)
                preview = preview_import(application, text, china_today())
            except ValueError as problem:
                preview, text = ImportPreview([], str(problem)), ""
        return detail_page(application, import_preview=preview, import_text=text,
                           status=200 if preview.sound else 422)
    text = request.form.get("csv_text", "")
    if not text:
        return detail_page(application, import_preview=ImportPreview([], "请选择要导入的审核结果文件。"), status=422)
    preview = preview_import(application, text, china_today())
    if not preview.sound:
        return detail_page(application, import_preview=preview, import_text=text, status=422)
    try:
        changed = record_economy_decisions(application, current_user, preview.decisions,
                                           expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        return _refused(application_id, error)
    flash(f"已导入 {len(preview.decisions)} 行，记录 {changed} 项经济体审核结果。", "success")
    return redirect(url_for("review.detail", application_id=application.id) + "#economies", code=303)


@bp.post("/applications/<int:application_id>/economies/correct")
@reviewer_required
def economies_correct(application_id: int):
    application = _visible(application_id)
    decided_on = _posted_date("decided_on")
    if decided_on is None:
        return _refused(application_id, WorkflowError("请填写审核日期。", status=422), correction_error=True)
    try:
        correct_economy_decision(
            application, current_user, member_id=request.form.get("member", type=int) or 0,
            economy=request.form.get("economy", ""), decision=request.form.get("decision", ""),
            decided_on=decided_on, reason=request.form.get("reason", "")[:500],
            expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        return _refused(application_id, error, correction_error=True)
    flash(f"已更正经济体审核结果：{application.number}。", "success")
    return redirect(url_for("review.detail", application_id=application.id) + "#economies", code=303)


def colleagues(actor) -> list[User]:
    """The office's active reviewers, whom an application can be assigned to."""
    return list(db.session.scalars(select(User).where(
        User.role == ROLE_REVIEWER, User.province == actor.province, User.office_code == actor.office_code,
        User.active.is_(True)).order_by(User.name, User.id)))


@bp.post("/applications/<int:application_id>/assign")
@reviewer_required
def assign(application_id: int):
    """认领 (assignee=me), 释放 (assignee empty) or 分配 (a colleague's id)."""
    application = _visible(application_id)
    chosen = request.form.get("assignee", "")
    if chosen == "me":
        assignee = current_user
    elif chosen:
        assignee = db.session.get(User, row_id(chosen) or 0)
        if assignee is None:
            return _refused(application_id, WorkflowError("只能分配给本机构在岗的审核人员。", status=422))
    else:
        assignee = None
    try:
        label = set_assignee(application, current_user, assignee, expected_version=request.form.get("version", type=int))
    except WorkflowError as error:
        return _refused(application_id, error)
    flash(f"已{label}：{application.number}。", "success")
    return redirect(url_for("review.detail", application_id=application.id), code=303)
