"""经办人管理 and 成员: the enterprise's handlers and the persons it applies for."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts import services
from ..accounts.forms import HandlerEditForm, HandlerForm
from ..accounts.models import ROLE_HANDLER, User
from .. import audit
from ..extensions import db
from ..web.access import enterprise_admin_required, enterprise_required, owned_or_404
from ..web.templating import render
from . import books
from .forms import PersonForm
from .models import Person
from .persons import PersonError, create_person, find_person, person_form_data, update_person
from .pinyin import propose_pinyin

bp = Blueprint("enterprises", __name__, url_prefix="/enterprise")


def _handler_or_404(handler_id: int) -> User:
    return owned_or_404(User, handler_id, enterprise_id=current_user.enterprise_id, role=ROLE_HANDLER)


@bp.get("/handlers")
@enterprise_admin_required
def handlers():
    rows = db.session.scalars(
        select(User)
        .where(User.enterprise_id == current_user.enterprise_id, User.role == ROLE_HANDLER)
        .order_by(User.id)
    ).all()
    return render("enterprises/handlers.html", handlers=rows)[0]


@bp.route("/handlers/new", methods=["GET", "POST"])
@enterprise_admin_required
def add_handler():
    form = HandlerForm()
    if form.validate_on_submit():
        try:
            services.create_handler(
                current_user.enterprise,
                name=form.name.data,
                email=form.email.data,
                mobile=form.mobile.data,
                password=form.password.data,
                actor=current_user,
            )
        except services.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"已添加经办人 {form.name.data}，可使用“经办人账号登录”。", "success")
            return redirect(url_for("enterprises.handlers"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("enterprises/handler_form.html", form=form, handler=None, status=status)


@bp.route("/handlers/<int:handler_id>/edit", methods=["GET", "POST"])
@enterprise_admin_required
def edit_handler(handler_id: int):
    handler = _handler_or_404(handler_id)
    form = HandlerEditForm(obj=handler if request.method == "GET" else None)
    if form.validate_on_submit():
        services.update_handler(
            handler, name=form.name.data, mobile=form.mobile.data, password=form.password.data or None, actor=current_user
        )
        flash(f"已保存经办人 {handler.name} 的信息。", "success")
        return redirect(url_for("enterprises.handlers"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("enterprises/handler_form.html", form=form, handler=handler, status=status)


@bp.post("/handlers/<int:handler_id>/deauthorise")
@enterprise_admin_required
def deauthorise(handler_id: int):
    handler = _handler_or_404(handler_id)
    try:
        services.deauthorise_handler(handler, current_user)
        flash(f"已取消 {handler.name} 的授权，该账号已无法登录。", "success")
    except services.AccountError as error:
        flash(error.message, "error")
    return redirect(url_for("enterprises.handlers"), code=303)


@bp.post("/handlers/<int:handler_id>/reauthorise")
@enterprise_admin_required
def reauthorise(handler_id: int):
    handler = _handler_or_404(handler_id)
    try:
        services.reauthorise_handler(handler, current_user)
        flash(f"已重新授权 {handler.name}。", "success")
    except services.AccountError as error:
        flash(error.message, "error")
    return redirect(url_for("enterprises.handlers"), code=303)


# --- 成员 (persons) -----------------------------------------------------------------------


def _person_or_404(person_id: int) -> Person:
    return owned_or_404(Person, person_id, enterprise_id=current_user.enterprise_id)


@bp.get("/persons")
@enterprise_required
def persons():
    rows = db.session.scalars(
        select(Person).where(Person.enterprise_id == current_user.enterprise_id).order_by(Person.id)
    ).all()
    return render("enterprises/persons.html", persons=rows)[0]


@bp.route("/persons/new", methods=["GET", "POST"])
@enterprise_required
def add_person():
    form = PersonForm()
    if request.method == "POST" and request.form.get("action") == "check":
        found = find_person(current_user.enterprise_id, form.id_number.data or "")
        if found is not None:
            flash(f"成员核查：已找到 {found.name} 之前录入的信息，已为您带出，可核对后修改。", "success")
            return redirect(url_for("enterprises.edit_person", person_id=found.id), code=303)
        lookup_message = "成员核查：未找到该身份证号的成员，请继续填写。"
        return render("enterprises/person_form.html", form=form, person=None, lookup_message=lookup_message)
    if form.validate_on_submit():
        try:
            person = create_person(current_user.enterprise_id, form.data, current_user)
        except PersonError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"已添加成员 {person.name}。", "success")
            return _after_person_saved(person, request.args.get("add_to", type=int))
    status = 422 if request.method == "POST" else 200
    return render("enterprises/person_form.html", form=form, person=None, lookup_message=None, status=status)


def _after_person_saved(person: Person, application_id: int | None, add: bool = True):
    """Back to the persons list, or to the application the person was added from."""
    from ..applications import drafts
    from ..applications.models import Application
    from ..provinces.registry import get_province

    application = db.session.get(Application, application_id) if application_id else None
    if application is None or application.enterprise_id != current_user.enterprise_id or not drafts.is_editable(application):
        return redirect(url_for("enterprises.persons"), code=303)
    province = get_province(application.province)
    step = "members" if "members" in province.config.wizard.steps else province.config.wizard.steps[0]
    if add and step == "members":
        try:
            drafts.add_member(application, person)
        except drafts.DraftError as error:
            flash(error.message, "error")
    return redirect(url_for("apply.step", application_id=application.id, step=step), code=303)


@bp.get("/persons/<int:person_id>")
@enterprise_required
def person_detail(person_id: int):
    person = _person_or_404(person_id)
    audit.record("pii_view", user=current_user, person_id=person.id)
    db.session.commit()
    return render("enterprises/person_detail.html", person=person)[0]


@bp.route("/persons/<int:person_id>/edit", methods=["GET", "POST"])
@enterprise_required
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = PersonForm(data=person_form_data(person)) if request.method == "GET" else PersonForm()
    if form.validate_on_submit():
        try:
            update_person(person, form.data, current_user)
        except PersonError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"已保存成员 {person.name} 的信息。", "success")
            return _after_person_saved(person, request.args.get("back", type=int), add=False)
    status = 422 if request.method == "POST" else 200
    return render("enterprises/person_form.html", form=form, person=person, lookup_message=None, status=status)


@bp.post("/persons/pinyin")
@enterprise_required
def propose_person_pinyin():
    """HTMX: propose the pinyin of a name the user just typed, unless already filled in."""
    form = PersonForm()
    if form.name.data and not (form.surname_pinyin.data or form.given_name_pinyin.data):
        form.surname_pinyin.data, form.given_name_pinyin.data = propose_pinyin(form.name.data)
    return render_template("enterprises/_pinyin_fields.html", form=form)


# --- 地址簿 and 发票信息 ----------------------------------------------------------------------

for _book in (books.ADDRESSES, books.INVOICES):
    books.register(bp, _book)
