"""The data-quality checks: a clean registry finds nothing; each check is tripped exactly once by a
registry built for it (written around the services where they would refuse the record)."""

import datetime
import io
import itertools
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.audit import CHECKS, run_audit
from households.models import ExitRecord, Household, Member, MemberChange, PovertyCause, ReliefMeasure
from tests.factories import household, member, resident_id

AS_OF = datetime.date(2018, 6, 30)
_names = itertools.count(1)


def one(**fields) -> Member:
    """A head with a name of their own: the factory's 张三, all born the same day, are duplicates."""
    return member(**{"name": f"成员{next(_names)}", **fields})


def registered(village, number, **fields) -> Household:
    return household(village=village, number=number, **{"main_cause_id": "lack_funds", "members": [one()], **fields})


def found(**kwargs) -> list[str]:
    return [f.check for f in run_audit(as_of=AS_OF, **kwargs)]


@pytest.fixture
def clean(village):
    """Households that break no check: an ordinary one short of funds, a 低保 one drawing 低保, a
    五保 elder, one ill with an ill member, one exited in 2015 above the line with measures that year."""
    ordinary = registered(village, "OK-1", main_cause_id="lack_funds")
    dibao = registered(village, "OK-2", category="dibao", main_cause_id="lack_labor",
                      members=[one(labor="lost", draws_dibao=True)])
    elder = datetime.date(1940, 2, 2)
    registered(village, "OK-3", category="wubao", main_cause_id="lack_labor",
              members=[one(labor="ordinary", birth_date=elder, id_number=resident_id(birth=elder), draws_wubao=True)])
    registered(village, "OK-4", main_cause_id="illness", members=[one(health="serious_illness")])
    out = registered(village, "OK-5", main_cause_id="lack_skills")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=out, year=2015, income_per_capita=Decimal("2855")))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=out, channel_id="skills_training", year=2016, content="培训"))
    return {"ordinary": ordinary, "dibao": dibao, "exited": out}


def test_a_clean_registry_has_no_finding(clean):
    assert found() == []


def test_every_check_is_registered_with_a_chinese_name():
    # 20 of the registry (the plan's exit_below_line among them; transfer_pending_long,
    # exit_without_income, left_member_draws_support and birth_recorded_late since issue 18) and one
    # of the projects (projects.checks.training_after_exit); eleven of the department lists (issue 22).
    assert len(CHECKS) == 32 and all(c.name and c.code == code for code, c in CHECKS.items())
    assert len([code for code in CHECKS if code.startswith("list_")]) == 11


# ---------------------------------------------------------------- duplicate persons


def test_same_name_and_birth_date_in_two_active_households(clean, village):
    born = datetime.date(1970, 5, 17)
    registered(village, "DUP-1", main_cause_id="lack_funds", members=[member(name="赵六", birth_date=born)])
    registered(village, "DUP-2", main_cause_id="lack_funds", members=[member(name="赵六", birth_date=born)])
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.household_number) == ("duplicate_name_birth", "DUP-2")
    assert "DUP-1" in finding.detail


def test_a_removed_household_is_no_duplicate(clean, village):
    born = datetime.date(1970, 5, 17)
    first = registered(village, "DUP-1", main_cause_id="lack_funds",
                      members=[member(name="赵六", birth_date=born)])
    registered(village, "DUP-2", main_cause_id="lack_funds", members=[member(name="赵六", birth_date=born)])
    services.household_remove(actor=SYSTEM, household=first, reason="重复登记")
    assert found() == []


def test_id_numbers_one_digit_apart(clean, village):
    """A mistyped digit also breaks the check character (GB 11643 catches every single-digit error),
    so the checksum check finds the mistyped number too; each check once."""
    born = datetime.date(1986, 9, 9)  # no other number lies near these two
    right = registered(village, "RIGHT", members=[one(birth_date=born, id_number=resident_id(birth=born))])
    number = right.members.get().id_number
    typo = number[:14] + str((int(number[14]) + 1) % 10) + number[15:]  # the order code, not birth or sex
    other = registered(village, "TYPO", members=[one(birth_date=born, id_number=resident_id(birth=born))])
    Member.objects.filter(household=other).update(id_number=typo)
    assert sorted(found()) == ["id_checksum", "id_one_digit_apart"]
    [finding] = run_audit(as_of=AS_OF, checks=["id_one_digit_apart"])
    assert finding.household_number == "TYPO" and "第15位" in finding.detail


