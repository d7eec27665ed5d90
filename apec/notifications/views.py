"""消息中心: a user's messages, unread count, mark as read."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from ..extensions import db
from ..models_base import utcnow
from ..web.access import enterprise_required, owned_or_404
from ..web.templating import render
from .models import Message

bp = Blueprint("notifications", __name__, url_prefix="/user-center/messages")


@bp.app_context_processor
def inject_unread_count():
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    count = db.session.scalar(
        select(func.count(Message.id)).where(Message.user_id == current_user.id, Message.read_at.is_(None))
    )
    return {"unread_count": count}


@bp.get("/")
@enterprise_required
def inbox():
    messages = db.session.scalars(
        select(Message).where(Message.user_id == current_user.id).order_by(Message.created_at.desc(), Message.id.desc())
    ).all()
    return render("notifications/inbox.html", messages=messages)[0]


@bp.post("/<int:message_id>/read")
@enterprise_required
def mark_read(message_id: int):
    message = owned_or_404(Message, message_id, user_id=current_user.id)
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()
    return redirect(url_for("notifications.inbox"), code=303)


@bp.post("/read-all")
@enterprise_required
def mark_all_read():
    """全部已读: every unread message of this user."""
    db.session.execute(update(Message).where(Message.user_id == current_user.id, Message.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()
    return redirect(url_for("notifications.inbox"), code=303)
