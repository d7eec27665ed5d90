"""登录, 注册, 退出."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..provinces.registry import enabled_provinces
from ..web.forms import checked_field
from ..web.ratelimit import configured, limiter
from ..web.htmx import triggering_field
from ..web.session import end_session, start_session
from ..web.templating import render
from ..web.urls import safe_next
from ..web.views import home_for
from .forms import LoginForm, RegistrationForm
from .services import (
    ACCOUNT_TYPE_TABS,
    AccountError,
    authenticate,
    register_enterprise,
    registration_conflict,
    sign_out,
)

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(configured("login_per_ip"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    tab = request.args.get("tab") or form.account_type.data or "enterprise"
    if tab not in ACCOUNT_TYPE_TABS:
        tab = "enterprise"
    form.account_type.data = tab
    login_error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, tab)
        except AccountError as error:
            login_error = error.message
        else:
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user), code=303)
    status = 422 if request.method == "POST" else 200
    return render(
        "accounts/login.html", form=form, tab=tab, tabs=ACCOUNT_TYPE_TABS, login_error=login_error, status=status
    )


@bp.post("/logout")
@login_required
def logout():
    sign_out(current_user)
    end_session()
    flash("您已安全退出。", "info")
    return redirect(url_for("site.index"), code=303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(configured("register_per_ip"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegistrationForm(enabled_provinces())
    if request.method == "GET" and not form.province.data and session.get("province") in enabled_provinces():
        form.province.data = session["province"]  # the province the visitor chose on 首页
    if form.validate_on_submit():
        try:
            user = register_enterprise(
                name=form.name.data,
                uscc=form.uscc.data,
                legal_representative=form.legal_representative.data,
                ownership=form.ownership.data,
                province=form.province.data,
                office_code=form.office.data,
                email=form.email.data,
                password=form.password.data,
            )
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            start_session(user)
            flash("注册成功，欢迎使用 APEC 商务旅行卡网上办理。", "success")
            return redirect(url_for("user_center.applications"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("accounts/register.html", form=form, status=status)


@bp.post("/register/check")
@limiter.limit(configured("register_check_per_ip"))
def register_check():
    """HTMX inline check of the one field the user just left (or the office list)."""
    form = RegistrationForm(enabled_provinces())
    name = triggering_field()
    if name not in form._fields or name == "csrf_token":
        abort(400)
    if name == "province":
        name = "office"  # a new province re-lists the offices
    else:
        field = checked_field(form, name)
        if not field.errors and field.data and (conflict := registration_conflict(name, field.data)):
            field.errors = [conflict]
    return render_template("accounts/_register_check.html", form=form, name=name)
