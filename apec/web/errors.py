"""Error pages in Chinese; HTMX requests get the same page for their target."""

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from .htmx import is_htmx_request

MESSAGES = {
    400: ("请求无效", "请求的内容不完整或格式不正确，请返回后重试。"),
    404: ("页面不存在", "您访问的页面不存在，或您没有查看它的权限。"),
    405: ("操作不被允许", "该页面不支持此操作。"),
    409: ("操作冲突", "该内容已被更新或已提交，请刷新页面查看最新状态。"),
    413: ("文件过大", "上传的文件超过了大小限制，请压缩后重新上传。"),
    429: ("操作过于频繁", "操作过于频繁，请稍候一分钟再试。"),
    500: ("系统繁忙", "系统出现错误，您的操作未完成，请稍后再试。"),
}


def error_page(status: int, detail: str | None = None):
    # A failed statement leaves the session unusable; the page itself needs a working one.
    db.session.rollback()
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def same_site_referrer() -> str | None:
    """The page the request came from, when it is one of this site's (a path to go back to)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return error_page(400, "页面已过期或来源无法验证（CSRF 校验失败），请刷新页面后重新提交。")

    @app.errorhandler(413)
    def too_large(error):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] / 1024 / 1024
        message = f"上传的文件超过了 {limit_mb:g} MB 的大小限制，请压缩后重新上传。"
        if is_htmx_request():
            # The part HTMX asked for cannot be built from a refused body: say it in the message area.
            fragment = render_template("errors/_htmx_alert.html", message=message)
            return fragment, 413, {"HX-Retarget": "#flash-area", "HX-Reswap": "innerHTML"}
        if (back := same_site_referrer()) is not None:
            # Without JavaScript: back to the step the file was chosen on, which says why.
            db.session.rollback()
            flash(message, "error")
            return redirect(back, code=303)
        return error_page(413, message)

    @app.errorhandler(StaleDataError)
    def stale(error):
        """Two requests changed the same record at once; the later one changes nothing."""
        return error_page(409, "该申请单刚刚已被更新（可能在另一个页面操作过），您的这次操作未保存，请刷新页面后重试。")

    for status in (400, 404, 405, 409, 500):
        app.register_error_handler(status, lambda error, status=status: error_page(status))

    @app.before_request
    def refuse_nul_characters():
        """A NUL byte is never real input, and PostgreSQL cannot store it."""
        values = list(request.args.values())
        if request.method == "POST":
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            abort(400)