def test_an_old_15_digit_number_beside_its_18_digit_form(clean, village):
    """The column holds 18 characters: the old number comes padded, written around the services."""
    number = clean["ordinary"].members.get().id_number
    old = number[:6] + number[8:17] + "   "
    other = registered(village, "OLD", main_cause_id="lack_funds", members=[one()])
    Member.objects.bulk_create([Member(household=other, name="孙八", id_number=old, relation="spouse",
                                       sex="male", birth_date=datetime.date(1970, 5, 17), labor="ordinary")])
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.household_number) == ("id_15_beside_18", "OLD")


# ---------------------------------------------------------------- ID numbers against the record


def test_a_wrong_check_character(clean, village):
    born = datetime.date(1985, 8, 8)  # no other number lies one character away
    head = registered(village, "WRONG", members=[one(birth_date=born, id_number=resident_id(birth=born))]).members.get()
    wrong = head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1")
    Member.objects.filter(pk=head.pk).update(id_number=wrong)
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.member) == ("id_checksum", head.pk)


def test_a_birth_date_that_disagrees_with_the_id_number(clean):
    head = clean["ordinary"].members.get()
    Member.objects.filter(pk=head.pk).update(birth_date=datetime.date(1971, 5, 17))
    assert found() == ["id_birth_date"]


def test_a_sex_that_disagrees_with_the_id_number(clean):
    Member.objects.filter(household=clean["ordinary"]).update(sex="female")
    assert found() == ["id_sex"]


# ---------------------------------------------------------------- households against their members


def test_a_household_without_a_head(clean):
    """Two heads the database itself refuses (member_one_head); none it cannot see."""
    Member.objects.filter(household=clean["ordinary"]).update(relation="spouse")
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.detail) == ("head_count", "无户主")


@pytest.mark.parametrize("cause, check, fitting", [
    ("illness", "illness_without_ill_member", {"health": "chronic"}),
    ("disability", "disability_without_disabled_member", {"disability_certificate": "35042419700517123X41"}),
    ("schooling", "schooling_without_student", {"schooling": "junior"}),
])
def test_a_cause_without_the_member_it_needs(cause, check, fitting, clean, village):
    lacking = registered(village, "CAUSE", main_cause_id=cause)
    as_secondary = registered(village, "SECOND", main_cause_id="lack_funds", other_causes=[PovertyCause.objects.get(pk=cause)])
    assert found() == [check, check]
    for h in (lacking, as_secondary):
        Member.objects.filter(household=h).update(**fitting)
    assert found() == []


def test_a_wubao_household_with_a_working_age_labourer(clean, village):
    registered(village, "WUBAO", category="wubao", main_cause_id="lack_labor",
              members=[one(labor="skilled", draws_wubao=True)])  # born 1970: 48 on AS_OF
    assert found() == ["wubao_with_labourer"]


def test_a_dibao_household_with_no_member_drawing_dibao(clean):
    Member.objects.filter(household=clean["dibao"]).update(draws_dibao=False)
    assert found() == ["dibao_without_dibao_member"]


# ---------------------------------------------------------------- incomes, measures, exits


@pytest.mark.parametrize("income, check", [(Decimal("0"), "income_not_positive"),
                                           (Decimal("30000.01"), "income_implausible")])
def test_an_income_of_zero_or_implausibly_high(income, check, clean):
    Household.objects.filter(pk=clean["ordinary"].pk).update(income_per_capita=income)
    assert found() == [check]


def test_measures_years_after_exit(clean):
    out = clean["exited"]
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=out, channel_id="skills_training", year=2017, content="再培训"))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=out, channel_id="skills_training", year=2018, content="又培训"))
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.detail) == ("measures_after_exit", "2015年脱贫，2018年仍有帮扶渠道措施")


def test_an_exit_below_the_line(clean, village):
    low = registered(village, "LOW", main_cause_id="lack_funds")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=low, year=2016, income_per_capita=Decimal("2951.99")))
    unknown = registered(village, "UNKNOWN", main_cause_id="lack_funds")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=unknown, year=2018, income_per_capita=Decimal("100")))
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.household_number) == ("exit_below_line", "LOW")


# ---------------------------------------------------------------- switches, scope, cost


# ---------------------------------------------------------------- member changes (issue 18)


def leave(h, m, kind, date, **kwargs):
    return services.member_change_record(actor=SYSTEM, household=h, kind=kind, date=date, member=m, **kwargs)


