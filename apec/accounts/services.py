"""Account operations: one function per state change, each commits or raises."""

import unicodedata

from flask import current_app
from limits import parse
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, jobs
from ..enterprises.models import Enterprise
from ..extensions import db
from ..models_base import utcnow
from ..notifications import outbound
from ..timefmt import format_local
from ..validators import canonical_mobile, normalize
from ..web.ratelimit import count_login_failure, forget_login_failures, limiter, login_failures_exceeded
from .models import (
    ROLE_ENTERPRISE_ADMIN,
    ROLE_HANDLER,
    ROLE_PROVINCE_ADMIN,
    ROLE_REVIEWER,
    User,
    new_session_token,
)
from .passwords import hash_password, needs_rehash, verify_password
from .reset import make_token, user_for_token

ACCOUNT_TYPES = {
    "enterprise": (ROLE_ENTERPRISE_ADMIN,),
    "handler": (ROLE_HANDLER,),
    "staff": (ROLE_REVIEWER, ROLE_PROVINCE_ADMIN),
}
ACCOUNT_TYPE_TABS = {"enterprise": "企业账号登录", "handler": "经办人账号登录", "staff": "工作人员登录"}


WRONG_CREDENTIALS = "邮箱或密码错误，请重新输入。多次输错后，需稍候几分钟才能再次登录。"


def wrong_credentials_message() -> str:
    """One message whether the email is unknown, the password wrong or the attempts too many, so
    the form does not tell which accounts exist."""
    return WRONG_CREDENTIALS


class AccountError(Exception):
    """A refusal to show the user; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalize_email(email: str) -> str:
    """NFKC (full-width ａ@… is a@…), trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


USCC_TAKEN = "该统一社会信用代码已注册，请直接登录；如有疑问请联系外办。"
EMAIL_TAKEN = "该邮箱已注册，请直接登录或更换邮箱。"


def registration_conflict(field: str, value: str) -> str | None:
    """Why this USCC or email cannot be registered again, or None."""
    if field == "uscc" and db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == normalize(value))):
        return USCC_TAKEN
    if field == "email" and find_user_by_email(value):
        return EMAIL_TAKEN
    return None


def authenticate(email: str, password: str, account_type: str) -> User:
    """The user whose email and password these are, signed in on this tab; else AccountError.

    Failures are counted per account and address and per account (web.ratelimit, shared by all
    servers): past either limit even the right password waits, and the answer is the wrong
    password's, after the same password-hashing work, whether or not the account exists.
    """
    user = find_user_by_email(email)
    now = utcnow()
    throttled = login_failures_exceeded(email)
    if user is None:
        hash_password(password)  # the same work as a real check: no timing hint either
        matches = False
    else:
        matches = verify_password(user.password_hash, password)
    if throttled or not matches:
        if not throttled:
            count_login_failure(email)
        reason = "throttled" if throttled else ("unknown_email" if user is None else "wrong_password")
        audit.record("login_failed", user=user, reason=reason,
                     **({"detail_email": normalize_email(email)[:254]} if user is None else {}))
        db.session.commit()
        raise AccountError(wrong_credentials_message())

    if not user.active:
        raise AccountError("该账号已被取消授权，请联系企业账号管理员。")
    if user.role not in ACCOUNT_TYPES.get(account_type, ()):
        right_tab = next(tab for tab, roles in ACCOUNT_TYPES.items() if user.role in roles)
        raise AccountError(f"该账号请在“{ACCOUNT_TYPE_TABS[right_tab]}”页登录。")

    forget_login_failures(email)
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login", user=user)
    db.session.commit()
    return user


def sign_out(user: User) -> None:
    """Revoke every login cookie of this user (all devices)."""
    user.session_token = new_session_token()
    audit.record("logout", user=user)
    db.session.commit()


def register_enterprise(
    *, name, uscc, legal_representative, ownership, province, office_code, email, password
) -> User:
    """Create the enterprise and its admin account; AccountError on a duplicate."""
    uscc = normalize(uscc)
    email = normalize_email(email)
    for field, value in (("uscc", uscc), ("email", email)):
        if conflict := registration_conflict(field, value):
            raise AccountError(conflict, field=field)
    enterprise = Enterprise(
        name=name.strip(),
        uscc=uscc,
        legal_representative=legal_representative.strip(),
        ownership=ownership,
        province=province,
        office_code=office_code,
    )
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=ROLE_ENTERPRISE_ADMIN,
        province=province,
        enterprise=enterprise,
    )
    db.session.add_all([enterprise, user])
    audit.record("enterprise_registered", province=province, uscc=uscc, email=email)
    _commit_or_duplicate()
    return user


def create_handler(enterprise: Enterprise, *, name, email, mobile, password, actor: User) -> User:
    email = normalize_email(email)
    if find_user_by_email(email):
        raise AccountError("该邮箱已被其他账号使用。", field="email")
    handler = User(
        email=email,
        password_hash=hash_password(password),
        role=ROLE_HANDLER,
        name=name.strip(),
        mobile=canonical_mobile(mobile),
        province=enterprise.province,
        enterprise=enterprise,
    )
    db.session.add(handler)
    audit.record("handler_created", user=actor, email=email)
    _commit_or_duplicate()
    return handler


def update_handler(handler: User, *, name, mobile, password: str | None, actor: User) -> None:
    handler.name = name.strip()
    handler.mobile = canonical_mobile(mobile)
    if password:
        handler.password_hash = hash_password(password)
        handler.session_token = new_session_token()
    audit.record("handler_updated", user=actor, handler_id=handler.id, password_changed=bool(password))
    db.session.commit()


