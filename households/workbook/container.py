"""Is it a workbook at all, and where will its cells fall? The checks that refuse, with a reason a
clerk can act on, anything that is not a readable xlsx, before any reader allocates memory for it."""

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

# A workbook is refused before it is read when it could not be a county's registry: these bound
# the memory a crafted file (a "zip bomb", a cell placed at XFD1048576) can make the reader take.
MAX_UNZIPPED_BYTES = 1 << 30
MAX_ROWS = 500_000
MAX_COLUMNS = 200
CHUNK = 1 << 22  # a worksheet's XML is looked at in pieces of this size, never whole


class WorkbookError(Exception):
    """The file as a whole cannot be read: nothing was imported. The message is for the clerk."""


def check_container(data: bytes) -> zipfile.ZipFile:
    """The archive, once it is an xlsx of a sane size. Where its cells fall is looked at as each
    sheet is read (check_extent, checked_xml)."""
    if not data:
        raise WorkbookError("文件是空的")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # Compound File: an old .xls, or an .xlsx encrypted with a password to open.
        raise WorkbookError("工作簿设置了打开密码，或是旧版 .xls 文件：请取消密码并另存为 .xlsx 后重试")
    if not data.startswith(b"PK"):
        kind = "PDF 文件" if data.startswith(b"%PDF") else "文本（CSV）文件" if _looks_like_text(data) else "未知格式"
        raise WorkbookError(f"这不是 Excel .xlsx 工作簿（看起来是{kind}），请另存为 .xlsx 后重试")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as e:
        raise WorkbookError("文件已损坏，无法作为 .xlsx 工作簿打开") from e
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise WorkbookError("这是一个压缩文件，但不是 Excel .xlsx 工作簿")
    if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise WorkbookError("工作簿解压后超过 1 GiB，不像一个县的建档立卡表，已拒绝")
    return archive


