"""Account operations: one function per state change, each commits or raises."""

import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..enterprises.models import Enterprise
from ..extensions import db
from ..models_base import utcnow
from ..validators import canonical_mobile, normalize
from ..web.ratelimit import count_login_failure, forget_login_failures, login_failures_exceeded
from .models import (
    ROLE_ENTERPRISE_ADMIN,
    ROLE_HANDLER,
    ROLE_PROVINCE_ADMIN,
    ROLE_REVIEWER,
    User,
    new_session_token,
)
from .passwords import hash_password, needs_rehash, verify_password

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
