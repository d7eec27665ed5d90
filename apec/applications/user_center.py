"""用户中心: 我的申请单 (five business tabs), 申请单详情, 申报历史查询, 我的单据."""

import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..economies import preclearing_economies
from ..enterprises import books
from ..enterprises.models import Person
from ..extensions import db
from ..materials.checks import UploadRejected
from ..provinces.registry import get_province
from ..statuses import STATUS_LABELS, province_status_label
from ..timefmt import CHINA, filter_date, utc_start_of
from ..web.access import enterprise_required, owned_or_404
from ..web.ratelimit import configured, limiter
from ..web.templating import current_province, page_number, render
from .models import Application, ApplicationMember, Card, Payment
from .progress import progress
from .states import reachable_statuses
from .steps import steps_of
from .forms import PaymentForm
from .workflow import WorkflowError, available_actions, current_payment, pay_with_voucher


# The tabs of 用户中心 > 我的申请单, in the order of seed 000.
USER_CENTER_TABS = (
    ("new", ("new", "renew"), "新办/续办"),
    ("early", ("early",), None),
    ("replace", ("replace",), None),
    ("passport", ("passport",), None),
    ("cancel", ("cancel",), None),
)

bp = Blueprint("user_center", __name__, url_prefix="/user-center")
bp.add_app_template_global(progress, "progress_of")

PER_PAGE = 10


def tab_list(province):
    tabs = []
    named = province.config.branding.tab_labels
    for code, types, label in USER_CENTER_TABS:
        if code in named:
            label = named[code]
        elif label is None:
            label = province.label(code)
        elif code == "new":
            label = f"{province.label('new')}/{province.label('renew')}"
        tabs.append((code, types, label))
    return tabs


@bp.get("/")
@enterprise_required
def applications():
    province = current_province()
    tabs = tab_list(province)
    tab = request.args.get("tab", "new")
    selected = next((entry for entry in tabs if entry[0] == tab), None)
    if selected is None:
        abort(404)
    query_text = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    if status and status not in STATUS_LABELS:
        status = ""

    statement = (
        select(Application)
        .where(
            Application.enterprise_id == current_user.enterprise_id,
            Application.business_type.in_(selected[1]),
        )
        .order_by(Application.created_at.desc(), Application.id.desc())
        # Each row names its members (a draft's from 成员管理): loaded for the page in one go.
        .options(selectinload(Application.members).selectinload(ApplicationMember.person))
    )
    if status:
        statement = statement.where(Application.status == status)
    if query_text:
        named = (
            select(ApplicationMember.application_id)
            .join(Person, Person.id == ApplicationMember.person_id)
            .where(Person.name.contains(query_text, autoescape=True))
        )
        statement = statement.where(
            or_(Application.number.contains(query_text.upper(), autoescape=True), Application.id.in_(named))
        )
    page = db.paginate(statement, page=page_number(), per_page=PER_PAGE, error_out=False)
    statuses = [(code, province_status_label(province, code)) for code in reachable_statuses(province)]
    return render(
        "user_center/applications.html",
        block="results",
        tabs=tabs,
        tab=tab,
        page=page,
        q=query_text,
        status_filter=status,
        statuses=statuses,
    )[0]


