"""The registry's rules, each through the service every door calls. A refused write names the
field and leaves the database as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, Member, ReliefMeasure, ReturnRecord
from tests.factories import VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> dict:
    """Runs a write that must be refused; returns its errors by field."""
    with pytest.raises(ValidationError) as e:
        call(**kwargs)
    return e.value.message_dict


def register(**fields):
    """Call household_save on a new household, as household() does, but return the refusal."""
    from tests import factories

    return lambda: factories.household(**fields)


# ---------------------------------------------------------------- registering a household


def test_register_household_with_members_derives_sex_and_birth_date():
    wife_id = resident_id(birth=datetime.date(1975, 8, 1), sex="female")
    h = household(members=[member(), member(name="李四", relation="spouse", id_number=wife_id)])
    assert h.status == Household.Status.REGISTERED
    wife = h.members.get(relation="spouse")
    assert (wife.sex, wife.birth_date) == ("female", datetime.date(1975, 8, 1))
    assert h.members.count() == 2


def test_household_needs_a_head():
    errors = refused(register(members=[member(relation="spouse")]))
    assert "members.relation" in errors
    assert Household.objects.count() == 0


def test_household_needs_members():
    errors = refused(register(members=[]))
    assert errors["members"] == ["请至少登记户主一人"]


def test_second_head_is_refused():
    errors = refused(register(members=[member(), member(name="李四")]))
    assert "每户只能有一名户主" in errors["members.relation"][0]
    assert Member.objects.count() == 0


@pytest.mark.parametrize(
    "id_number, fragment",
    [
        ("35042419700517001", "应为18位"),
        ("35042419700517A011", "前17位必须是数字"),
    ],
)
def test_bad_id_number_is_refused_naming_the_field(id_number, fragment):
    errors = refused(register(members=[member(id_number=id_number)]))
    assert fragment in errors["members.0.id_number"][0]
    assert Household.objects.count() == Member.objects.count() == 0


def test_id_number_with_wrong_checksum_is_refused():
    good = resident_id()
    errors = refused(register(members=[member(id_number=good[:-1] + ("1" if good[-1] == "0" else "0"))]))
    assert "校验码错误" in errors["members.0.id_number"][0]


def test_sex_and_birth_date_must_agree_with_id_number():
    number = resident_id(birth=datetime.date(1970, 5, 17), sex="male")
    errors = refused(register(members=[member(id_number=number, sex="female", birth_date=datetime.date(1971, 1, 1))]))
    assert "性别与公民身份号码不符" in errors["members.0.sex"][0]
    assert "1970-05-17" in errors["members.0.birth_date"][0]


def test_same_person_cannot_be_in_two_active_households():
    number = resident_id()
    household(members=[member(id_number=number)])
    errors = refused(register(members=[member(id_number=number)]))
    assert errors["members.0.id_number"] == ["该公民身份号码已登记在另一个有效的贫困户中"]
    assert Household.objects.count() == 1


def test_an_exited_household_still_holds_its_members():
    number = resident_id()
    h = household(members=[member(id_number=number)])
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4000")))
    assert "members.0.id_number" in refused(register(members=[member(id_number=number)]))


def test_removed_household_frees_its_members():
    number = resident_id()
    first = household(members=[member(id_number=number)])
    services.household_remove(actor=SYSTEM, household=first, reason="识别不准，家有轿车")
    second = household(members=[member(id_number=number)])
    assert Member.objects.filter(id_number=number).count() == 2
    assert second.members.get().active and not first.members.get().active
    first.refresh_from_db()
    assert (first.status, first.removed_reason) == ("removed", "识别不准，家有轿车")


def test_remove_needs_a_reason():
    h = household()
    assert "removed_reason" in refused(services.household_remove, actor=SYSTEM, household=h, reason="  ")
    h.refresh_from_db()
    assert h.status == "registered"


def test_village_of_another_county_is_refused():
    h = Household(
        number="X-1", village=VillageFactory(township__county_id="350425"), category="ordinary",
        main_cause_id="illness", income_per_capita=Decimal("1"),
    )
    errors = refused(services.household_save, actor=SYSTEM, household=h, members=[member()], county="350424")
    assert "不属于" in errors["village"][0]
    assert Household.objects.filter(number="X-1").count() == 0


def test_secondary_cause_never_equals_main():
    from households.models import PovertyCause

    causes = PovertyCause.objects.filter(code__in=["illness", "lack_funds"])
    errors = refused(register(main_cause_id="illness", other_causes=causes))
    assert errors["other_causes"] == ["其他致贫原因不能与主要致贫原因相同"]
    h = household(main_cause_id="illness", other_causes=PovertyCause.objects.filter(code="lack_funds"))
    assert list(h.other_causes.values_list("code", flat=True)) == ["lack_funds"]


@pytest.mark.parametrize("income", [Decimal("-0.01"), "abc"])
def test_income_must_be_a_non_negative_number(income):
    errors = refused(register(income_per_capita=income))
    assert "income_per_capita" in errors
    assert Household.objects.count() == 0


def test_household_number_is_unique():
    household(number="350424-DUP")
    errors = refused(register(number="350424-DUP"))
    assert "number" in errors


def test_identification_year_is_within_the_registry_years():
    assert "identified_year" in refused(register(identified_year=2013))


def test_status_is_not_set_by_hand():
    h = household()
    h.status = Household.Status.EXITED
    assert "status" in refused(services.household_save, actor=SYSTEM, household=h)
    assert Household.objects.get(pk=h.pk).status == "registered"


# ---------------------------------------------------------------- members


def test_adding_a_second_head_is_refused():
    h = household()
    errors = refused(services.member_save, actor=SYSTEM, member=member(household=h, name="李四"))
    assert "relation" in errors
    assert h.members.count() == 1


def test_head_can_be_handed_over_in_one_change():
    h = household(members=[member(), member(name="李四", relation="child", id_number=resident_id(sex="female"))])
    old, new = h.members.get(relation="head"), h.members.get(relation="child")
    old.relation, new.relation = "parent", "head"
    services.household_save(actor=SYSTEM, household=h, members=[new, old])
    assert h.members.get(relation="head").name == "李四"


def test_head_cannot_be_deleted():
    h = household(members=[member(), member(name="李四", relation="child", id_number=resident_id())])
    assert "relation" in refused(services.member_delete, actor=SYSTEM, member=h.members.get(relation="head"))
    services.member_delete(actor=SYSTEM, member=h.members.get(relation="child"))
    assert h.members.count() == 1


def test_same_person_twice_in_one_household_is_refused():
    number = resident_id()
    errors = refused(register(members=[member(id_number=number), member(relation="child", id_number=number)]))
    assert "重复" in errors["members.id_number"][0]


# ---------------------------------------------------------------- relief measures


def measure(h, channel="medical_aid", **fields):
    defaults = {"year": 2016, "content": "大病医疗救助", "amount": Decimal("3000")}
    return ReliefMeasure(household=h, channel_id=channel, **{**defaults, **fields})


def test_small_loan_at_the_limits_is_accepted():
    h = household()
    m = services.measure_save(actor=SYSTEM, measure=measure(h, "financial_support", amount=Decimal("50000"), term_months=36))
    assert m.pk


@pytest.mark.parametrize(
    "amount, term, field",
    [(Decimal("50000.01"), 36, "amount"), (Decimal("50000"), 37, "term_months")],
)
def test_small_loan_over_50000_yuan_or_36_months_is_refused(amount, term, field):
    h = household()
    errors = refused(services.measure_save, actor=SYSTEM, measure=measure(h, "financial_support", amount=amount, term_months=term))
    assert list(errors) == [field]
    assert ReliefMeasure.objects.count() == 0


def test_financial_support_without_term_is_not_a_loan():
    h = household()
    assert services.measure_save(actor=SYSTEM, measure=measure(h, "financial_support", amount=Decimal("80000"))).pk


@pytest.mark.parametrize(
    "channel, category, allowed",
    [
        ("minimum_living", "dibao", True),
        ("medical_premium", "dibao_able", True),
        ("minimum_living", "ordinary", False),
        ("minimum_living", "wubao", False),
        ("raised_support", "wubao", True),
        ("centralized_support", "dibao", False),
        ("raised_support", "ordinary", False),
        ("relocation", "wubao", True),
    ],
)
def test_safety_nets_only_for_the_categories_the_plan_gives_them(channel, category, allowed):
    h = household(category=category)
    if allowed:
        assert services.measure_save(actor=SYSTEM, measure=measure(h, channel)).pk
    else:
        assert "channel" in refused(services.measure_save, actor=SYSTEM, measure=measure(h, channel))
        assert ReliefMeasure.objects.count() == 0


def test_negative_amount_is_refused():
    assert "amount" in refused(services.measure_save, actor=SYSTEM, measure=measure(household(), amount=Decimal("-1")))


def test_measure_date_lies_in_its_year():
    errors = refused(services.measure_save, actor=SYSTEM, measure=measure(household(), year=2016, date=datetime.date(2017, 1, 3)))
    assert "date" in errors


def test_measures_keep_a_household_from_being_deleted():
    h = household()
    services.measure_save(actor=SYSTEM, measure=measure(h))
    with pytest.raises(ValidationError):
        services.household_delete(actor=SYSTEM, household=h)
    assert Household.objects.filter(pk=h.pk).exists()


# ---------------------------------------------------------------- exits and returns


def exit_(h, year, income="4200"):
    return services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=year, income_per_capita=Decimal(income)))


def return_(h, year):
    return services.return_save(actor=SYSTEM, record=ReturnRecord(household=h, year=year, reason="因病返贫"))


def test_exit_snapshots_persons_and_sets_status():
    h = household(members=[member(), member(name="李四", relation="child", id_number=resident_id())])
    record = exit_(h, 2016)
    assert record.persons == 2
    services.member_save(actor=SYSTEM, member=member(household=h, name="王五", relation="grandchild", id_number=resident_id()))
    record.refresh_from_db()
    h.refresh_from_db()
    assert (record.persons, h.status) == (2, "exited")


def test_a_households_village_is_not_changed_directly_but_by_a_transfer():
    """Issue 18: a move is a transfer (迁移, tests/households/test_transfers.py), even within the county
    and even as the system; the household's exits keep the county they were recorded in."""
    h = household(village=VillageFactory(code="350424101201", township__code="350424101"))
    exit_(h, 2015)
    for target in (VillageFactory(code="350424101202", township=h.village.township),
                   VillageFactory(code="350425101201", township__code="350425101", township__county_id="350425")):
        h.refresh_from_db()
        h.village = target
        errors = refused(services.household_save, actor=SYSTEM, household=h)
        assert "迁移" in errors["village"][0]
        assert Household.objects.get(pk=h.pk).village_id == "350424101201"
    assert h.exits.get().county_id == "350424"