def first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The entry python-calamine reads as the first sheet, found as it finds it (the workbook part
    named by _rels/.rels, its first <sheet>, that sheet's relationship); None where the archive
    does not say it plainly."""
    try:
        package = _xml(archive, "_rels/.rels")
        target = next(r.get("Target") for r in package if r.get("Type", "").endswith("/relationships/officeDocument"))
        base = target.lstrip("/").rpartition("/")[0]
        base = f"{base}/" if base else ""
        book = _xml(archive, f"{base}workbook.xml")
        sheet = next(e for e in book.iter() if e.tag.rpartition("}")[2] == "sheet")
        rel = [v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"][-1]  # the last, as it takes
        target = {r.get("Id"): r.get("Target") for r in _xml(archive, f"{base}_rels/workbook.xml.rels")}[rel]
    except (KeyError, IndexError, StopIteration, AttributeError, TypeError, ElementTree.ParseError):
        return None
    name = target[1:] if target.startswith("/") else f"{base}{target}"
    return name if name == posixpath.normpath(name) and name in archive.NameToInfo else None


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    if archive.getinfo(name).file_size > CHUNK:  # a workbook's parts list is a few kilobytes
        raise KeyError(name)
    return ElementTree.fromstring(archive.read(name))


def worksheets(archive: zipfile.ZipFile, first: str | None) -> list[str]:
    """The entries whose cells are looked at: every worksheet, and where the first sheet could not
    be told (first_sheet), every XML part."""
    return sorted({e.filename for e in archive.infolist() if e.filename.endswith(".xml")
                   and (first is None or e.filename.startswith("xl/worksheets/"))} | ({first} if first else set()))


class Irregular(Exception):
    """A worksheet whose cells are not all written as Excel writes them (checked_xml)."""


# python-calamine places a cell by its <c>'s r attribute (the last one among its first r, s and t),
# else after the cell before it in the row; a row by its <row>'s r, else after the row before it; it
# reads empty elements (<c r="XFD1"/>) as cells, and tags with any namespace prefix. Spreadsheet
# programs write every cell as <c r="A1"> with s and t only and every row as <row r="1">: those
# are read by two regular expressions that pass over millions of ordinary cells without a Python
# step each (the engine finds their literal starts by a fast search). A cell or row written
# otherwise, or placed beyond the limits (MAX_COLUMNS = 200 is column GR), stops them: then every
# tag is followed as the reader follows it (check_exactly), which refuses only what is beyond.
_NEAR_ROW = rb'(?:[1-9][0-9]{0,4}|[1-4][0-9]{5}|500000)"'
_ODD_CELL = re.compile(rb'<c[\s>](?!r="(?:[A-F]?[A-Z]|G[A-R])' + _NEAR_ROW + rb'(?:\s+[st]="[^"]*")*\s*/?>)')
_ODD_ROW = re.compile(rb'<row[\s>](?!r="' + _NEAR_ROW + rb')')
_PREFIXED = re.compile(rb':(?:c|row)[\s/>]')
_LOOKAHEAD = 400  # bytes a match needs after its start to be decided (a cell's start tag, s and t included)


def checked_xml(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The entry's XML a piece at a time, each piece once every cell and row in it is written plainly
    within the limits; Irregular at the first that is not (then check_exactly decides)."""
    with archive.open(name) as stream:
        held = b""
        while chunk := stream.read(CHUNK):
            block = held + chunk
            for pattern in (_ODD_CELL, _ODD_ROW, _PREFIXED):
                found = pattern.search(block)
                if found and found.start() < len(block) - _LOOKAHEAD:
                    raise Irregular(name)
            # The end is decided with the next piece, when the tags it cuts are whole.
            held = block[-_LOOKAHEAD:]
            yield block[:-_LOOKAHEAD]
        for pattern in (_ODD_CELL, _ODD_ROW, _PREFIXED):
            if pattern.search(held):
                raise Irregular(name)
        yield held


def check_extent(archive: zipfile.ZipFile, name: str) -> None:
    """Refused when a cell of the worksheet falls beyond the limits."""
    try:
        for _piece in checked_xml(archive, name):
            pass
    except Irregular:
        check_exactly(archive, name)


_TAG = re.compile(rb"""<(/?)(?:[A-Za-z_][\w.\-]*:)?(c|row)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")


def check_exactly(archive: zipfile.ZipFile, name: str) -> None:
    """Every cell placed as python-calamine places it (see _ODD_CELL): a step for each tag, seconds
    for a whole city's sheet, taken only for a sheet not written as spreadsheet programs write."""
    row = column = 0  # where the next row and the next cell fall
    with archive.open(name) as stream:
        rest = b""
        while chunk := stream.read(CHUNK):
            block, end = rest + chunk, 0
            for tag in _TAG.finditer(block):
                end = tag.end()
                closing, kind, attributes = tag.groups()
                empty = attributes.endswith(b"/")
                if kind == b"row":
                    if not closing:
                        row = _row_of(attributes, row)
                    if closing or empty:
                        row, column = row + 1, 0
                    continue
                if closing:
                    continue
                at_row, column = _cell_of(attributes, row, column)
                if at_row >= MAX_ROWS or column >= MAX_COLUMNS:
                    raise WorkbookError(f"工作表的范围过大（用到了第 {at_row + 1} 行、第 {column + 1} 列），"
                                        f"最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列")
                column += 1
            rest = block[end:]


def _row_of(attributes: bytes, row: int) -> int:
    for key, double, single in _ATTRIBUTE.findall(attributes):
        if key == b"r":
            ref = _REF.fullmatch(double or single)
            return int(ref[2]) - 1 if ref else row  # a reference the reader cannot read, it refuses
    return row


def _cell_of(attributes: bytes, row: int, column: int) -> tuple[int, int]:
    ref, found = None, 0
    for key, double, single in _ATTRIBUTE.findall(attributes):
        if key in (b"r", b"s", b"t"):  # it stops at the third of them, repeated ones counted
            found += 1
            if key == b"r":
                ref = double or single
            if found == 3:
                break
    if ref is None:
        return row, column
    parts = _REF.fullmatch(ref)
    if parts is None or not parts[1]:
        return row, column  # the reader refuses it
    letters = 0
    for letter in parts[1].upper().decode():
        letters = letters * 26 + ord(letter) - 64
    return int(parts[2]) - 1, letters - 1


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:2000].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:2000].decode("gb18030")
        except UnicodeDecodeError:
            return False
    return True
