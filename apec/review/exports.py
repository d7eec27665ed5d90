"""The office's list as a file: the 待办 or 已办 as filtered on screen, every page of it (up to
EXPORT_LIMIT rows), as Excel or CSV; and the cards waiting at the window, for the hand-over list."""

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..applications.models import Application, Card
from ..extensions import db
from ..timefmt import format_local

EXPORT_LIMIT = 10_000
COLUMNS = ("申请单号", "企业", "统一社会信用代码", "业务类型", "人数", "申请人", "状态", "办理人", "首次提交", "本环节开始",
           "超期")


def queue_table(province, rows, working_days: bool) -> list[tuple]:
    """One tuple per row of the list, in COLUMNS' order, as the screen words it."""
    from ..applications.workflow import status_label

    unit = "个工作日" if working_days else "天"
    return [(
        row.application.number, row.application.enterprise.name, row.application.enterprise.uscc,
        province.label(row.application.business_type), len(row.application.members),
        "、".join(member.shown.name for member in row.application.members),
        status_label(row.application), row.application.assignee.display_name if row.application.assignee else "",
        format_local(row.application.first_submitted_at, "%Y-%m-%d %H:%M"),
        format_local(row.application.stage_entered_at, "%Y-%m-%d %H:%M"),
        f"{row.overdue_days} {unit}" if row.overdue_days else "",
    ) for row in rows]


def as_xlsx(title: str, table: list[tuple]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table:
        sheet.append([_cell(value) for value in values])
    for column, width in zip("ABCDEFGHIJK", (26, 28, 22, 12, 6, 20, 18, 10, 17, 17, 10)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(table: list[tuple]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese as Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(value) for value in values] for values in table)
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@dataclass(frozen=True)
class HandoverRow:
    application: Application
    card: Card


def cards_to_hand_over(actor) -> list[HandoverRow]:
    """The cards made and waiting for 自取 at the reviewer's office, by application number."""
    pairs = db.session.execute(select(Application, Card).join(Card, Card.application_id == Application.id).where(
        Application.province == actor.province, Application.office_code == actor.office_code,
        Application.status == "card_ready", Application.pickup_method != "mail",
    ).order_by(Application.number, Card.id))
    return [HandoverRow(application, card) for application, card in pairs]
