"""The first sheet as python-calamine reads it (households/workbook/grid.py, container.py): where
its cells fall, looked at before the reader allocates the rectangle they span, however the sheet's
XML is written; a large sheet read in pieces gives the grid the whole sheet gives.

Every workbook is a real .xlsx (openpyxl's, its sheet XML rewritten where a case needs a form
openpyxl does not write), read by the real python-calamine."""

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from households import workbook
from households.workbook import container, grid


def rewritten(sheet_data: str, *, book: Workbook | None = None) -> bytes:
    """A workbook whose first sheet's <sheetData> is `sheet_data`."""
    book = book or Workbook()
    book.active["A1"] = 1
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>",
                                 b"<sheetData>" + sheet_data.encode() + b"</sheetData>", content, flags=re.S)
            target.writestr(entry.filename, content)
    return result.getvalue()


def whole(data: bytes):
    """The sheet as python-calamine reads it whole: the grid from A1 and its merged ranges."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or []


# Each places a cell where python-calamine allocates past the limits (column 201, or row 500,001),
# written in a form a spreadsheet program does not write: the check before this one looked for
# `<c r="…` only, and let every one of them through.
BEYOND = {
    "r after another attribute": ('<row r="1"><c s="0" r="GS1"><v>1</v></c></row>', "第 201 列"),
    "single quotes": ("<row r=\"1\"><c r='GS1'><v>1</v></c></row>", "第 201 列"),
    "spaces around =": ('<row r="1"><c r = "GS1"><v>1</v></c></row>', "第 201 列"),
    "a namespace prefix": ('<row r="1"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                           'r="GS1"><x:v>1</x:v></x:c></row>', "第 201 列"),
    "r repeated": ('<row r="1"><c r="A1" r="GS1"><v>1</v></c></row>', "第 201 列"),
    "r repeated after s": ('<row r="1"><c r="A1" s="0" r="GS1"><v>1</v></c></row>', "第 201 列"),
    "lower case": ('<row r="1"><c r="gs1"><v>1</v></c></row>', "第 201 列"),
    "a row without r": ('<row r="500000"><c r="A500000"><v>1</v></c></row><row><c><v>2</v></c></row>',
                        "第 500001 行"),
    "cells without r": ('<row r="1">' + "<c><v>1</v></c>" * 201 + "</row>", "第 201 列"),
    "an empty row, then rows without r": ('<row r="499999"/><row><c><v>1</v></c></row><row><c><v>1</v></c></row>',
                                          "第 500001 行"),
}


@pytest.mark.parametrize("case", BEYOND)
def test_a_cell_beyond_the_limits_is_refused_however_it_is_written(case):
    xml, where = BEYOND[case]
    data = rewritten(xml)
    row, column = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).end
    assert row >= container.MAX_ROWS or column >= container.MAX_COLUMNS  # the reader would allocate it
    with pytest.raises(workbook.WorkbookError, match=f"范围过大（用到了.*{where}"):
        workbook.read_workbook(data)


@pytest.mark.parametrize("xml", [
    '<row r="1"><c s="0" r="GR2"><v>1</v></c></row>',
    "<row r='2'><c r='gq2' t='n'><v>1</v></c><c><v>2</v></c></row>",
    '<row r="499999"/><row><c><v>1</v></c></row>',
    '<row r="1">' + "<c><v>1</v></c>" * 200 + "</row>",
])
def test_a_sheet_written_otherwise_within_the_limits_reads_as_the_reader_reads_it(xml):
    data = rewritten(xml)
    archive = container.check_container(data)
    with pytest.raises(container.Irregular):
        for _piece in container.checked_xml(archive, "xl/worksheets/sheet1.xml"):
            pass
    assert grid.read_grid(data, archive) == whole(data)  # the close look refused nothing


def test_cells_at_the_limits_in_the_usual_form_pass_without_the_close_look():
    data = rewritten('<row r="2"><c r="GR2" s="1" t="n"><v>1</v></c></row>'
                     '<row r="500000" spans="1:1"><c r="A500000"><v>1</v></c></row>')
    archive = container.check_container(data)
    assert b"".join(container.checked_xml(archive, "xl/worksheets/sheet1.xml")) == archive.read("xl/worksheets/sheet1.xml")


def test_the_first_sheet_is_found_as_the_reader_finds_it():
    """By the workbook's order of its sheets, not the archive's names."""
    book = Workbook()
    book.active["A1"] = "a"
    book.create_sheet("b")["A1"] = "b"
    source = zipfile.ZipFile(io.BytesIO(saved(book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/workbook.xml":  # sheet b (sheet2.xml) first
                content = re.sub(rb"(<sheet [^>]*/>)(<sheet [^>]*/>)", rb"\2\1", content)
            target.writestr(entry.filename, content)
    data = out.getvalue()
    assert whole(data)[0] == [["b"]]
    assert container.first_sheet(container.check_container(data)) == "xl/worksheets/sheet2.xml"
    assert container.first_sheet(container.check_container(saved(book))) == "xl/worksheets/sheet1.xml"


def large(rows: int = 1500) -> Workbook:
    """A sheet of the shape of a registry's, with what a cut between rows could get wrong: a title
    row, merged cells, blank rows, rows wider and narrower than others, dates, numbers, a last row
    with merged cells of its own."""
    book = Workbook()
    sheet = book.active
    sheet.append(["三明市建档立卡贫困户花名册"])
    sheet.merge_cells("A1:F1")
    sheet.append([c.header for c in workbook.COLUMNS if not c.read_only])
    for n in range(rows):
        if n % 97 == 0:
            sheet.append([])
            continue
        values = [f"H{n // 3:05d}", f"姓名{n}", datetime.date(1950, 1, 1) + datetime.timedelta(days=n), n % 7, None]
        if n % 211 == 0:
            values += [None] * 3 + ["远处的备注"]  # a wider row, in some pieces only
        sheet.append(values)
        if n % 3 == 0 and n % 97 and n + 2 < rows:
            sheet.merge_cells(f"A{sheet.max_row}:A{sheet.max_row + 2}")
    for _blank in range(40):
        sheet.append([])
    sheet.append(["合计", None, None, rows])
    return book


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_large_sheet_read_in_pieces_is_the_sheet_read_whole(db, monkeypatch):
    data = saved(large())
    archive = container.check_container(data)
    monkeypatch.setattr(grid, "PIECE", 4096)
    size = grid._piece_size(archive, "xl/worksheets/sheet1.xml")
    pieces = list(grid._cut(container.checked_xml(archive, "xl/worksheets/sheet1.xml"), size))
    assert len(pieces) > 10
    assert all(rows.startswith(b"<row ") for _head, rows, _end in pieces[1:])
    assert grid.read_grid(data, archive) == whole(data)
    # and the rows a clerk's import gets from it
    pieces_read = workbook.read_workbook(data)
    monkeypatch.setattr(grid, "PIECE", 1 << 30)
    assert [(r.number, r.values) for r in pieces_read.rows] == [(r.number, r.values) for r in workbook.read_workbook(data).rows]


def test_pieces_that_cannot_be_laid_out_as_the_sheet_are_read_whole(monkeypatch):
    """Rows written out of order: each piece alone places its rows, only the whole sheet knows
    that a later piece's rows come first."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"x" * 50}{n}</t></is></c></row>'
                   for n in [*range(500, 1000), *range(1, 500)])
    data = rewritten(rows)
    monkeypatch.setattr(grid, "PIECE", 4096)
    archive = container.check_container(data)
    assert grid._in_pieces(archive, "xl/worksheets/sheet1.xml", 4096) is None
    read, _merged = grid.read_grid(data, archive)
    assert read == whole(data)[0] and read[0] == ["x" * 50 + "1"]


