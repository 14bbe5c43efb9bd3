"""The printed documents through their API routes, read back as a person would read the paper
(pdftotext) and as a printer would get it (pdffonts: the CJK font embedded)."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from households.models import ExportLog
from jobs.models import Job, JobState
from plans.figures import canonical_json, close_figures, sha256
from tests.conftest import NINGHUA, api_as

from .conftest import EMPTY_FONTCONFIG, ID_APPLICANT, ID_CHILD, ID_HEAD, ID_SPOUSE
from .pdf import FONT_NAME, assert_valid_pdf, pdf_pages, pdffonts, pdftotext

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/documents/"
WHOLE_ID = re.compile(r"\d{17}[\dX]")
MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX]")


def urls(w) -> dict[str, str]:
    village, township = w.places.chengnan.code, w.places.cuijiang.code
    return {
        "card": f"{DOCS}households/{w.one.pk}/card.pdf",
        "handbook": f"{DOCS}households/{w.one.pk}/handbook.pdf",
        "notice_list": f"{DOCS}notice-list.pdf?kind=identification&step=village_notice&village={village}",
        "exit_notice_list": f"{DOCS}notice-list.pdf?kind=exit&step=village_notice&village={village}",
        "township_list": f"{DOCS}notice-list.pdf?kind=identification&step=village_notice&township={township}",
        "announcement": f"{DOCS}announcement.pdf?county={NINGHUA}&kind=identification",
        "exit_announcement": f"{DOCS}announcement.pdf?county={NINGHUA}&kind=exit&year=2016",
        "close": f"{DOCS}closes/{NINGHUA}-2016.pdf",
    }


@pytest.fixture(scope="module")
def printed(world) -> dict[str, bytes]:
    """Each document as the 宁化 clerk prints it, rendered once for the module."""
    client = api_as(world.clerk)
    answers = {}
    for name, url in urls(world).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.content[:300])
        assert response["Content-Type"] == "application/pdf"
        answers[name] = response.content
    return answers


@pytest.fixture(scope="module")
def text(printed) -> dict[str, str]:
    return {name: pdftotext(content) for name, content in printed.items()}


@pytest.mark.parametrize("name", ["card", "handbook", "notice_list", "exit_notice_list", "township_list",
                                  "announcement", "exit_announcement", "close"])
def test_each_document_is_a_pdf_in_the_embedded_cjk_font_with_its_print_date_and_printer(printed, text, name):
    assert_valid_pdf(printed[name])
    assert "打印日期：" in text[name] and "打印人：clerk_ninghua" in text[name]
    assert re.search(r"打印日期：20\d\d-\d\d-\d\d", text[name])


def test_the_card_is_one_page_with_head_members_causes_measures_helper_and_policies(printed, text):
    card = text["card"]
    assert pdf_pages(printed["card"]) == 1
    for expected in ("帮扶明白卡", "NH-001", "王大山", "李小花", "王小明", "一般贫困户", "因病", "缺资金",
                     "2016年帮扶措施", "大病救助", "担保贷款：宁化县扶贫担保基金担保", "林帮扶", "宁化县财政局",
                     "13812345678", "九个一批", "医疗救助一批", "金融扶持一批", "自2016-07-01起"):
        assert expected in card, expected
    assert "陈旧" not in card  # the helper before: the card names the current one


def test_the_handbook_holds_the_households_story(text):
    book = text["handbook"]
    for expected in ("扶贫手册", "NH-001", "城南村一组8号", "王大山", "李小花", "王小明", "1968-04-02", "因病",
                     "缺资金", "大病救助", "担保贷款", "15000.00", "5000.00", "2952.00", "高于贫困线", "脱贫", "返贫",
                     "因灾返贫", "2016-06-30", "2016-07-01", "至今", "工作调动"):
        assert expected in book, expected
    assert book.index("陈旧") < book.index("林帮扶")  # the helpers in the order they were assigned


def test_a_clerk_reads_id_numbers_masked_and_never_whole(text):
    for name in ("card", "handbook"):
        assert not WHOLE_ID.search(text[name]), name
        for whole in (ID_HEAD, ID_SPOUSE, ID_CHILD):
            assert f"{whole[:6]}********{whole[-4:]}" in text[name]


def test_a_notice_list_lists_exactly_the_cases_waiting_on_that_step_and_no_id_number(text):
    village = text["notice_list"]
    assert "赵一" in village and "城南村" in village and "村公示" in village
    # 钱二 is a step short, 孙三 of another village, 周四 at another notice, NH-002 another kind.
    for absent in ("钱二", "孙三", "周四", "NH-002"):
        assert absent not in village, absent
    assert "2016年3月9日至2016年3月16日" in village and "2016-03-09至2016-03-16" in village
    assert "公示期内如有异议" in village and "村民委员会（盖章）" in village and "负责人签字" in village
    exits = text["exit_notice_list"]
    assert "NH-002" in exits and "赵孤老" in exits and "无劳动能力的低保户" in exits and "赵一" not in exits
    assert "经入户核实、本户签字认可" in exits and "经村民代表评议" in village
    township = text["township_list"]
    assert "赵一" in township and "孙三" in township and "钱二" not in township
    for name in ("notice_list", "exit_notice_list", "township_list", "announcement"):
        assert not WHOLE_ID.search(text[name]) and not MASKED_ID.search(text[name]), name
        assert ID_APPLICANT[:6] + "*" not in text[name] and ID_APPLICANT not in text[name]


def test_the_county_announcement_names_the_cases_it_decided(world, text):
    announcement = text["announcement"]
    assert "公" in announcement and "宁化县扶贫开发领导小组办公室" in announcement and "县审定" in announcement
    assert "周四" in announcement and "赵一" not in announcement
    exits = text["exit_announcement"]
    closed_on = world.out.steps.get(state="closed").on
    assert "NH-003" in exits and "吴三" in exits and "县审批、脱贫销号" in exits and f"{closed_on:%Y-%m-%d}" in exits
    assert "NH-002" not in exits and "周四" not in exits  # still at 村公示; another kind
    assert not WHOLE_ID.search(exits) and not MASKED_ID.search(exits)


def test_the_close_shows_its_state_figures_and_their_hash(world, text):
    close = text["close"]
    figures = close_figures(county=NINGHUA, year=2016)
    assert "宁化县" in close and "2016年度" in close and "未提交" in close and "当前数据（尚未锁定）" in close
    assert sha256(canonical_json(figures)) in close.replace("\n", "")
    assert "progress.quota" in close and "减贫任务（人）" in close


def test_a_card_carries_the_qr_code_of_its_households_page_in_the_registry(world):
    from documents import render, services

    expected = f"{settings.REGISTRY_URL}/dashboard/household/{world.one.pk}/"
    assert services.household_url(world.one) == expected
    markup = services.card_html(world.one, actor=world.clerk, on=datetime.date(2026, 12, 3))
    assert render.qr_svg(expected) in markup and "<svg" in markup
    assert "打印日期：2026-12-03" in markup


def test_printing_is_logged_like_an_export(world, printed):
    logged = ExportLog.objects.filter(user=world.clerk, kind__startswith="print.")
    kinds = sorted(logged.values_list("kind", flat=True))
    assert kinds.count("print.card") == 1 and kinds.count("print.handbook") == 1
    assert kinds.count("print.notice_list") == 3 and kinds.count("print.announcement") == 2 and "print.close" in kinds
    card = logged.get(kind="print.card")
    assert card.filters["household"] == "NH-001" and card.rows == 1 and card.full_id_numbers is False


def test_a_superuser_reads_whole_id_numbers_and_the_log_says_so(world):
    admin = get_user_model().objects.create_superuser("printer_admin", password="x")
    response = api_as(admin).get(urls(world)["card"])
    assert ID_HEAD in pdftotext(response.content)
    assert ExportLog.objects.get(user=admin, kind="print.card").full_id_numbers is True


def test_another_countys_clerk_finds_nothing_to_print(world):
    client = api_as(world.other)
    for name, url in {**urls(world), "village-cards": None}.items():
        if url is None:
            response = client.post(f"{DOCS}village-cards/", {"village": world.places.chengnan.code})
        else:
            response = client.get(url)
        assert response.status_code == 404, name
    assert not ExportLog.objects.filter(user=world.other).exists()
    assert not Job.objects.filter(user=world.other).exists()


def test_a_step_that_is_no_notice_of_the_kind_or_no_place_is_refused_naming_the_field(world):
    client = api_as(world.clerk)
    village = world.places.chengnan.code
    refused = client.get(f"{DOCS}notice-list.pdf?kind=exit&step=township_notice&village={village}")
    assert refused.status_code == 400 and "step" in refused.json()
    unplaced = client.get(f"{DOCS}notice-list.pdf?kind=exit&step=village_notice")
    assert unplaced.status_code == 400 and "village" in unplaced.json()
    unknown = client.get(f"{DOCS}households/{world.one.pk}/card.pdf?colour=red")
    assert unknown.status_code == 400


def test_a_villages_cards_are_one_job_making_a_pdf_of_a_page_a_household(world):
    client = api_as(world.clerk)
    started = client.post(f"{DOCS}village-cards/", {"village": world.places.chengnan.code})
    assert started.status_code == 202, started.content
    job = Job.objects.get(pk=started.json()["id"])
    assert job.state == JobState.DONE, job.error
    assert job.outcome == {"households": 2} and job.done == job.total == 2
    result = client.get(started.json()["result"])
    content = b"".join(result.streaming_content)
    assert_valid_pdf(content)
    assert pdf_pages(content) == 2
    cards = pdftotext(content)
    assert cards.count("帮扶明白卡") >= 2 and "NH-001" in cards and "NH-002" in cards and "赵孤老" in cards
    assert "DT-001" not in cards
    assert ExportLog.objects.get(user=world.clerk, kind="print.village_cards").rows == 2


def test_a_document_needs_no_font_installed_on_the_server(tmp_path):
    """Rendered in a process whose fontconfig knows no font at all: the vendored font is embedded."""
    out = tmp_path / "empty.pdf"
    script = ("import django; django.setup(); from documents import render; import sys; "
              "open(sys.argv[1], 'wb').write(render.pdf('<style>' + render.font_face() + "
              "' html { font-family: \"Noto Sans SC\"; }</style><p>贫困户识别公示名单 宁化县 2016</p>'))")
    env = {**os.environ, "FONTCONFIG_FILE": str(EMPTY_FONTCONFIG), "DJANGO_SETTINGS_MODULE": "sanming_fupin.settings",
           "DEBUG": "1"}
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, cwd=settings.BASE_DIR,
                   capture_output=True)
    content = out.read_bytes()
    assert FONT_NAME in pdffonts(content)
    assert "贫困户识别公示名单 宁化县 2016" in pdftotext(content)
