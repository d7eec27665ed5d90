"""Identity-number and contact validators.

Each takes the raw string a user typed and returns a bool. Input is
NFKC-normalised (full-width digits and letters become ASCII), trimmed and
upper-cased first, so "１１０１０５…ｘ" validates like "110105…X".
"""

import datetime
import re
import unicodedata

from stdnum.cn import ric, uscc

# GB/T 2260 province-level codes (first two digits of a 身份证号).
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15",
    "21", "22", "23",
    "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46",
    "50", "51", "52", "53", "54",
    "61", "62", "63", "64", "65",
    "71", "81", "82",
})

# GB 32100 uses digits and upper-case letters without I, O, Z, S, V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(f"[{_USCC_ALPHABET}]{{18}}")
# ASCII digits only: NFKC leaves e.g. Arabic-Indic digits as they are.
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_PASSPORT_RE = re.compile(r"E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_AREA_CODE_RE = re.compile(r"[0-9]{6}")


def normalize(value: str) -> str:
    """NFKC-normalise, trim and upper-case what a user typed."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def is_valid_uscc(value: str) -> bool:
    """统一社会信用代码 per GB 32100: 18 characters, mod-31 check character.

    Position 1 (registration authority) may be a letter, e.g. Y or N.
    """
    number = normalize(value)
    if not _USCC_RE.fullmatch(number):
        return False
    # Positions 3-8 are the administrative-division code: digits only.
    if not _AREA_CODE_RE.fullmatch(number[2:8]):
        return False
    return number[-1] == uscc.calc_check_digit(number)


_OLD_TAX_NUMBER_RE = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{20}")
TAX_NUMBER_RULE = "纳税人识别号应为 18 位统一社会信用代码，或 15、17、20 位的原税务登记号"


def is_valid_tax_number(value: str) -> bool:
    """纳税人识别号 on an invoice: the 统一社会信用代码 (18, with its check character), or a tax
    registration number from before it (15 characters; 17 or 20 for an individual or a branch)."""
    number = normalize(value)
    return is_valid_uscc(number) if len(number) == 18 else bool(_OLD_TAX_NUMBER_RE.fullmatch(number))


def is_valid_id_number(value: str, today: datetime.date | None = None) -> bool:
    """居民身份证号 per GB 11643: 18 characters, ISO 7064 mod 11-2 check.

    The birth date must be a real date not in the future, and the first two
    digits a known province-level code.
    """
    number = normalize(value)
    if not _ID_RE.fullmatch(number):
        return False
    if number[:2] not in PROVINCE_PREFIXES:
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or datetime.date.today()):
        return False
    return number[-1] == ric.calc_check_digit(number)


def is_valid_passport_number(value: str) -> bool:
    """Chinese ordinary passport: E + 8 digits, E + letter + 7 digits, G + 8 digits."""
    return bool(_PASSPORT_RE.fullmatch(normalize(value)))


def canonical_mobile(value: str) -> str:
    """The 11 digits of a mobile number typed with spaces, dashes or +86."""
    number = re.sub(r"[\s-]", "", normalize(value))
    return number[3:] if number.startswith("+86") else number


def is_valid_mobile(value: str) -> bool:
    """Mainland mobile number: 11 digits starting 13-19 (an optional +86 is accepted)."""
    return bool(_MOBILE_RE.fullmatch(canonical_mobile(value)))


def mask_identity(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """Mask the middle of an identity number for lists: 1101**********2516."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
