"""One cell to the value its model field takes, or a Chinese reason why it cannot be read."""

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ..layout import COLUMNS, Column
from ..models import PovertyCause


class CellError(ValueError):
    pass


def text_of(raw) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a phone number or code typed as a number
    if isinstance(raw, (datetime.date, datetime.datetime)):
        return raw.strftime("%Y-%m-%d")
    return "" if raw is None else str(raw).strip()


class Lookups:
    """The coded columns' codes and labels, and the causes, read once per import."""

    def __init__(self, columns: Sequence[Column] = COLUMNS):
        self.choices = {
            c.key: {**{str(label): code for code, label in c.choices}, **{code: code for code, _l in c.choices}}
            for c in columns
            if c.kind == "choice"
        }
        causes = list(PovertyCause.objects.values_list("code", "name"))
        self.causes = {**{name: code for code, name in causes}, **{code: code for code, _n in causes}}


_BOOLEAN = {"是": True, "否": False, "有": True, "无": False, "√": True, "y": True, "n": False, "yes": True,
            "no": False, "true": True, "false": False, "1": True, "0": False}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


_NUMBERS = {bool, int, float}
_TEXTS = {str, type(None)}
_DATES = {datetime.date, type(None)}
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+\d+")  # an ID number Excel turned into a number and back


def column_values(column: Column, raws: Sequence, lookups: Lookups) -> tuple[list, dict[int, str]]:
    """A column's cells to the values their model field takes, each distinct cell read once
    (coded and household cells repeat down a sheet; cell by cell this was a fifth of the
    import of a city, under cProfile): the values, None for a blank cell and for one that cannot be read, and by
    position the reasons of those that cannot be read."""
    kinds = set(map(type, raws))
    if kinds <= _TEXTS and column.kind in ("text", "id"):
        values = _texts(column, raws)
        if values is not None:
            return values, {}
    if kinds <= _DATES and column.kind == "date":  # dates as the sheet's date cells give them
        return list(raws), {}
    if len(_NUMBERS.intersection(kinds)) > 1:
        keys = [(type(raw), raw) for raw in raws]  # 1, 1.0 and True are equal keys but not the same cell
        distinct = dict(zip(keys, raws))
    else:
        keys = raws
        distinct = dict(zip(raws, raws))
    read, refused = {}, {}
    for key, raw in distinct.items():
        try:
            value = cell_value(column, raw, lookups)
            read[key] = None if value == "" else value
        except CellError as e:
            read[key], refused[key] = None, str(e)
    values = list(map(read.__getitem__, keys))
    if not refused:
        return values, {}
    return values, {i: refused[key] for i, key in enumerate(keys) if key in refused}


def _texts(column: Column, raws: Sequence) -> list | None:
    """A text or ID column whose cells are all text or blank (as a sheet mostly is), read in one
    pass to what cell_value gives each (the distinct cells of a names' or ID numbers' column are
    nearly all of them); None for an ID column with a cell that needs cell_value's reasons."""
    if column.kind == "text":
        return [None if raw is None else raw.strip() or None for raw in raws]
    values = [None if raw is None else raw.strip().upper().replace(" ", "") or None for raw in raws]
    if any("*" in value or "E+" in value for value in values if value):
        return None
    return values


def cell_value(column: Column, raw, lookups: Lookups):
    """One cell to the value its model field takes; CellError with a Chinese reason otherwise."""
    if column.kind == "id":
        if isinstance(raw, (int, float)):
            raise CellError("身份号码被 Excel 存成了数字（如 3.50424E+17），末几位已丢失：请把该列设为“文本”后重新录入")
        text = text_of(raw).upper().replace(" ", "")
        if "*" in text:
            raise CellError("这是导出时脱敏的号码，不能导入：请填写完整的公民身份号码")
        if "E+" in text and _SCIENTIFIC.fullmatch(text):
            raise CellError("身份号码是科学计数法（如 3.50424E+17），末几位已丢失：请填写完整的18位号码")
        return text
    text = text_of(raw)
    if column.kind == "text":
        return text
    if not text:
        return None
    if column.kind == "choice":
        options = lookups.choices[column.key]
        code = options.get(text) or options.get(text.lower())
        if code is None:
            labels = "、".join(str(label) for _c, label in column.choices)
            raise CellError(f"不是有效的选项，可选：{labels}")
        return code
    if column.kind == "cause":
        code = lookups.causes.get(text) or lookups.causes.get(text.lower())
        if code is None:
            raise CellError("不是已知的致贫原因（填写代码表中的名称或代码）")
        return code
    if column.kind == "causes":
        codes = []
        for part in re.split(r"[、,，;；/\s]+", text):
            if part:
                code = lookups.causes.get(part) or lookups.causes.get(part.lower())
                if code is None:
                    raise CellError(f"“{part}”不是已知的致贫原因（多个原因用顿号分隔）")
                codes.append(code)
        return sorted(set(codes))
    if column.kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError("应为整数") from None
        if number != number.to_integral_value():
            raise CellError("应为整数")
        return int(number)
    if column.kind == "decimal":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError("应为数字") from None
        if not number.is_finite():
            raise CellError("应为数字")
        return number.quantize(Decimal("0.01"))
    if column.kind == "bool":
        if text.lower() not in _BOOLEAN:
            raise CellError("应填“是”或“否”")
        return _BOOLEAN[text.lower()]
    if column.kind == "date":
        return _date(raw, text)
    raise AssertionError(column.kind)


def _date(raw, text: str) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) or re.fullmatch(r"\d{4,5}(\.0+)?", text):
        serial = float(raw if isinstance(raw, (int, float)) else text)
        if 1 <= serial < 2958466:  # Excel's serial day numbers (1900 date system)
            return _EXCEL_EPOCH + datetime.timedelta(days=int(serial))
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise CellError("不是有效的日期（如 1980-01-31）")
