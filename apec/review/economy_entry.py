"""Entering the economies' decisions faster than one select at a time: 全部获批 for chosen
members with exceptions, and the MFA's results imported from CSV (人员, 经济体, 审核结果, 审核日期),
checked row by row before anything is recorded. Both end in workflow.record_economy_decisions."""

import csv
import datetime
import io
from dataclasses import dataclass

from ..applications.models import Application
from ..economies import preclearing_economies
from ..validators import normalize

COLUMNS = ("人员", "经济体", "审核结果", "审核日期")
COLUMN_ALIASES = {"person": "人员", "姓名": "人员", "economy": "经济体", "decision": "审核结果", "结果": "审核结果",
                  "date": "审核日期", "日期": "审核日期"}
DECISIONS = {"获批": "approved", "批准": "approved", "approved": "approved", "未获批": "refused",
             "不批准": "refused", "拒绝": "refused", "refused": "refused"}
MAX_IMPORT_BYTES = 256 * 1024


def bulk_decisions(application: Application, member_ids: list[int], decided_on: datetime.date,
                   exceptions: dict[str, str]) -> tuple[list[dict], int]:
    """全部获批 for the chosen members: every economy still undecided is approved, except those in
    `exceptions` (economy code → "refused", or "skip" to leave it undecided). Decisions already
    recorded stay as they are. Returns (decisions, how many were already recorded)."""
    decisions, kept = [], 0
    for member in application.active_members:
        if member.id not in member_ids:
            continue
        decided = {decision.economy for decision in member.economy_decisions}
        for economy in preclearing_economies():
            wanted = exceptions.get(economy.code, "approved")
            if wanted == "skip":
                continue
            if economy.code in decided:
                kept += 1
                continue
            decisions.append({"member_id": member.id, "economy": economy.code, "decision": wanted,
                              "decided_on": decided_on})
    return decisions, kept


@dataclass
class ImportRow:
    line: int
    values: tuple[str, ...]
    decision: dict | None = None   # what it records, when the row is sound
    error: str | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    error: str | None = None       # the file as a whole cannot be read

    @property
    def sound(self) -> bool:
        return self.error is None and bool(self.rows) and all(row.error is None for row in self.rows)

    @property
    def decisions(self) -> list[dict]:
        return [row.decision for row in self.rows if row.decision]


def decode(data: bytes) -> str:
    """A CSV as saved by Excel in China (GB18030) or as UTF-8, with or without a BOM."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def preview_import(application: Application, text: str, today: datetime.date) -> ImportPreview:
    """Each row checked against the application: its person, a pre-clearing economy, a decision,
    a date not in the future, no pair twice."""
    reader = list(csv.reader(io.StringIO(text)))
    lines = [(number, row) for number, row in enumerate(reader, start=1) if any(cell.strip() for cell in row)]
    if not lines:
        return ImportPreview([], "文件是空的。")
    header = tuple(COLUMN_ALIASES.get(cell.strip().lower(), COLUMN_ALIASES.get(cell.strip(), cell.strip()))
                   for cell in lines[0][1])
    if header != COLUMNS:
        return ImportPreview([], f"第 1 行（表头）应为：{'，'.join(COLUMNS)}；文件中为：{'，'.join(lines[0][1])}。")
    people = {}
    for member in application.active_members:
        shown = member.shown
        people[shown.name] = member
        if shown.passport_number:
            people[normalize(shown.passport_number)] = member
    economies = {}
    for economy in preclearing_economies():
        economies[economy.code] = economy
        economies[economy.name] = economy
    rows, seen = [], set()
    for number, cells in lines[1:]:
        cells = tuple(cell.strip() for cell in cells) + ("",) * (len(COLUMNS) - len(cells))
        row = ImportRow(number, cells[:len(COLUMNS)])
        rows.append(row)
        person, economy_text, decision_text, date_text = row.values
        if len(cells) > len(COLUMNS) and any(cells[len(COLUMNS):]):
            row.error = f"应为 {len(COLUMNS)} 列。"
            continue
        member = people.get(person) or people.get(normalize(person))
        economy = economies.get(economy_text) or economies.get(economy_text.upper())
        decision = DECISIONS.get(decision_text.lower()) or DECISIONS.get(decision_text)
        try:
            decided_on = datetime.date.fromisoformat(date_text.replace("/", "-"))
        except ValueError:
            decided_on = None
        if member is None:
            row.error = f"“{person}”不是本申请单的申请人员（请填姓名或护照号）。"
        elif economy is None:
            row.error = f"“{economy_text}”不是需要预审的 APEC 经济体。"
        elif decision is None:
            row.error = f"审核结果“{decision_text}”应为“获批”或“未获批”。"
        elif decided_on is None:
            row.error = f"审核日期“{date_text}”应为 年-月-日，如 {today.isoformat()}。"
        elif decided_on > today:
            row.error = f"审核日期 {decided_on.isoformat()} 晚于今天。"
        elif (member.id, economy.code) in seen:
            row.error = f"{member.shown.name} 的 {economy.name} 在文件中重复。"
        else:
            seen.add((member.id, economy.code))
            row.decision = {"member_id": member.id, "economy": economy.code, "decision": decision,
                            "decided_on": decided_on}
    if not rows:
        return ImportPreview([], "文件只有表头，没有审核结果。")
    return ImportPreview(rows)