@bp.get("/documents")
@enterprise_required
def documents():
    """我的单据: fee notices, payment vouchers and invoices of the enterprise."""
    rows = db.session.execute(
        select(Payment, Application.number)
        .join(Application, Application.id == Payment.application_id)
        .where(Application.enterprise_id == current_user.enterprise_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    ).all()
    payments = [payment for payment, _ in rows]
    numbers = {payment.application_id: number for payment, number in rows}
    return render("user_center/documents.html", payments=payments, numbers=numbers)[0]


@bp.get("/applications/<int:application_id>")
@enterprise_required
def application_detail(application_id: int):
    """订单详情: number, status steps, fee, office, members, materials, timeline."""
    application = owned_or_404(Application, application_id, options=Application.whole_record(),
                               enterprise_id=current_user.enterprise_id)
    province = get_province(application.province)
    economies = preclearing_economies()
    economy_rows = []
    if any(member.economy_decisions for member in application.members):
        words = {"approved": "获批", "refused": "未获批"}
        for member in application.members:
            decided = {d.economy: words[d.decision] for d in member.economy_decisions}
            economy_rows.append((member.shown.name, [decided.get(e.code, "审核中") for e in economies]))
    cards = db.session.scalars(select(Card).where(Card.application_id == application.id).order_by(Card.id)).all()
    return render(
        "user_center/application_detail.html", application=application,
        payment=current_payment(application),
        economies=economies, economy_rows=economy_rows, cards=cards,
        actions=available_actions(application, current_user), first_step=steps_of(province, application.business_type)[0],
    )[0]


@bp.get("/history")
@enterprise_required
def history():
    """申报历史查询: what the enterprise submitted within a period (China dates; default the last year),
    including batches withdrawn since (状态 未提交)."""
    province = current_province()
    if "history" not in province.branding.menu:
        abort(404)
    today = datetime.datetime.now(CHINA).date()
    start = _date_arg("from") or today - datetime.timedelta(days=365)
    end = _date_arg("to") or today
    if end < start:
        start, end = end, start
    statement = (
        select(Application)
        .where(
            Application.enterprise_id == current_user.enterprise_id,
            Application.first_submitted_at.is_not(None),
            Application.first_submitted_at >= utc_start_of(start),
            Application.first_submitted_at < utc_start_of(end + datetime.timedelta(days=1)),
        )
        .order_by(Application.first_submitted_at.desc(), Application.id.desc())
        .options(selectinload(Application.members))
    )
    page = db.paginate(statement, page=page_number(), per_page=20, error_out=False)
    return render(
        "user_center/history.html", block="results", page=page, start=start, end=end,
    )[0]


def _date_arg(name: str) -> datetime.date | None:
    return filter_date(request.args.get(name))


@bp.route("/applications/<int:application_id>/pay", methods=["GET", "POST"])
@enterprise_required
@limiter.limit(configured("upload_per_user"), key_func=lambda: f"user-{current_user.id}", methods=["POST"])
def pay(application_id: int):
    """缴费凭证上传: the voucher image or PDF and 开票信息, as seed 003 shows."""
    application = owned_or_404(Application, application_id, enterprise_id=current_user.enterprise_id)
    payment = current_payment(application)
    if application.status != "awaiting_payment" or payment is None:
        return redirect(url_for("user_center.application_detail", application_id=application.id))
    province = get_province(application.province)
    # The 开票信息 given with a voucher that was returned, or Guangxi's from 上报: start from it.
    invoice = payment.invoice or application.invoice_snapshot or {}
    form = PaymentForm(invoices=books.entries(books.INVOICES), invoice_required=province.payment.invoice_with_voucher,
                       data={"invoice_title": invoice.get("title", ""), "invoice_tax_number": invoice.get("tax_number", "")})
    error, refused_status = None, None
    valid = form.validate_on_submit()
    upload = request.files.get("voucher")
    if request.method == "POST" and (upload is None or not upload.filename):
        form.voucher.errors = [f"请选择{province.payment.voucher_label}图片或 PDF"]
        valid = False
    if valid:
        try:
            pay_with_voucher(application, current_user, filename=upload.filename, data=upload.read(),
                             invoice=form.invoice_data(), expected_version=request.form.get("version", type=int))
        except UploadRejected as rejection:
            form.voucher.errors.append(rejection.message)
        except WorkflowError as refusal:
            error, refused_status = refusal.message, refusal.status
        else:
            flash(f"{province.payment.voucher_label}已上传，等待外办确认。", "success")
            return redirect(url_for("user_center.application_detail", application_id=application.id), code=303)
    if request.method == "POST" and upload is not None and upload.filename and not form.voucher.errors:
        # The file was fine, something else was not: a browser never keeps a chosen file.
        form.voucher.errors = [f"所选文件“{upload.filename}”尚未上传，请改正其他内容后重新选择该文件。"]
    status = refused_status or (422 if request.method == "POST" else 200)
    return render("user_center/pay.html", application=application, payment=payment, form=form, error=error,
                  fees=province.config.fees, status=status)
