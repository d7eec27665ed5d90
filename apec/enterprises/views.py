"""经办人管理: the enterprise admin adds, edits, de- and re-authorises handlers."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..accounts import services
from ..accounts.forms import HandlerEditForm, HandlerForm
from ..accounts.models import ROLE_HANDLER, User
from ..extensions import db
from ..web.access import enterprise_admin_required, owned_or_404
from ..web.templating import render

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
