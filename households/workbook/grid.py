"""The first sheet's cells as python-calamine reads them, after the container's checks: a large
sheet read in pieces on two cores.

python-calamine reads a sheet on one core without Python's lock (1.7 s of a whole city's 2.2 s),
then hands it over as Python values (the rest). A sheet of more than two pieces' size is cut
between rows as its XML is inflated and checked; each piece, with the sheet's head and an end, is
a workbook of its own for a reader thread, while the next piece is checked: the city's sheet is
read in 1.9 s instead of 2.8 s, its extent check included, where python-calamine alone takes
2.1 s (BENCHMARKS.md). The pieces' grids are laid out as the whole sheet's would be; anything the
pieces cannot say as the whole would (a sheet not cut between rows with r, rows out of order, a
piece the reader refuses) is read whole."""

import io
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor

from python_calamine import CalamineSheet, CalamineWorkbook

from .container import Irregular, WorkbookError, check_exactly, check_extent, checked_xml, first_sheet, worksheets

PIECE = 1 << 23  # bytes of a sheet's XML a piece; each piece reads the shared strings again (see _piece_size)
_OPEN, _CLOSE = b"<sheetData>", b"</sheetData>"
_BARE_END = b"</sheetData></worksheet>"


def read_grid(data: bytes, archive: zipfile.ZipFile) -> tuple[list[list], list]:
    """The first sheet as rows of cells from A1 (a blank cell ''), and its merged ranges."""
    first = first_sheet(archive)
    size = _piece_size(archive, first)
    for name in worksheets(archive, first):
        if not (size and name == first):  # the first sheet in pieces is checked as it is cut
            check_extent(archive, name)
    if size:
        try:
            read = _in_pieces(archive, first, size)
        except Irregular:
            check_exactly(archive, first)
            read = None
        if read is not None:
            return read
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []
    except Exception as e:  # the reader's own errors carry no message a clerk could act on
        raise WorkbookError(f"无法读取该工作簿（{type(e).__name__}），请用 Excel 或 WPS 另存为 .xlsx 后重试") from e


def _piece_size(archive: zipfile.ZipFile, name: str | None) -> int | None:
    """A piece's size for this sheet, None for a sheet read whole: each piece reads the shared
    strings again, so a piece is at least four times theirs."""
    if name is None:
        return None
    strings = sum(e.file_size for e in archive.infolist() if e.filename.lower().endswith("sharedstrings.xml"))
    size = max(PIECE, 4 * strings)
    return size if archive.getinfo(name).file_size >= 2 * size else None


def _in_pieces(archive: zipfile.ZipFile, name: str, size: int) -> tuple[list[list], list] | None:
    """The sheet read in pieces (Irregular as checked_xml raises it), None where it must be read whole."""
    # The workbook's parts but its sheets and pictures, which a piece's reader never opens.
    parts = {e.filename: archive.read(e.filename) for e in archive.infolist()
             if e.filename != name and not e.filename.startswith(("xl/worksheets/", "xl/media/"))}
    with ThreadPoolExecutor(2, thread_name_prefix="sheet-piece") as pool:
        futures: list[Future] = []
        try:
            for head, rows, end in _cut(checked_xml(archive, name), size):
                futures.append(pool.submit(_read_piece, parts, name, head, rows, end))
        except _Uncut:
            return None
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return _laid_out(futures)


class _Uncut(Exception):
    pass


def _cut(xml, size: int):
    """(head, rows, end) pieces of the sheet's XML, cut before a row of about `size` bytes each: the
    sheet's head to <sheetData>, some rows, and a bare end or, for the last, the sheet's own (with
    its merged cells). _Uncut, once the whole sheet has been checked, where it cannot be cut."""
    head, held, uncut = None, [], False
    for piece in xml:
        held.append(piece)
        if uncut or sum(map(len, held)) < size:
            continue
        text = b"".join(held)
        if head is None:
            start = text.find(_OPEN)
            if start < 0:
                uncut, held = True, []
                continue
            head, text = text[:start + len(_OPEN)], text[start + len(_OPEN):]
        # checked_xml wrote every row as <row r="…">: a piece ends before the first row past its size.
        rows_end = text.find(_CLOSE) % (len(text) + 1)  # (the end of the text while none)
        while (cut := text.find(b"<row ", size, rows_end)) > 0:
            yield head, text[:cut], _BARE_END
            text, rows_end = text[cut:], rows_end - cut
        held = [text]
        if rows_end == len(text) and len(text) > 4 * size:  # no "<row " to cut at (a tab after "<row"?)
            uncut, held = True, []
    text = b"".join(held)
    end = text.rfind(_CLOSE)
    if uncut or head is None or end < 0:
        raise _Uncut
    yield head, text[:end], text[end:]


def _read_piece(parts: dict[str, bytes], name: str, head: bytes, rows: bytes, end: bytes) -> CalamineSheet:
    """A piece as a workbook of its own (stored, not compressed), read in a worker thread."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as piece:
        for part, content in parts.items():
            piece.writestr(part, content)
        piece.writestr(name, b"".join((head, rows, end)))
    return CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0)


def _laid_out(futures: list[Future]) -> tuple[list[list], list] | None:
    """The pieces' cells as the whole sheet's grid: the first piece from A1, each later one from its
    first cell (python-calamine's `start`), blank rows between, every row as wide as the widest."""
    pieces: list[tuple[int, int, list[list]]] = []  # (top row, left column, rows)
    try:
        for index, future in enumerate(futures):
            sheet = future.result()
            if sheet.start is None:
                continue  # blank rows only
            top, left = (0, 0) if index == 0 else sheet.start
            if pieces and top < pieces[-1][0] + len(pieces[-1][2]):
                return None  # rows out of order: only the whole sheet places them
            pieces.append((top, left, sheet.to_python(skip_empty_area=index > 0)))
        merged = futures[-1].result().merged_cell_ranges or []  # the last piece ends as the sheet does
    except Exception:  # the reader's own error: read whole, which says it
        return None
    width = max((left + len(rows[0]) for _top, left, rows in pieces if rows), default=0)
    grid: list[list] = []
    for top, left, rows in pieces:
        grid.extend([""] * width for _blank in range(top - len(grid)))
        if left == 0 and len(rows[0]) == width:
            grid.extend(rows)
        else:
            grid.extend([*[""] * left, *row, *[""] * (width - left - len(row))] for row in rows)
    return grid, merged
