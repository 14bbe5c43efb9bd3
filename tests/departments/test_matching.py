"""The department lists matched against the registry (issue 22): on a registry of two counties with
lists made to disagree in known ways, each check names exactly the planted people, per county, and
nothing else; an explained finding is counted apart and stays explained after a new upload."""

import datetime

import pytest
from django.urls import reverse

from common.actors import SYSTEM
from departments.checks import KIND_OF
from households.audit import counts_by_county, run_audit
from households.models import Member
from households.services import household_remove
from plans.close_selectors import explained_by_county, with_explanations
from plans.closes import finding_explain
from tests.conftest import DATIAN, NINGHUA
from tests.departments.lists import build, upload
from tests.factories import resident_id

STRANGER = resident_id(prefix="350402")  # on every list, in no household: never a finding


@pytest.fixture
def world(places, settings):
    settings.AUDIT_LIST_PAYROLL = settings.AUDIT_LIST_VEHICLES = settings.AUDIT_LIST_COMPANIES = True
    w = build(places)
    p = w.p
    upload("dibao", [p["甲"], p["丙"], p["己"], STRANGER])
    upload("wubao", [p["庚"], p["壬"], STRANGER])
    upload("disability", [p["丁"], p["戊"], p["庚"], STRANGER])
    upload("students", [p["丑"], STRANGER])
    upload("deaths", [p["乙"], STRANGER], third=datetime.date(2018, 1, 5))
    upload("payroll", [p["丙"], STRANGER], third="三明市财政局")
    upload("vehicles", [p["辛"], STRANGER], third="闽G12345")
    upload("companies", [p["子"], STRANGER], third="宁化某贸易公司")
    return w


def found(**kwargs) -> set[tuple[str, str, str, str]]:
    return {(f.check, f.county, f.household_number, Member.objects.get(pk=f.member).name)
            for f in run_audit(checks=list(KIND_OF), **kwargs)}


PLANTED = {
    ("list_dibao_not_listed", NINGHUA, "N1", "乙"),  # draws 低保, not on the list
    ("list_dibao_not_marked", NINGHUA, "N2", "丙"),  # on it, registered, not marked (己: exited, not named)
    ("list_wubao_not_listed", DATIAN, "D2", "辛"),
    ("list_wubao_not_marked", DATIAN, "D3", "壬"),  # (庚: exited, not named)
    ("list_disability_not_listed", NINGHUA, "N2", "丁"),  # 残疾, not on the list: not so, 丁 is on it
    ("list_disability_not_marked", NINGHUA, "N2", "戊"),
    ("list_disability_not_marked", DATIAN, "D1", "庚"),
    ("list_student_not_listed", DATIAN, "D3", "子"),  # junior school, not on the list (丑 is)
    ("list_dead_in_roster", NINGHUA, "N1", "乙"),
    ("list_on_payroll", NINGHUA, "N2", "丙"),
    ("list_owns_vehicle", DATIAN, "D2", "辛"),
    ("list_owns_company", DATIAN, "D3", "子"),
}
PLANTED.remove(("list_disability_not_listed", NINGHUA, "N2", "丁"))


def test_each_check_names_exactly_the_planted_people(world):
    assert found() == PLANTED


def test_a_disabled_member_off_the_list_is_named(world):
    upload("disability", [world.p["戊"]], on=datetime.date(2018, 7, 1))  # the latest list: 丁 left off
    names = {(c, n) for c, _county, _h, n in found() if c.startswith("list_disability")}
    assert names == {("list_disability_not_listed", "丁"), ("list_disability_not_marked", "戊")}


def test_counts_per_county_and_check(world):
    counts = {row["county"]: row["checks"] for row in counts_by_county(run_audit(checks=list(KIND_OF)))}
    assert counts == {
        NINGHUA: {"list_dibao_not_listed": 1, "list_dibao_not_marked": 1, "list_disability_not_marked": 1,
                  "list_dead_in_roster": 1, "list_on_payroll": 1},
        DATIAN: {"list_wubao_not_listed": 1, "list_wubao_not_marked": 1, "list_disability_not_marked": 1,
                 "list_student_not_listed": 1, "list_owns_vehicle": 1, "list_owns_company": 1},
    }


