"""地址簿 and 发票信息 managed in place on the 取卡方式 and 上报 steps (HTMX).

The step's own form stays in the page, untouched, while a panel beside it lists the
enterprise's entries with 选用, 修改, 删除 and a form to 新增 one. Each change also
refreshes the step's "选择已保存的…" list (out of band), keeping the choice made there.

Without JavaScript the step's 管理… button submits the step instead: it is saved as a draft
and the user goes to the book's own page, which brings them back (views.leave_for_book).
"""

from flask import Blueprint, abort, redirect, render_template, request
from flask_login import current_user

from ..enterprises import books
from ..provinces.registry import get_province
from ..web.access import enterprise_required
from ..web.htmx import is_htmx_request
from .forms import PickupForm, ReportForm
from .steps import step_with
from .views import editable_application, step_url

bp = Blueprint("apply_books", __name__, url_prefix="/apply")

# Which list of a step's form each book fills.
CHOICE_FIELDS = {"addresses": "saved_address", "invoices": "saved_invoice"}


def _book(name: str) -> books.Book:
    if name not in books.BOOKS:
        abort(404)
    return books.BOOKS[name]


def choice_field(application, book: books.Book, selected: str):
    """The step's "选择已保存的…" list with the book's entries as they are now."""
    province = get_province(application.province)
    if book is books.ADDRESSES:
        form = PickupForm(formdata=None, addresses=books.entries(book))
    else:
        form = ReportForm(formdata=None, payment_methods=province.payment_choices(),
                          invoices=books.entries(book))
    field = form[CHOICE_FIELDS[book.name]]
    field.data = selected if selected in dict(field.choices) else ""
    return field


def _panel(application, book, form=None, entry=None, message="", status=200, refresh=False, selected=None):
    if not is_htmx_request():  # the panel lives in the step's page: without HTMX, back to that page
        province = get_province(application.province)
        return redirect(step_url(application, step_with(province, application, "invoices" if book is books.INVOICES else "address")),
                        code=303)
    if selected is None:
        selected = request.values.get(CHOICE_FIELDS[book.name], "")
    context = {
        "application": application, "book": book, "entries": books.entries(book), "entry": entry,
        "choice_name": CHOICE_FIELDS[book.name],
        "form": form or book.form(formdata=None, prefix="book"), "message": message,
        "choice": choice_field(application, book, selected) if refresh else None,
    }
    return render_template("applications/_book_panel.html", **context), status


@bp.get("/<int:application_id>/books/<book_name>")
@enterprise_required
def panel(application_id: int, book_name: str):
    application, book = editable_application(application_id), _book(book_name)
    if request.args.get("close"):
        return ("", 200) if is_htmx_request() else _panel(application, book)
    return _panel(application, book)


@bp.get("/<int:application_id>/books/<book_name>/<int:entry_id>")
@enterprise_required
def edit(application_id: int, book_name: str, entry_id: int):
    application, book = editable_application(application_id), _book(book_name)
    entry = books.own_entry(book, entry_id)
    return _panel(application, book, form=book.form(formdata=None, obj=entry, prefix="book"), entry=entry)


@bp.post("/<int:application_id>/books/<book_name>")
@bp.post("/<int:application_id>/books/<book_name>/<int:entry_id>")
@enterprise_required
def save(application_id: int, book_name: str, entry_id: int | None = None):
    application, book = editable_application(application_id), _book(book_name)
    entry = books.own_entry(book, entry_id) if entry_id else None
    form = book.form(prefix="book")
    if not form.validate():
        return _panel(application, book, form=form, entry=entry, status=422)
    saved = books.save_entry(book, entry, form, current_user)
    # A new entry is chosen at once; after 修改 the choice made on the page stays.
    selected = str(saved.id) if entry is None else None
    done = "已在办理页面中选中" if entry is None else "办理页面的选择列表已更新"
    return _panel(application, book, message=f"已保存{book.item}，{done}。",
                  refresh=True, selected=selected)


@bp.post("/<int:application_id>/books/<book_name>/<int:entry_id>/delete")
@enterprise_required
def delete(application_id: int, book_name: str, entry_id: int):
    application, book = editable_application(application_id), _book(book_name)
    books.delete_entry(book, books.own_entry(book, entry_id), current_user)
    selected = request.values.get(CHOICE_FIELDS[book.name], "")
    return _panel(application, book, message=f"已删除{book.item}。", refresh=True,
                  selected="" if selected == str(entry_id) else selected)


@bp.post("/<int:application_id>/books/<book_name>/<int:entry_id>/choose")
@enterprise_required
def choose(application_id: int, book_name: str, entry_id: int):
    """选用: the entry is chosen in the step's list and the panel closes."""
    application, book = editable_application(application_id), _book(book_name)
    entry = books.own_entry(book, entry_id)
    if not is_htmx_request():
        return _panel(application, book)
    return render_template("applications/_book_choice.html", book_name=book.name,
                           choice=choice_field(application, book, str(entry.id)), oob=True)