def test_exit_before_identification_is_refused():
    h = household(identified_year=2016)
    errors = refused(exit_, h=h, year=2015)
    assert "识别年份" in errors["year"][0]
    assert ExitRecord.objects.count() == 0


def test_second_exit_in_a_year_is_refused():
    h = household()
    exit_(h, 2016)
    return_(h, 2016)
    errors = refused(exit_, h=h, year=2016)
    assert "已有脱贫记录" in errors["year"][0]


def test_return_needs_an_earlier_exit():
    h = household()
    assert "household" in refused(return_, h=h, year=2016)
    exit_(h, 2016)
    assert "year" in refused(return_, h=h, year=2015)
    return_(h, 2017)
    h.refresh_from_db()
    assert h.status == "returned"


def test_status_follows_exits_and_returns():
    h = household()
    exit_(h, 2015)
    assert "household" in refused(exit_, h=h, year=2016)  # already out
    return_(h, 2016)
    exit_(h, 2017)
    h.refresh_from_db()
    assert h.status == "exited"
    services.exit_delete(actor=SYSTEM, record=h.exits.get(year=2017))
    h.refresh_from_db()
    assert h.status == "returned"


def test_only_the_latest_event_can_be_taken_back():
    h = household()
    first = exit_(h, 2015)
    return_(h, 2016)
    with pytest.raises(ValidationError):
        services.exit_delete(actor=SYSTEM, record=first)
    assert ExitRecord.objects.filter(pk=first.pk).exists()


