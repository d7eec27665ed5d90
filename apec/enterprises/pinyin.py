"""Name pinyin for passports: pypinyin with a surname override table.

Surnames read differently from the everyday character (单 SHAN, not DAN);
LYU for 吕 follows the passport spelling of ü.
"""

from pypinyin import Style, lazy_pinyin

SURNAME_OVERRIDES = {
    "单": "SHAN", "曾": "ZENG", "解": "XIE", "仇": "QIU", "区": "OU", "朴": "PIAO",
    "查": "ZHA", "吕": "LYU", "闵": "MIN", "盖": "GE", "覃": "QIN", "尉": "YU",
    "员": "YUN", "召": "SHAO", "繁": "PO", "纪": "JI", "缪": "MIAO", "乐": "YUE",
    "重": "CHONG", "种": "CHONG", "折": "SHE", "万俟": "MOQI", "尉迟": "YUCHI",
    "长孙": "ZHANGSUN", "令狐": "LINGHU", "女": "NYU", "褚": "CHU", "秘": "BI",
    "卜": "BU", "薄": "BO", "柏": "BAI", "翟": "ZHAI", "沈": "SHEN", "牟": "MU",
    "黑": "HEI", "能": "NAI", "宓": "FU", "华": "HUA", "任": "REN", "谌": "CHEN",
}
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "令狐", "万俟", "端木", "西门", "南宫", "独孤", "呼延",
}


def _spell(text: str) -> str:
    # pypinyin writes ü as "v"; passports write it "YU" (吕 LYU, 女 NYU).
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).upper().replace("V", "YU")


def split_name(name: str) -> tuple[str, str]:
    name = name.strip()
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def propose_pinyin(name: str) -> tuple[str, str]:
    """(surname, given name) in upper-case pinyin, e.g. 单雄信 → ("SHAN", "XIONGXIN")."""
    surname, given = split_name(name)
    return SURNAME_OVERRIDES.get(surname) or _spell(surname), _spell(given)
