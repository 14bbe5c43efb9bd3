"""Pure checks of values, shared by the models' clean() and the services.

None of these touches the database.
"""

import datetime
import functools
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.util import isdigits

county_code_validator = RegexValidator(r"^\d{6}\Z", "县级区划代码必须是6位数字")
township_code_validator = RegexValidator(r"^\d{9}\Z", "乡镇区划代码必须是9位数字")
village_code_validator = RegexValidator(r"^\d{12}\Z", "村区划代码必须是12位数字")
phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}\Z", "电话号码只能包含数字、空格和 + - ( )，5 到 20 位")
# A helper is called by the households and the bureau: a mobile number (11 digits, 1[3-9]…) or a
# landline with its area code (0598-1234567 or 05981234567), an extension after a hyphen. The
# household's own phone stays loose: a villager may give a neighbour's or a shop's number.
helper_phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)\Z",
    "请填写11位手机号码（如 13805981234）或带区号的固定电话（如 0598-1234567，分机号用 - 隔开）")


def helper_phone_clean(value: str | None) -> str:
    """A helper's phone as typed, in the form helper_phone_validator checks: spaces dropped and a
    mobile number's +86 (or 0086) left off, as people write them; anything else stays as typed
    for the validator to refuse."""
    phone = re.sub(r"\s+", "", value or "")
    match = re.fullmatch(r"(?:\+86|0086)-?(1\d{10})", phone)
    return match.group(1) if match else phone


class ResidentId(NamedTuple):
    # A named tuple rather than a frozen dataclass: made over a hundred thousand times an import.
    number: str
    birth_date: datetime.date
    sex: str  # "male" or "female", the codes of GLOSSARY.md


def parse_resident_id(value: str, *, today: datetime.date | None = None) -> ResidentId:
    """Check a resident ID number (GB 11643-1999) and read birth date and sex from it.

    python-stdnum's cn.ric does each step, but its validate() also refuses an address code
    that was created after the holder's birth year: the codes were handed out when the cards
    were issued, so almost every person born before 1983 in Sanming (and everyone born before
    1989 in 永安市) would be refused. We keep every other step and only ask that the address
    code is one GB/T 2260 has ever had.
    """
    value = value or ""
    if _CLEAN.fullmatch(value) and value[-1] == _CHECK_DIGITS[(1 - 2 * int(value[:-1], 13)) % 11]:
        # The common case, a clean number with the right check digit, without stdnum's steps or
        # exceptions: an import of the whole city checks over a hundred thousand of them.
        number = value
        birth_date = _date_of(number[6:14])
        if birth_date is None:
            raise ValidationError("公民身份号码中的出生日期不存在", code="id_birth_date")
    else:
        number, birth_date = _checked(value)
    if not (_EARLIEST <= birth_date <= (today or _today(birth_date))):
        raise ValidationError("公民身份号码中的出生日期不合理", code="id_birth_date")
    if not _is_county_code(number[:6]):
        raise ValidationError("公民身份号码前6位不是有效的行政区划代码", code="id_address")
    return ResidentId(number, birth_date, "male" if number[16] in "13579" else "female")


_CLEAN = re.compile(r"[0-9]{17}[0-9X]")
_CHECK_DIGITS = "0123456789X"  # indexed by (1 - 2 * body read in base 13) mod 11, as ric.calc_check_digit
_EARLIEST = datetime.date(1900, 1, 1)
_seen_today = datetime.date.min


def _today(birth_date: datetime.date) -> datetime.date:
    """Today, asked of the clock only for a birth date after the last day it answered: days only
    pass, so a date not after that one is not after today either (reading the clock and the time
    zone was a tenth of a check)."""
    global _seen_today
    if birth_date > _seen_today:
        _seen_today = timezone.localdate()
    return _seen_today


@functools.lru_cache(maxsize=65536)
def _date_of(digits: str) -> datetime.date | None:
    # A city's people share their birth dates: about a third of the numbers bring a new one.
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _checked(value: str) -> tuple[str, datetime.date]:
    """The number cleaned and checked step by step, each step refusing with its own message."""
    # ric.compact() is slow, and most numbers need none of its cleaning.
    number = value.upper() if len(value) == 18 and value.isascii() and value.isalnum() else ric.compact(value)
    try:
        if len(number) != 18:
            raise InvalidLength()
        if not isdigits(number[:-1]) or number[-1] not in "0123456789X":
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        return number, _birth_date(number)
    except InvalidLength:
        raise ValidationError(f"公民身份号码应为18位（现为{len(number)}位）", code="id_length")
    except InvalidFormat:
        raise ValidationError("公民身份号码前17位必须是数字，最后一位是数字或 X", code="id_format")
    except InvalidChecksum:
        raise ValidationError("公民身份号码校验码错误，请核对号码", code="id_checksum")
    except InvalidComponent:
        raise ValidationError("公民身份号码中的出生日期不存在", code="id_birth_date")


def _birth_date(number: str) -> datetime.date:
    # ric.get_birth_date() cleans the number again first, as slowly as ric.compact().
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidComponent() from None


@functools.lru_cache(maxsize=4096)
def _is_county_code(prefix: str) -> bool:
    # python-stdnum's table lookup is the slowest step of a check, and a city's people share a
    # few hundred prefixes: an import of the whole city asks each about 300 times.
    place = {key: val for _part, props in numdb.get("cn/loc").info(prefix) for key, val in props.items()}
    return "county" in place


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def validate_member_set(relations: list[str], id_numbers: list[str]) -> None:
    """Exactly one head per household (户主), and nobody listed twice."""
    heads = relations.count("head")
    if heads == 0:
        raise ValidationError({"relation": ValidationError("每户必须有一名户主", code="no_head")})
    if heads > 1:
        raise ValidationError({"relation": ValidationError(f"每户只能有一名户主（现有{heads}名）", code="two_heads")})
    seen = set()
    for number in id_numbers:
        if number in seen:
            message = f"同一户中公民身份号码 {mask_id(number)} 重复"
            raise ValidationError({"id_number": ValidationError(message, code="id_twice")})
        seen.add(number)


def mask_phone(phone: str) -> str:
    """138****1234: a helper's phone as shown to whoever may not see it whole (access.helper_phone_display).
    The last four digits stay, so that a household can still tell two helpers' numbers apart."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else f"{'*' * (len(digits) - 4)}{digits[-4:]}"


def mask_id(number: str) -> str:
    """350424********1234: the form the registry shows an ID number in messages."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}" if len(number) == 18 else "*" * len(number)
