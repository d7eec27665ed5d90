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


def person_form_page(person: Person | None, *, saved, edit_url, back: tuple[str, str], nav_section: str = "persons"):
    """添加成员 (person None) or 编辑成员, with 成员核查: the form, its checks and saving.
    `saved(person)` answers once saved and `edit_url(person)` is where 成员核查 leads to a person
    already entered; the persons list passes its own, an application the person is added from
    its own (so this module knows no applications). `back` is the (url, label) of the way back;
    `nav_section` the 用户中心 menu entry shown as current."""
    form = PersonForm(data=person_form_data(person)) if person and request.method == "GET" else PersonForm()
    if person is not None and request.method == "GET":
        audit.pii_viewed("person_form", current_user, person_id=person.id)  # the full numbers in its fields
        db.session.commit()
    page = {"form": form, "person": person, "back_url": back[0], "back_label": back[1], "nav_section": nav_section}
    if person is None and request.method == "POST" and request.form.get("action") == "check":
        found = find_person(current_user.enterprise_id, form.id_number.data or "")
        if found is not None:
            flash(f"成员核查：已找到 {found.name} 之前录入的信息，已为您带出，可核对后修改。", "success")
            return redirect(edit_url(found), code=303)
        return render("enterprises/person_form.html", lookup_message="成员核查：未找到该身份证号的成员，请继续填写。",
                      **page)
    if form.validate_on_submit():
        try:
            if person is None:
                person = create_person(current_user.enterprise_id, form.data, current_user)
                flash(f"已添加成员 {person.name}。", "success")
            else:
                update_person(person, form.data, current_user)
                flash(f"已保存成员 {person.name} 的信息。", "success")
        except PersonError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            return saved(person)
    status = 422 if request.method == "POST" else 200
    return render("enterprises/person_form.html", lookup_message=None, status=status, **page)


def _to_persons(person: Person):
    return redirect(url_for("enterprises.persons"), code=303)


def _edit_url(person: Person) -> str:
    return url_for("enterprises.edit_person", person_id=person.id)


@bp.route("/persons/new", methods=["GET", "POST"])
@enterprise_required
def add_person():
    return person_form_page(None, saved=_to_persons, edit_url=_edit_url,
                            back=(url_for("enterprises.persons"), "返回成员列表"))


@bp.get("/persons/<int:person_id>")
@enterprise_required
def person_detail(person_id: int):
    person = _person_or_404(person_id)
    audit.pii_viewed("person", current_user, person_id=person.id)
    db.session.commit()
    return render("enterprises/person_detail.html", person=person)[0]


@bp.route("/persons/<int:person_id>/edit", methods=["GET", "POST"])
@enterprise_required
def edit_person(person_id: int):
    return person_form_page(_person_or_404(person_id), saved=_to_persons, edit_url=_edit_url,
                            back=(url_for("enterprises.persons"), "返回成员列表"))


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