def test_one_county_only(world):
    assert found(county=DATIAN) == {f for f in PLANTED if f[1] == DATIAN}


def test_the_latest_list_by_its_date_is_matched(world):
    upload("dibao", [world.p["甲"]], on=datetime.date(2017, 1, 1))  # an older list, uploaded later
    assert {f for f in found() if f[0].startswith("list_dibao")} == {f for f in PLANTED if f[0].startswith("list_dibao")}
    upload("dibao", [world.p["甲"], world.p["乙"]], on=datetime.date(2018, 12, 31))
    assert {f for f in found() if f[0].startswith("list_dibao")} == set()


def test_exclusion_rules_are_off_until_the_bureau_switches_them_on(world, settings):
    settings.AUDIT_LIST_PAYROLL = settings.AUDIT_LIST_VEHICLES = settings.AUDIT_LIST_COMPANIES = False
    exclusions = {"list_on_payroll", "list_owns_vehicle", "list_owns_company"}
    assert found() == {f for f in PLANTED if f[0] not in exclusions}


def test_a_death_recorded_after_the_lists_date_is_still_named(world):
    from households.services import member_change_record

    p = world.p
    member_change_record(actor=SYSTEM, household=world.n1, kind="death", date=datetime.date(2018, 2, 1),
                         member=p["乙"])
    deaths = {f for f in found() if f[0] == "list_dead_in_roster"}
    assert deaths == {("list_dead_in_roster", NINGHUA, "N1", "乙")}
    detail = next(f.detail for f in run_audit(checks=["list_dead_in_roster"]))
    assert "2018-01-05死亡" in detail and "2018-02-01" in detail


def test_a_removed_household_is_never_named(world):
    household_remove(actor=SYSTEM, household=world.n2, reason="识别不准")
    assert {f for f in found() if f[2] == "N2"} == set()


def test_no_list_of_a_kind_no_findings(places):
    build(places)
    assert found() == set()


def test_an_explained_finding_is_counted_apart_and_survives_a_new_upload(world, ninghua_clerk):
    target = f"member:{world.p['乙'].pk}"
    finding_explain(actor=ninghua_clerk, check_code="list_dibao_not_listed", county=NINGHUA, year=2018,
                    target=target, reason="乙已于2018年停发低保，待民政更新名单")

    def explained():
        findings = with_explanations([f.as_dict() for f in run_audit(checks=list(KIND_OF))], user=ninghua_clerk)
        return ({(f["check"], f["target"]) for f in findings if f["explanation"]}, explained_by_county(findings),
                len(findings))

    assert explained() == ({("list_dibao_not_listed", target)}, {NINGHUA: 1}, len(PLANTED))
    upload("dibao", [world.p["甲"], world.p["丙"]], on=datetime.date(2018, 9, 30))  # the list uploaded again
    assert explained() == ({("list_dibao_not_listed", target)}, {NINGHUA: 1}, len(PLANTED))


def test_the_data_quality_page_lists_them_with_their_counts(world, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    page = client.get(reverse("dashboard:audit"))
    rows = {(r["check"], r["household"]) for r in page.context["tables"]["findings"].rows
            if str(r["check"]).startswith(("享受", "在", "登记", "死亡", "家庭成员"))}
    assert {("享受低保但不在最新低保名单中", "N1"), ("在低保名单中但未登记享受低保", "N2"), ("死亡名单中的人仍在户中", "N1"),
            ("家庭成员为财政供养人员", "N2")} <= rows
    assert not {h for _c, h in rows} - {"N1", "N2"}  # 宁化's only
    counts = page.context["tables"]["counts"].rows
    assert [r["list_dibao_not_listed"] for r in counts] == [1]
