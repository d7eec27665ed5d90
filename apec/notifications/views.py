"""消息中心: a user's messages, unread count, mark as read; for the enterprise under 用户中心,
for reviewers beside their 审核工作台 (with the daily e-mail digest switched on or off)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from ..accounts.models import ROLE_REVIEWER
from ..extensions import db
from ..models_base import utcnow
from ..web.access import enterprise_required, owned_or_404, roles_required
from ..web.templating import render
from .models import Message

bp = Blueprint("notifications", __name__, url_prefix="/user-center/messages")
staff_bp = Blueprint("staff_messages", __name__, url_prefix="/staff/messages")


@bp.app_context_processor
def inject_unread_count():
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    count = db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == current_user.id, Message.read_at.is_(None))
    )
    return {"unread_count": count}


def _message_routes(blueprint: Blueprint, required, template: str) -> None:
    """The same inbox on both sides, each behind its own role check and in its own layout."""

    @blueprint.get("/")
    @required
    def inbox():
        messages = db.session.scalars(
            select(Message).where(Message.user_id == current_user.id)
            .order_by(Message.created_at.desc(), Message.id.desc()).limit(200)
        ).all()
        return render(template, messages=messages)[0]

    @blueprint.post("/<int:message_id>/read")
    @required
    def mark_read(message_id: int):
        message = owned_or_404(Message, message_id, user_id=current_user.id)
        if message.read_at is None:
            message.read_at = utcnow()
            db.session.commit()
        return redirect(url_for(f"{blueprint.name}.inbox"), code=303)

    @blueprint.post("/read-all")
    @required
    def mark_all_read():
        """全部已读: every unread message of this user."""
        db.session.execute(update(Message).where(Message.user_id == current_user.id, Message.read_at.is_(None))
                           .values(read_at=utcnow()))
        db.session.commit()
        return redirect(url_for(f"{blueprint.name}.inbox"), code=303)


_message_routes(bp, enterprise_required, "notifications/inbox.html")
_message_routes(staff_bp, roles_required(ROLE_REVIEWER), "notifications/staff_inbox.html")


@staff_bp.post("/digest")
@roles_required(ROLE_REVIEWER)
def set_digest():
    """每日邮件摘要 on or off, for this reviewer."""
    current_user.daily_digest = request.form.get("daily_digest") == "on"
    db.session.commit()
    flash("已开启每日邮件摘要。" if current_user.daily_digest else "已关闭每日邮件摘要。", "success")
    return redirect(url_for("staff_messages.inbox"), code=303)