def test_a_member_who_left_but_still_draws_dibao_or_wubao(clean, village):
    """In LS-1: 李母 (drawing 低保) dies on 2017-03-01, 李子 (drawing nothing) moves out, 李女 (drawing 五保)
    marries into the registered household LS-2, where she is present (her support is recorded there)."""
    mother = one(relation="spouse", draws_dibao=True, id_number=resident_id(birth=datetime.date(1950, 1, 1)))
    son = one(relation="child", id_number=resident_id(birth=datetime.date(1990, 1, 1)))
    daughter = one(relation="child", draws_wubao=True, id_number=resident_id(birth=datetime.date(1992, 1, 1)))
    h = registered(village, "LS-1", members=[one(), mother, son, daughter])
    groom = registered(village, "LS-2")
    mother, son, daughter = (h.members.get(id_number=m.id_number) for m in (mother, son, daughter))
    leave(h, mother, "death", datetime.date(2017, 3, 1))
    leave(h, son, "move_out", datetime.date(2017, 4, 1), destination="厦门")
    leave(h, daughter, "marry_out", datetime.date(2017, 5, 1), other_household=groom, relation="in_law")

    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.household, finding.household_number, finding.member, finding.county) == (
        "left_member_draws_support", h.pk, "LS-1", mother.pk, "350424")
    assert finding.detail == f"{mother.name}已于2017-03-01离开本户，仍登记享受低保"
    # Before the day she left, nothing is wrong yet; once her 低保 is stopped, nothing is.
    assert run_audit(checks=["left_member_draws_support"], as_of=datetime.date(2017, 2, 28)) == []
    Member.objects.filter(pk=mother.pk).update(draws_dibao=False)
    assert found() == []


def test_a_birth_recorded_more_than_a_year_after_it(clean, village):
    h = registered(village, "BR-1")

    def born(day: datetime.date, recorded: datetime.datetime):
        baby = one(relation="child", labor="none", id_number=resident_id(birth=day))
        [change] = services.member_change_record(actor=SYSTEM, household=h, kind="birth", date=day, person=baby)
        MemberChange.objects.filter(pk=change.pk).update(recorded_at=recorded)
        return change.member

    tz = datetime.timezone(datetime.timedelta(hours=8))  # the registry's local time (Asia/Shanghai)
    born(datetime.date(2015, 6, 1), datetime.datetime(2016, 6, 1, 23, 0, tzinfo=tz))  # a year to the day: on time
    late = born(datetime.date(2016, 2, 29), datetime.datetime(2017, 3, 2, 9, 0, tzinfo=tz))
    [finding] = run_audit(as_of=AS_OF)
    assert (finding.check, finding.household, finding.household_number, finding.member) == (
        "birth_recorded_late", h.pk, "BR-1", late.pk)
    assert finding.detail == f"{late.name}2016-02-29出生，2017-03-02才登记"
    assert finding.url == reverse("dashboard:household", args=[h.pk])
    MemberChange.objects.filter(member=late).update(recorded_at=datetime.datetime(2017, 3, 1, 18, 0, tzinfo=tz))
    assert found() == []


def test_a_check_is_switched_off_by_the_setting(clean, settings):
    Household.objects.filter(pk=clean["ordinary"].pk).update(income_per_capita=0)
    settings.AUDIT_DISABLED_CHECKS = ["income_not_positive"]
    assert found() == []


def test_findings_are_limited_to_the_county_and_households_given(clean, datian_village):
    Household.objects.filter(pk=clean["ordinary"].pk).update(income_per_capita=0)
    assert found(county="350425") == [] and found(county="350424") == ["income_not_positive"]
    assert found(households=Household.objects.filter(village=datian_village)) == []


def test_the_checks_run_a_fixed_number_of_queries_whatever_the_registry(clean, village):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            run_audit(as_of=AS_OF)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(5):
        h = registered(village, f"MORE-{i}", main_cause_id="illness")  # each trips one check
        Household.objects.filter(pk=h.pk).update(income_per_capita=0)
    assert len(run_audit(as_of=AS_OF)) == 10
    assert queries() == before


def test_the_command_counts_per_county_and_speaks_json(clean, village):
    Household.objects.filter(pk=clean["ordinary"].pk).update(income_per_capita=0)
    out = io.StringIO()
    call_command("audit_registry", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["counts"] == [{"county": "350424", "total": 1, "checks": {"income_not_positive": 1}}]
    [finding] = data["findings"]
    assert finding["household_number"] == "OK-1" and finding["url"] == f"/dashboard/household/{clean['ordinary'].pk}/"
    out = io.StringIO()
    call_command("audit_registry", "--county", "350425", stdout=out)
    assert "共 0 条" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("audit_registry", "--county", "999999")