def test_a_cell_beyond_the_limits_in_a_later_piece_is_refused(monkeypatch):
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 3000))
    data = rewritten(rows + '<row r="3000"><c r="GS3000"><v>1</v></c></row>')
    monkeypatch.setattr(grid, "PIECE", 4096)
    with pytest.raises(workbook.WorkbookError, match="第 201 列"):
        workbook.read_workbook(data)


def with_shared_strings(rows: int) -> bytes:
    """A sheet whose text cells point into the workbook's shared strings, as Excel writes them."""
    strings = [f"姓名{n}" for n in range(rows)]
    numbers = "".join(f'<c r="{c}{{n}}"><v>{{n}}</v></c>' for c in "BCDEFGHIJK")
    data = rewritten("".join(f'<row r="{n + 1}"><c r="A{n + 1}" t="s"><v>{n}</v></c>' + numbers.format(n=n + 1) + "</row>"
                             for n in range(rows)))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')
            if entry.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                          b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                          b'+xml"/></Types>')
            target.writestr(entry.filename, content)
        target.writestr("xl/sharedStrings.xml", (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>").encode())
    return out.getvalue()


def test_a_sheet_of_shared_strings_is_read_in_pieces_four_times_their_size(monkeypatch):
    """Each piece reads the workbook's shared strings again."""
    data = with_shared_strings(4000)
    archive = container.check_container(data)
    strings = archive.getinfo("xl/sharedStrings.xml").file_size
    monkeypatch.setattr(grid, "PIECE", 1024)
    size = grid._piece_size(archive, "xl/worksheets/sheet1.xml")
    assert size == 4 * strings
    pieces = list(grid._cut(container.checked_xml(archive, "xl/worksheets/sheet1.xml"), size))
    assert len(pieces) >= 2 and all(len(rows) < 2 * size for _head, rows, _end in pieces)
    read = grid.read_grid(data, archive)
    assert read == whole(data) and read[0][3999][:2] == ["姓名3999", 4000.0]
