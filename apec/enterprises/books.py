"""地址簿 and 发票信息: the enterprise's saved addresses and invoice titles.

Both books work the same way (list, 新增, 修改, 删除), so one small set of
views serves both, each described by a `Book`.
"""

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField

from .. import audit
from ..extensions import db
from ..validators import TAX_NUMBER_RULE, is_valid_mobile, is_valid_tax_number
from ..web.access import enterprise_required, owned_or_404
from ..web.forms import check, max_length, mobile_digits, normalized, required, strip
from ..web.templating import render
from ..web.urls import safe_next
from .models import AddressBookEntry, InvoiceBookEntry


class AddressForm(FlaskForm):
    recipient = StringField("收件人", filters=[strip], validators=[required("收件人"), max_length(50)])
    phone = StringField("联系电话", filters=[mobile_digits],
                        validators=[required("联系电话"), check(is_valid_mobile, "请输入 11 位手机号码")])
    address = StringField("邮寄地址", filters=[strip], validators=[required("邮寄地址"), max_length(200)])
    postcode = StringField("邮政编码", filters=[strip],
                           validators=[check(lambda v: v.isascii() and v.isdigit() and len(v) == 6, "邮政编码为 6 位数字")])
    is_default = BooleanField("设为默认地址")


class InvoiceForm(FlaskForm):
    title = StringField("发票抬头", filters=[strip], validators=[required("发票抬头"), max_length(100)])
    tax_number = StringField("纳税人识别号", filters=[normalized],
                             validators=[required("纳税人识别号"), check(is_valid_tax_number, TAX_NUMBER_RULE)])
    address = StringField("地址", filters=[strip], validators=[max_length(200)])
    phone = StringField("电话", filters=[strip], validators=[max_length(30)])
    bank = StringField("开户行", filters=[strip], validators=[max_length(100)])
    account = StringField("账号", filters=[strip], validators=[max_length(40)])
    email = StringField("接收邮箱", filters=[strip], validators=[max_length(254)])


@dataclass(frozen=True)
class Book:
    name: str            # URL segment and endpoint prefix
    title: str           # 地址簿 / 发票信息
    item: str            # what one entry is called
    model: type
    form: type
    columns: tuple       # (field, heading) shown in the list

    def fields(self):
        return [name for name in self.form().data if name not in ("csrf_token",)]


ADDRESSES = Book("addresses", "地址簿", "邮寄地址", AddressBookEntry, AddressForm,
                 (("recipient", "收件人"), ("phone", "联系电话"), ("address", "邮寄地址"), ("postcode", "邮编")))
INVOICES = Book("invoices", "发票信息", "发票信息", InvoiceBookEntry, InvoiceForm,
                (("title", "发票抬头"), ("tax_number", "纳税人识别号"), ("bank", "开户行"), ("account", "账号")))


BOOKS = {book.name: book for book in (ADDRESSES, INVOICES)}


def entries(book: Book):
    return db.session.scalars(
        select(book.model).where(book.model.enterprise_id == current_user.enterprise_id).order_by(book.model.id)
    ).all()


def save_entry(book: Book, entry, form, actor):
    """新增 (entry None) or 修改 one entry from a validated form; returns the entry."""
    if entry is None:
        entry = book.model(enterprise_id=actor.enterprise_id)
        db.session.add(entry)
    for field in book.fields():
        setattr(entry, field, form[field].data)
    if getattr(entry, "is_default", False):
        for other in entries(book):
            if other is not entry:
                other.is_default = False
    audit.record(f"{book.name}_saved", user=actor)
    db.session.commit()
    return entry


def delete_entry(book: Book, entry, actor) -> None:
    db.session.delete(entry)
    audit.record(f"{book.name}_deleted", user=actor)
    db.session.commit()


def own_entry(book: Book, entry_id: int):
    return owned_or_404(book.model, entry_id, enterprise_id=current_user.enterprise_id)


def _back():
    return safe_next(request.args.get("next"))


def register(bp: Blueprint, book: Book) -> None:
    def index():
        return render("enterprises/book.html", book=book, entries=entries(book), back=_back())[0]

    def edit(entry_id: int | None = None):
        entry = own_entry(book, entry_id) if entry_id else None
        form = book.form(obj=entry) if request.method == "GET" else book.form()
        if form.validate_on_submit():
            save_entry(book, entry, form, current_user)
            flash(f"已保存{book.item}。", "success")
            return redirect(_back() or url_for(f"enterprises.{book.name}"), code=303)
        status = 422 if request.method == "POST" else 200
        return render("enterprises/book_form.html", book=book, form=form, entry=entry, back=_back(), status=status)

    def delete(entry_id: int):
        delete_entry(book, own_entry(book, entry_id), current_user)
        flash(f"已删除{book.item}。", "success")
        return redirect(_back() or url_for(f"enterprises.{book.name}"), code=303)

    bp.add_url_rule(f"/{book.name}", book.name, enterprise_required(index))
    bp.add_url_rule(f"/{book.name}/new", f"{book.name}_new", enterprise_required(edit), methods=["GET", "POST"])
    bp.add_url_rule(f"/{book.name}/<int:entry_id>/edit", f"{book.name}_edit", enterprise_required(edit),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"/{book.name}/<int:entry_id>/delete", f"{book.name}_delete", enterprise_required(delete),
                    methods=["POST"])
