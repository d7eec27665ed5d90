"""每日邮件摘要: each reviewer who asked for it gets, once a day, their office's 待办 and 超期
counts and the messages that reached their 消息中心 since the last one. `flask staff-digest`
runs it (schedule it each morning); run twice on one day, or on two servers at once, each
reviewer still gets one e-mail: the day is claimed by a conditional UPDATE before sending."""

import datetime

from sqlalchemy import or_, select, update

from ..accounts.models import ROLE_REVIEWER, User
from ..extensions import db
from ..models_base import utcnow
from ..notifications import outbound
from ..notifications.models import Message
from ..provinces.registry import get_province
from ..timefmt import china_today, utc_start_of
from .queue import office_backlogs

MAX_LINES = 30


def send_daily_digests() -> int:
    """Send today's digests still due; returns how many went out."""
    not_today = or_(User.digest_sent_at.is_(None), User.digest_sent_at < utc_start_of(china_today()))
    due = db.session.scalars(select(User.id).where(
        User.role == ROLE_REVIEWER, User.active.is_(True), User.daily_digest.is_(True), not_today)
        .order_by(User.id)).all()
    sent = 0
    for user_id in due:
        user = db.session.get(User, user_id)
        since = user.digest_sent_at
        claimed = db.session.execute(update(User).where(User.id == user_id, not_today)
                                     .values(digest_sent_at=utcnow())).rowcount
        if not claimed:
            db.session.rollback()
            continue  # another run took it
        title, body = digest_for(user, since)
        db.session.commit()
        outbound.send([user_id], title, body)
        sent += 1
    return sent


def digest_for(user: User, since: datetime.datetime | None) -> tuple[str, str]:
    province = get_province(user.province)
    office = province.office(user.office_code)
    backlog = office_backlogs(province, [(user.office_code, office)], utcnow())[0]
    start = since or utcnow() - datetime.timedelta(days=1)
    news = db.session.scalars(select(Message.title).where(
        Message.user_id == user.id, Message.created_at >= start).order_by(Message.id).limit(MAX_LINES + 1)).all()
    lines = [f"{office.name} 当前待办 {backlog.waiting} 件，其中已超期 {backlog.overdue} 件。"]
    if news:
        lines.append("")
        lines.append("新消息：")
        lines.extend(f"· {title}" for title in news[:MAX_LINES])
        if len(news) > MAX_LINES:
            lines.append("· ……更多请登录审核工作台查看消息中心。")
    else:
        lines.append("自上次摘要以来没有新消息。")
    lines.append("")
    lines.append("如不需要此邮件，可在审核工作台的消息中心关闭每日邮件摘要。")
    return f"{province.branding.title} 每日待办摘要（{china_today():%Y-%m-%d}）", "\n".join(lines)
