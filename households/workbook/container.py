"""Is it a workbook at all? The checks that refuse, with a reason a clerk can act on, anything that
is not a readable xlsx, before any reader allocates memory for it."""

import io
import re
import zipfile
from itertools import chain

# A workbook is refused before it is read when it could not be a county's registry: these bound
# the memory a crafted file (a "zip bomb", a cell placed at XFD1048576) can make the reader take.
MAX_UNZIPPED_BYTES = 1 << 30
MAX_ROWS = 500_000
MAX_COLUMNS = 200


class WorkbookError(Exception):
    """The file as a whole cannot be read: nothing was imported. The message is for the clerk."""


def check_container(data: bytes) -> None:
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
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise WorkbookError("这是一个压缩文件，但不是 Excel .xlsx 工作簿")
    if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise WorkbookError("工作簿解压后超过 1 GiB，不像一个县的建档立卡表，已拒绝")
    for entry in entries:
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            _check_extent(archive, entry.filename)


# A reference beyond the limits, or in a row from 500,000 on: the regular expressions pass over
# the millions of ordinary cells without a Python step each (MAX_COLUMNS = 200 is column GR).
# Row elements are looked at too, as their cells need not name themselves. One expression for cells
# and one for rows, each starting with its literal tag, which the engine finds by a fast search:
# one expression for both started at every "<" and took half again as long.
_FAR_CELL = re.compile(rb'<c r="(?:[A-Z]{3}|[H-Z][A-Z]|G[S-Z]|[A-Z]{1,3}(?:[5-9][0-9]{5}|[0-9]{7}))')
_FAR_ROW = re.compile(rb'<row r="(?:[5-9][0-9]{5}|[0-9]{7})')
_REF = re.compile(rb'<(?:c|row) r="([A-Z]*)([0-9]+)"')


def _check_extent(archive: zipfile.ZipFile, name: str) -> None:
    """A cell placed far away makes the reader allocate the whole rectangle: look before reading."""
    with archive.open(name) as stream:
        tail = b""
        while chunk := stream.read(1 << 22):
            block = tail + chunk
            for found in chain(_FAR_CELL.finditer(block), _FAR_ROW.finditer(block)):
                ref = _REF.match(block, found.start())
                if ref is None:
                    continue  # cut at the end of the block: read again with the next one
                columns = 0
                for letter in ref[1].decode():
                    columns = columns * 26 + ord(letter) - 64
                if columns > MAX_COLUMNS or int(ref[2]) > MAX_ROWS:
                    raise WorkbookError(f"工作表的范围过大（用到了第 {int(ref[2])} 行、第 {max(columns, 1)} 列），"
                                        f"最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列")
            tail = block[-40:]


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:2000].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:2000].decode("gb18030")
        except UnicodeDecodeError:
            return False
    return True
