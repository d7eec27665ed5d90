"""登录, 注册, 退出, 修改密码, 忘记密码."""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..provinces.registry import enabled_provinces
from ..web.forms import checked_field
from ..web.ratelimit import configured, limiter
from ..web.htmx import triggering_field
from ..web.session import end_session, renew_session, start_session
from ..web.templating import render
from ..web.urls import safe_next
from ..web.views import home_for
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, RegistrationForm, ResetPasswordForm
from .reset import user_for_token
from .services import (
    ACCOUNT_TYPE_TABS,
    RESET_TOKEN_PLACEHOLDER,
    AccountError,
    account_type_of,
    authenticate,
    change_password,
    register_enterprise,
    registration_conflict,
    request_password_reset,
    reset_password,
    sign_out,
)

bp = Blueprint("accounts", __name__)
logger = logging.getLogger("apec")


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


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    """修改密码, for every role; this tab stays signed in, every other session of the user ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data, form.password.data)
        except AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            renew_session(user)
            flash("密码已修改。", "success")
            return redirect(home_for(user), code=303)
    status = 422 if request.method == "POST" else 200
    return render("accounts/change_password.html", form=form, status=status)


def _reset_link_template() -> str:
    """The reset page's absolute address with a placeholder for the token, from APEC_PUBLIC_URL
    (production), else from this request's host."""
    base = current_app.config.get("APEC_PUBLIC_URL") or ""
    if not base:
        if current_app.config.get("APEC_ENV") == "production":
            logger.warning("APEC_PUBLIC_URL is not set: the reset link is built from the request's Host header")
        base = request.host_url.rstrip("/")
    return base + url_for("accounts.reset_password_page", token=RESET_TOKEN_PLACEHOLDER)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(configured("password_reset_per_ip"), methods=["POST"])
def forgot_password():
    """忘记密码: the same answer whether or not the e-mail belongs to an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data, _reset_link_template())
        minutes = current_app.config["APEC_PASSWORD_RESET_MINUTES"]
        flash(f"如果该邮箱已注册，重置链接已发送至该邮箱，{minutes}分钟内有效。", "info")
        return redirect(url_for("accounts.forgot_password"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("accounts/forgot_password.html", form=form, status=status)


# The page holds the token: no link on it may pass its address on as a Referer.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


def _reset_link_invalid():
    return *render("accounts/reset_invalid.html", status=410), NO_REFERRER


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password_page():
    """The page a reset link opens: the token in the query, then in the form, never in the path
    (which the request log records). The token is unguessable, so the page needs no rate limit."""
    token = request.values.get("token", "")
    if (owner := user_for_token(token)) is None:
        return _reset_link_invalid()
    session["province"] = owner.province  # the page and the 登录 after it in the account's branding
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.password.data)
        except AccountError:
            return _reset_link_invalid()
        end_session()
        flash("密码已重置，请使用新密码登录。", "success")
        return redirect(url_for("accounts.login", tab=account_type_of(user)), code=303)
    status = 422 if request.method == "POST" else 200
    return *render("accounts/reset_password.html", form=form, token=token, status=status), NO_REFERRER
