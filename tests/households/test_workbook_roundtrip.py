"""An export read back: by openpyxl, as Excel shows it, and after LibreOffice opened and saved it
again (`soffice --headless --convert-to xlsx`), as a clerk's office suite would, by the import,
which changes nothing.

The round trip needs Debian's libreoffice-calc-nogui. Where `soffice` is missing it is skipped,
except where CI_REQUIRE_SOFFICE=1 (.ci/run sets it), where it fails."""

import datetime
import os
import shutil
import subprocess
import zipfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from common.actors import SYSTEM
from households import services, workbook
from households.layout import COLUMNS
from households.models import Helper, HelperAssignment, Household, Member, PovertyCause
from tests.factories import household, member, resident_id

HEADERS = [c.header for c in workbook.COLUMNS]

HOUSEHOLDS = 100
CONVERSION_TIMEOUT = 300  # seconds: LibreOffice's first start builds its profile, slowly on a busy machine


@pytest.fixture(scope="session")
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        if os.environ.get("CI_REQUIRE_SOFFICE") == "1":
            pytest.fail("CI needs LibreOffice for the export's round trip (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return path


def test_an_export_has_a_bold_frozen_header_numbers_dates_text_and_the_codes(village):
    household(village=village, number="F-1", income_per_capita=Decimal("2345.67"), phone="05986123456",
              other_causes=PovertyCause.objects.filter(code__in=["schooling", "lack_funds"]),
              members=[member(name="陈秀英", id_number="35042419700517008X")])
    book = load_workbook(BytesIO(workbook.export_households(Household.objects.all(), actor=SYSTEM, door="command",
                                                           filters={})))
    sheet, codes = book.worksheets
    assert book.sheetnames == ["贫困户家庭成员", "代码表"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == HEADERS
    assert all(c.font.b for c in sheet[1])
    cell = dict(zip(HEADERS, sheet[2], strict=True))
    assert (cell["人均纯收入（元）"].data_type, cell["人均纯收入（元）"].value) == ("n", 2345.67)
    assert cell["出生日期"].is_date and cell["出生日期"].value == datetime.datetime(1970, 5, 17)
    assert cell["出生日期"].number_format == "yyyy-mm-dd"
    assert [cell[h].value for h in ("公民身份号码", "联系电话", "村代码", "姓名", "其他致贫原因")] == [
        "35042419700517008X", "05986123456", "350424101201", "陈秀英", "因学、缺资金"]
    assert cell["识别年份"].value == 2014
    assert cell["住址"].value is None  # blank, not an empty string
    column = {h: cell[h].column_letter for h in HEADERS}
    assert sheet.column_dimensions[column["公民身份号码"]].width == pytest.approx(21, abs=1)
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists[f"{column['贫困户类别']}2"] == '"一般贫困户,有劳动能力的低保贫困户,无劳动能力的低保户,五保户"'
    assert lists[f"{column['性别']}2"] == '"男,女"'
    code_headers = [c.value for c in codes[1]]
    names = code_headers.index("主要致贫原因·名称") + 1
    assert [codes.cell(r, names).value for r in (2, 3)] == ["因病", "因残"]


def libreoffice_resave(soffice: str, source: Path, tmp: Path) -> bytes:
    """The workbook as LibreOffice Calc saves it again as xlsx. Each call has a profile of its own,
    so parallel test workers do not share (and lock) one."""
    out = tmp / "converted"
    command = [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx", "--outdir", str(out), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERSION_TIMEOUT, check=False)
    converted = out / source.name
    assert converted.exists(), f"LibreOffice wrote nothing (exit {done.returncode}): {done.stdout} {done.stderr}"
    return converted.read_bytes()


def registry(village, other_village) -> None:
    """A hundred households of one to five members, with what an export must carry through: Chinese
    text, amounts with cents, birth dates, several causes in one cell, digits kept as text (phone
    numbers with a leading 0, ID numbers ending in X), blank optional cells."""
    causes = list(PovertyCause.objects.order_by("code"))
    relations = ["spouse", "child", "parent", "grandchild"]
    for n in range(HOUSEHOLDS):
        category = ["ordinary", "dibao", "dibao_able", "wubao"][n % 4]
        size = 1 if category == "wubao" else 1 + n % 5
        head = member(name=f"户主{n}号", id_number=resident_id(birth=datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28)),
                      ethnicity="畲族" if n % 7 == 0 else "汉族", draws_dibao=category == "dibao",
                      draws_wubao=category == "wubao", labor="none" if category == "wubao" else "ordinary",
                      health=["healthy", "chronic", "disabled"][n % 3],
                      disability_certificate="35042419700101123X" if n % 3 == 2 else "")
        others = [member(name=f"成员{n}-{i}", relation=relations[i % 4],
                         id_number=resident_id(sex="female" if i % 2 else "male", birth=datetime.date(1990 + i, 6, 30)),
                         labor="none" if i % 2 else "weak", schooling="primary" if i % 2 else "not_in_school")
                  for i in range(size - 1)]
        h = household(
            village=village if n % 3 else other_village, number=f"RT-{n:03d}", category=category,
            standard="provincial" if n % 5 == 0 else "national", main_cause_id=causes[n % len(causes)].code,
            other_causes=[causes[(n + 1) % len(causes)], causes[(n + 4) % len(causes)]] if n % 2 else [],
            income_per_capita=Decimal(f"{2000 + n * 37}.{n % 100:02d}"), identified_year=2014 + n % 3,
            address=f"翠江镇城南村{n}号" if n % 4 else "", phone=f"0598-6{n:06d}" if n % 2 else "",
            members=[head, *others],
        )
        if n % 3:  # the helper: its phone a landline with a leading 0, its cell digits kept as text
            services.household_helper_set(actor=SYSTEM, household=h, name="林帮扶", unit="宁化县扶贫开发领导小组办公室",
                                          phone="059805981234")


def test_an_export_saved_again_by_libreoffice_imports_unchanged(places, soffice, tmp_path):
    registry(places.chengnan, places.chengbei)
    members = Member.objects.count()
    assert members >= 200  # a few hundred rows
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(workbook.export_households(Household.objects.all(), actor=SYSTEM, door="command", filters={}))

    data = libreoffice_resave(soffice, exported, tmp_path)

    with zipfile.ZipFile(exported) as before, zipfile.ZipFile(tmp_path / "converted" / exported.name) as after:
        assert b"LibreOffice" not in before.read("docProps/app.xml")
        assert b"LibreOffice" in after.read("docProps/app.xml")  # saved by LibreOffice, not copied
    assert _grid(data) == _grid(exported.read_bytes())  # LibreOffice changed no cell
    history = Household.history.count(), Member.history.count(), HelperAssignment.history.count(), Helper.history.count()
    assert _grid(data)[2][[c.key for c in COLUMNS].index("helper_phone")] == "059805981234"
    report = workbook.import_sheet(workbook.read_workbook(data), actor=SYSTEM)
    assert report.problems == []
    assert report.households == {"new": 0, "update": 0, "skip": HOUSEHOLDS}
    assert report.members == {"new": 0, "update": 0, "skip": members}
    assert (Household.history.count(), Member.history.count(), HelperAssignment.history.count(),
            Helper.history.count()) == history


def _grid(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python()