def test_removed_household_takes_no_new_records():
    h = household()
    services.household_remove(actor=SYSTEM, household=h, reason="死亡销户")
    assert "household" in refused(exit_, h=h, year=2016)
    assert "household" in refused(services.measure_save, actor=SYSTEM, measure=measure(h))


def test_unknown_codes_are_refused_naming_the_field():
    errors = refused(services.measure_save, actor=SYSTEM, measure=measure(household(), channel="no_such_channel"))
    assert "channel" in errors
    h = Household(number="X-2", village_id="350424999999", category="ordinary", main_cause_id="nope", income_per_capita=1)
    errors = refused(services.household_save, actor=SYSTEM, household=h, members=[member()])
    assert {"village", "main_cause"} <= set(errors)


def test_phone_numbers_are_checked_naming_the_field():
    errors = refused(register(phone="call me"))
    assert set(errors) >= {"phone"}
    h = household(phone="0598-6831234")
    assert h.phone == "0598-6831234"
    # The helper's phone (a helper's now, issue 20): a mobile or a landline with its area code.
    errors = refused(services.household_helper_set, actor=SYSTEM, household=h, name="陈干部", unit="宁化县财政局",
                     phone="0598-683")
    assert set(errors) == {"helper_phone"} and not h.helper_assignments.exists()
    assignment = services.household_helper_set(actor=SYSTEM, household=h, name="陈干部", unit="宁化县财政局",
                                               phone="+86 138 0000 0000")
    assert assignment.helper.phone == "13800000000"