def deauthorise_handler(handler: User, actor: User) -> None:
    """取消授权: the handler can no longer sign in, and is signed out now."""
    if not handler.active:
        raise AccountError("该经办人已是取消授权状态。")
    handler.active = False
    handler.session_token = new_session_token()
    audit.record("handler_deauthorised", user=actor, handler_id=handler.id)
    db.session.commit()


def reauthorise_handler(handler: User, actor: User) -> None:
    if handler.active:
        raise AccountError("该经办人已是授权状态。")
    handler.active = True
    audit.record("handler_reauthorised", user=actor, handler_id=handler.id)
    db.session.commit()


def create_staff(*, email, password, role, province, office_code=None, name="") -> User:
    """A reviewer of one office, or a province admin (operator CLI)."""
    if role not in (ROLE_REVIEWER, ROLE_PROVINCE_ADMIN):
        raise AccountError(f"unknown staff role '{role}'")
    email = normalize_email(email)
    if find_user_by_email(email):
        raise AccountError(f"an account with email {email} exists already", field="email")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        name=name,
        province=province,
        office_code=office_code if role == ROLE_REVIEWER else None,
    )
    db.session.add(user)
    audit.record("staff_created", province=province, email=email, role=role, office=office_code)
    _commit_or_duplicate()
    return user


def _commit_or_duplicate() -> None:
    """Commit; a unique-constraint race (two tabs registering at once) becomes a field error."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        text = str(error.orig).lower()
        if "uscc" in text:
            raise AccountError(USCC_TAKEN, field="uscc") from None
        raise AccountError(EMAIL_TAKEN, field="email") from None


# --- 修改密码 and 忘记密码 -------------------------------------------------------------------

WRONG_CURRENT_PASSWORD = "当前密码不正确，请重新输入。多次输错后，需稍候几分钟才能再试。"
SAME_PASSWORD = "新密码不能与当前密码相同。"
RESET_LINK_INVALID = "链接已失效，请重新申请。"
RESET_TOKEN_PLACEHOLDER = "RESET-TOKEN"


def account_type_of(user: User) -> str:
    """The 登录 tab this user signs in on."""
    return next(tab for tab, roles in ACCOUNT_TYPES.items() if user.role in roles)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """修改密码: refused unless `current_password` is right; then the new hash, every login cookie
    of the user revoked (the caller renews its own session), an audit entry and a mail.

    Wrong current passwords count with the login failures of the account (web.ratelimit): a
    stolen session cannot be used to guess the password faster than the login form allows.
    """
    throttled = login_failures_exceeded(user.email)
    if throttled or not verify_password(user.password_hash, current_password):
        if not throttled:
            count_login_failure(user.email)
        audit.record("password_change_failed", user=user, reason="throttled" if throttled else "wrong_password")
        db.session.commit()
        raise AccountError(WRONG_CURRENT_PASSWORD, field="current_password")
    if verify_password(user.password_hash, new_password):
        raise AccountError(SAME_PASSWORD, field="password")
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    audit.record("password_changed", user=user)
    db.session.commit()
    outbound.send(
        [user.id], "您的密码已修改",
        f"您的账号 {user.email} 的登录密码已于 {format_local(utcnow(), '%Y-%m-%d %H:%M')}（北京时间）修改，"
        "其他设备上的登录已全部退出。如非本人操作，请立即在登录页通过“忘记密码”重新设置密码，并联系外办。",
    )


def request_password_reset(email: str, link_template: str) -> None:
    """忘记密码: the same work and answer whether or not the account exists.

    The request records the attempt and queues the job with the address it was given; the job
    (`send_reset_link`) decides whether there is anyone to write to. Besides the per-address
    limit on the form, each e-mail address gets at most `password_reset_per_ip` links (the same
    limit), so nobody can flood one mailbox from many addresses.
    """
    email = normalize_email(email)[:254]
    user = find_user_by_email(email)
    limit = parse(current_app.config["APEC_RATE_LIMITS"]["password_reset_per_ip"])
    within_limit = limiter.limiter.hit(limit, "password_reset", email)
    audit.record("password_reset_requested", user=user, throttled=not within_limit,
                 **({"detail_email": email} if user is None else {}))
    db.session.commit()
    if within_limit:
        jobs.enqueue("apec.accounts.services:send_reset_link", email, link_template)


def send_reset_link(email: str, link_template: str) -> None:
    """The job: mail a reset link to the active account of this e-mail; nothing for any other."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    minutes = current_app.config["APEC_PASSWORD_RESET_MINUTES"]
    link = link_template.replace(RESET_TOKEN_PLACEHOLDER, make_token(user))
    outbound.send_mail(
        user.email, "重置密码",
        f"您好：\n\n我们收到了为账号 {user.email} 重置登录密码的申请。请在 {minutes} 分钟内打开下面的链接"
        f"设置新密码，链接只能使用一次：\n\n{link}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。",
    )
    db.session.commit()


def reset_password(token: str, new_password: str) -> User:
    """Set the password of the token's account, once: the update only takes if the password hash
    is still the one the token was made for, so of two uses (even at the same moment) one wins.
    Every login cookie of the user is revoked."""
    user = user_for_token(token)
    if user is None:
        raise AccountError(RESET_LINK_INVALID)
    new_hash = hash_password(new_password)
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == user.password_hash, User.active.is_(True))
        .values(password_hash=new_hash, session_token=new_session_token())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AccountError(RESET_LINK_INVALID)
    forget_login_failures(user.email)
    audit.record("password_reset", user=user)
    db.session.commit()
    return user