# ---------------------------------------------------------------- batches (Excel, the demo)

TRICKY = 'a\tb\nc\\d"e,f\\N\r'  # what COPY's formats treat specially, as PostgreSQL takes batches


def test_a_batch_writes_each_value_and_its_history_as_a_save_would(ninghua_clerk):
    village = VillageFactory()
    values = {"village": village.code, "number": "350424-B0001", "category": "ordinary", "main_cause": "illness",
              "identified_year": 2014, "income_per_capita": Decimal("1234.50"), "address": TRICKY,
              "name": "王\\N", "id_number": resident_id(), "relation": "head", "labor": "ordinary"}
    report = services.registry_import(actor=ninghua_clerk, rows=[services.SheetRow(2, values)], reason="测试导入")
    assert report.written and not report.problems
    stored = Household.objects.get(number="350424-B0001")
    assert (stored.address, stored.phone, stored.income_per_capita) == (TRICKY, "", Decimal("1234.50"))
    person = Member.objects.get(household=stored, name="王\\N", sex="male", active=True)
    for record in (stored, person):
        entry = record.history.get()
        assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", ninghua_clerk, "测试导入")
    assert stored.history.get().address == TRICKY


def test_a_batch_keeps_missing_values_null():
    h = Household(number="350424-B0002", village=VillageFactory(), category="dibao", main_cause_id="illness",
                  identified_year=2014, income_per_capita=Decimal("0"))
    aid = measure(h, date=None)
    services.registry_bulk_create(actor=SYSTEM, households=[h], members=[member(household=h)], measures=[aid])
    stored = ReliefMeasure.objects.get(pk=aid.pk)
    assert (stored.household_id, stored.date, stored.term_months, stored.content) == (h.pk, None, None, "大病医疗救助")
    assert stored.history.get().history_change_reason in (None, "")  # as a save() without a reason
