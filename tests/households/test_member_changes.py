"""Dated member changes (成员变动, issue 18 point 1) through the one service every door calls, and the
registry on a date (point 2). A refused change names the field and leaves the database as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.actors import SYSTEM
from common.refusals import Refused
from households import selectors, services
from households.models import ExitRecord, Household, Member, MemberChange, ReturnRecord, Transfer
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

D = datetime.date


def record(actor, household, kind, date, **kwargs):
    return services.member_change_record(actor=actor, household=household, kind=kind, date=date, **kwargs)


def snapshot():
    """Everything a refused change must leave as it was."""
    return (
        list(Member.objects.order_by("id").values_list("id", "household_id", "name", "id_number", "relation",
                                                        "joined_on", "left_on", "active")),
        list(Household.objects.order_by("id").values_list("id", "number", "status")),
        MemberChange.objects.count(),
        Member.history.count(),
    )


def refused(actor, household, kind, date, **kwargs) -> dict:
    before = snapshot()
    with pytest.raises(ValidationError) as e:
        record(actor, household, kind, date, **kwargs)
    assert snapshot() == before
    errors = e.value.message_dict
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for ms in errors.values() for m in ms), errors
    return errors


def head_of(h) -> Member:
    return h.members.get(relation="head", left_on__isnull=True)


def child_of(h) -> Member:
    return h.members.get(relation="child")


@pytest.fixture
def family(village):
    """NH-F of 城南村: head 陈父 (1970), spouse 陈母 (1972), child 陈女 (2000)."""
    return household(village=village, number="NH-F", members=[
        member(name="陈父"),
        member(name="陈母", relation="spouse", id_number=resident_id(birth=D(1972, 2, 2), sex="female")),
        member(name="陈女", relation="child", id_number=resident_id(birth=D(2000, 3, 3), sex="female")),
    ])


# ---------------------------------------------------------------- joins


def test_a_birth_joins_the_household_on_its_date(family, ninghua_clerk):
    baby = member(name="陈婴", relation="grandchild", labor="none", id_number=resident_id(birth=D(2016, 5, 6)))
    [change] = record(ninghua_clerk, family, "birth", D(2016, 5, 6), person=baby, reason="新生儿")
    stored = Member.objects.get(name="陈婴")
    assert (stored.household_id, stored.joined_on, stored.left_on, stored.active) == (family.pk, D(2016, 5, 6),
                                                                                       None, True)
    assert (change.kind, change.member_id, change.recorded_by, change.reason) == ("birth", stored.pk, ninghua_clerk,
                                                                                 "新生儿")
    assert change.history.get().history_user == ninghua_clerk
    assert stored.history.get().history_user == ninghua_clerk


def test_a_birth_whose_id_number_gives_another_date_is_refused(family, ninghua_clerk):
    baby = member(name="陈婴", relation="child", labor="none", id_number=resident_id(birth=D(2016, 5, 6)))
    errors = refused(ninghua_clerk, family, "birth", D(2016, 5, 7), person=baby)
    assert "2016-05-06" in errors["date"][0]


@pytest.mark.parametrize("kind", ["marry_in", "move_in"])
def test_a_person_marries_or_moves_in(family, ninghua_clerk, kind):
    wife = member(name="林媳", relation="in_law", id_number=resident_id(birth=D(1995, 1, 1), sex="female"))
    record(ninghua_clerk, family, kind, D(2017, 10, 1), person=wife)
    assert Member.objects.get(name="林媳").joined_on == D(2017, 10, 1)
    assert MemberChange.objects.get().kind == kind


def test_a_newcomer_is_not_a_second_head(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "move_in", D(2017, 1, 1), person=member(name="外人"))
    assert "person.relation" in errors


def test_a_newcomer_active_in_another_household_is_refused(family, village, ninghua_clerk):
    other = household(village=village, number="NH-O")
    errors = refused(ninghua_clerk, family, "move_in", D(2017, 1, 1),
                     person=member(name="重复", relation="other", id_number=head_of(other).id_number))
    assert "person.id_number" in errors


# ---------------------------------------------------------------- leaves


@pytest.mark.parametrize("kind", ["death", "marry_out", "enlist", "imprisoned"])
def test_a_member_who_leaves_stays_on_record_marked_left(family, ninghua_clerk, kind):
    daughter = child_of(family)
    [change] = record(ninghua_clerk, family, kind, D(2016, 8, 1), member=daughter)
    daughter.refresh_from_db()
    assert (daughter.left_on, daughter.active, daughter.household_id) == (D(2016, 8, 1), False, family.pk)
    assert change.member_id == daughter.pk
    assert family.members.count() == 3


def test_a_move_out_says_where_to(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "move_out", D(2016, 8, 1), member=child_of(family))
    assert "destination" in errors
    [change] = record(ninghua_clerk, family, "move_out", D(2016, 8, 1), member=child_of(family),
                      destination="厦门市思明区")
    assert change.destination == "厦门市思明区"


def test_the_death_of_someone_who_has_already_left_is_refused(family, ninghua_clerk):
    daughter = child_of(family)
    record(ninghua_clerk, family, "marry_out", D(2016, 8, 1), member=daughter)
    daughter.refresh_from_db()
    errors = refused(ninghua_clerk, family, "death", D(2017, 1, 1), member=daughter)
    assert "2016-08-01" in errors["member"][0]


def test_a_head_who_dies_names_the_new_head_in_the_same_change(family, ninghua_clerk):
    father, mother = head_of(family), family.members.get(relation="spouse")
    [change] = record(ninghua_clerk, family, "death", D(2016, 3, 1), member=father, new_head=mother)
    father.refresh_from_db()
    mother.refresh_from_db()
    assert (father.left_on, mother.relation, change.new_head_id) == (D(2016, 3, 1), "head", mother.pk)
    assert head_of(family) == mother


def test_a_head_leaving_without_a_new_head_is_refused(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "death", D(2016, 3, 1), member=head_of(family))
    assert "new_head" in errors


def test_a_new_head_must_be_present(family, ninghua_clerk):
    daughter = child_of(family)
    record(ninghua_clerk, family, "marry_out", D(2016, 1, 1), member=daughter)
    daughter.refresh_from_db()
    errors = refused(ninghua_clerk, family, "death", D(2016, 3, 1), member=head_of(family), new_head=daughter)
    assert "new_head" in errors


def test_the_last_member_leaving_ends_the_household(village, ninghua_clerk):
    alone = household(village=village, number="NH-1P", category="wubao")
    record(ninghua_clerk, alone, "death", D(2017, 2, 1), member=head_of(alone))
    alone.refresh_from_db()
    assert alone.status == "removed" and "死亡" in alone.removed_reason


def test_a_marriage_between_two_registered_households_is_one_change(family, village, ninghua_clerk):
    groom_home = household(village=village, number="NH-G")
    daughter = child_of(family)
    [change] = record(ninghua_clerk, family, "marry_out", D(2017, 5, 1), member=daughter,
                      other_household=groom_home, relation="in_law")
    daughter.refresh_from_db()
    joined = groom_home.members.get(id_number=daughter.id_number)
    assert (daughter.left_on, daughter.active) == (D(2017, 5, 1), False)
    assert (joined.joined_on, joined.active, joined.relation) == (D(2017, 5, 1), True, "in_law")
    assert (change.other_household_id, change.other_member_id) == (groom_home.pk, joined.pk)
    assert MemberChange.objects.count() == 1
    # One person, one active household, the day before and the day of.
    assert [m.household_id for m in Member.objects.filter(id_number=daughter.id_number, active=True)] == [
        groom_home.pk]
    assert daughter in selectors.members_on(family, D(2017, 4, 30))
    assert daughter not in selectors.members_on(family, D(2017, 5, 1))
    assert joined not in selectors.members_on(groom_home, D(2017, 4, 30))
    assert joined in selectors.members_on(groom_home, D(2017, 5, 1))


def test_a_marriage_into_another_county_needs_its_clerk(family, datian_village, ninghua_clerk):
    elsewhere = household(village=datian_village, number="DT-G", members=[member(id_number=resident_id(prefix=DATIAN))])
    before = snapshot()
    with pytest.raises(Refused):
        record(ninghua_clerk, family, "marry_out", D(2017, 5, 1), member=child_of(family),
               other_household=elsewhere, relation="in_law")
    assert snapshot() == before


# ---------------------------------------------------------------- head change and corrections


def test_a_head_change_hands_over_to_a_present_member(family, ninghua_clerk):
    father, mother = head_of(family), family.members.get(relation="spouse")
    [change] = record(ninghua_clerk, family, "head_change", D(2018, 1, 1), new_head=mother, relation="spouse")
    father.refresh_from_db()
    mother.refresh_from_db()
    assert (father.relation, mother.relation, change.member_id, change.new_head_id) == (
        "spouse", "head", father.pk, mother.pk)


def test_a_head_change_without_a_new_head_is_refused(family, ninghua_clerk):
    assert "new_head" in refused(ninghua_clerk, family, "head_change", D(2018, 1, 1))


def test_a_correction_keeps_old_and_new_values(family, ninghua_clerk):
    daughter = child_of(family)
    [change] = record(ninghua_clerk, family, "correction", D(2018, 1, 1), member=daughter, field="name",
                      new_value="陈秀")
    assert (change.field, change.old_value, change.new_value) == ("name", "陈女", "陈秀")
    assert Member.objects.get(pk=daughter.pk).name == "陈秀"


def test_an_id_number_correction_reads_birth_date_and_sex_again(family, ninghua_clerk):
    daughter = child_of(family)
    old = daughter.id_number
    new = resident_id(birth=D(2001, 4, 4), sex="female")
    [change] = record(ninghua_clerk, family, "correction", D(2018, 1, 1), member=daughter, field="id_number",
                      new_value=new)
    daughter.refresh_from_db()
    assert (change.old_value, change.new_value) == (old, new)
    assert (daughter.id_number, daughter.birth_date) == (new, D(2001, 4, 4))


def test_a_corrected_id_number_held_by_another_active_person_is_refused(family, village, ninghua_clerk):
    other = household(village=village, number="NH-O")
    errors = refused(ninghua_clerk, family, "correction", D(2018, 1, 1), member=child_of(family), field="id_number",
                     new_value=head_of(other).id_number)
    assert "另一个有效的贫困户" in errors["new_value"][0]


def test_a_birth_date_correction_must_agree_with_the_id_number(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "correction", D(2018, 1, 1), member=child_of(family),
                     field="birth_date", new_value="2000-03-04")
    assert "2000-03-03" in errors["new_value"][0]


# ---------------------------------------------------------------- dates


def test_a_change_before_the_identification_year_is_refused(village, ninghua_clerk):
    later = household(village=village, number="NH-2016", identified_year=2016)
    errors = refused(ninghua_clerk, later, "death", D(2015, 12, 31), member=head_of(later))
    assert "2016" in errors["date"][0]


def test_a_marriage_before_the_other_households_identification_is_refused(family, village, ninghua_clerk):
    later = household(village=village, number="NH-2017", identified_year=2017)
    errors = refused(ninghua_clerk, family, "marry_out", D(2016, 5, 1), member=child_of(family),
                     other_household=later, relation="in_law")
    assert "NH-2017" in errors["date"][0]


def test_a_change_in_the_future_is_refused(family, ninghua_clerk):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "date" in refused(ninghua_clerk, family, "enlist", tomorrow, member=child_of(family))


def test_a_clerk_of_another_county_records_nothing(family, datian_clerk):
    before = snapshot()
    with pytest.raises(Refused):
        record(datian_clerk, family, "enlist", D(2016, 1, 1), member=child_of(family))
    assert snapshot() == before


# ---------------------------------------------------------------- split and merge


def split(actor, family, *, members, relations, number="NH-F2", new_head=None):
    return record(actor, family, "split", D(2017, 6, 1), members=members, relations=relations, new_head=new_head,
                  new_household=Household(number=number, category="dibao", main_cause_id="lack_labor"))


def test_a_split_forms_a_new_household_in_the_same_village(family, ninghua_clerk):
    daughter = child_of(family)
    records = split(ninghua_clerk, family, members=[daughter], relations=["head"])
    new = Household.objects.get(number="NH-F2")
    assert (new.village_id, new.category, new.main_cause_id, new.identified_year) == (
        family.village_id, "dibao", "lack_labor", family.identified_year)
    assert [r.kind for r in records] == ["split"]
    assert head_of(new).id_number == daughter.id_number
    assert selectors.members_on(new, D(2017, 5, 31)).count() == 0
    assert [m.name for m in selectors.members_on(new, D(2017, 6, 1))] == ["陈女"]
    assert selectors.members_on(family, D(2017, 6, 1)).count() == 2
    assert selectors.members_on(family, D(2017, 5, 31)).count() == 3


def test_a_split_with_the_head_names_the_new_head_of_the_old_household(family, ninghua_clerk):
    father, mother, daughter = head_of(family), family.members.get(relation="spouse"), child_of(family)
    errors = refused(ninghua_clerk, family, "split", D(2017, 6, 1), members=[father, mother],
                     relations=["head", "spouse"],
                     new_household=Household(number="NH-F2", category="dibao", main_cause_id="lack_labor"))
    assert "new_head" in errors
    split(ninghua_clerk, family, members=[father, mother], relations=["head", "spouse"], new_head=daughter)
    assert head_of(family).pk == daughter.pk


def test_a_split_that_empties_the_household_is_refused(family, ninghua_clerk):
    everyone = list(family.members.order_by("id"))
    errors = refused(ninghua_clerk, family, "split", D(2017, 6, 1), members=everyone,
                     relations=["head", "spouse", "child"],
                     new_household=Household(number="NH-F2", category="dibao", main_cause_id="lack_labor"))
    assert "members" in errors


def test_a_split_leaving_the_new_household_headless_is_refused(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "split", D(2017, 6, 1), members=[child_of(family)], relations=["child"],
                     new_household=Household(number="NH-F2", category="dibao", main_cause_id="lack_labor"))
    assert "relations" in errors


def test_a_split_with_no_one_is_refused(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "split", D(2017, 6, 1), members=[], relations=[],
                     new_household=Household(number="NH-F2", category="dibao", main_cause_id="lack_labor"))
    assert "members" in errors


def test_a_split_with_a_taken_number_is_refused(family, ninghua_clerk):
    errors = refused(ninghua_clerk, family, "split", D(2017, 6, 1), members=[child_of(family)], relations=["head"],
                     new_household=Household(number="NH-F", category="dibao", main_cause_id="lack_labor"))
    assert "new_household.number" in errors


def test_a_merge_brings_every_member_of_the_other_household(family, poor, ninghua_clerk):
    wang = list(poor.members.order_by("id"))
    errors = refused(ninghua_clerk, family, "merge", D(2018, 2, 1), other_household=poor, members=wang[:1],
                     relations=["other"])
    assert "members" in errors
    assert "relations" in refused(ninghua_clerk, family, "merge", D(2018, 2, 1), other_household=poor,
                                  members=wang, relations=["head", "other"])
    records = record(ninghua_clerk, family, "merge", D(2018, 2, 1), other_household=poor, members=wang,
                     relations=["other", "other"])
    assert len(records) == 2 and {r.other_household_id for r in records} == {poor.pk}
    poor.refresh_from_db()
    assert poor.status == "removed" and family.number in poor.removed_reason
    assert selectors.members_on(family, D(2018, 2, 1)).count() == 5
    assert selectors.members_on(poor, D(2018, 2, 1)).count() == 0
    assert selectors.members_on(poor, D(2018, 1, 31)).count() == 2


# ---------------------------------------------------------------- the other writes keep the rules


def test_a_member_with_changes_is_not_deleted(family, ninghua_clerk):
    daughter = child_of(family)
    record(ninghua_clerk, family, "enlist", D(2016, 1, 1), member=daughter)
    daughter.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        services.member_delete(actor=ninghua_clerk, member=daughter)
    assert "成员变动" in str(e.value)
    assert Member.objects.filter(pk=daughter.pk).exists()


def test_a_left_member_corrected_plainly_stays_inactive(family, ninghua_clerk):
    father, mother = head_of(family), family.members.get(relation="spouse")
    record(ninghua_clerk, family, "death", D(2016, 3, 1), member=father, new_head=mother)
    father.refresh_from_db()
    father.ethnicity = "畲族"
    services.member_save(actor=ninghua_clerk, member=father)
    father.refresh_from_db()
    assert (father.active, father.ethnicity, father.relation) == (False, "畲族", "head")


def test_an_exit_counts_the_members_present(family, ninghua_clerk):
    record(ninghua_clerk, family, "death", D(2016, 3, 1), member=child_of(family))
    exit_record = services.exit_save(actor=ninghua_clerk, record=ExitRecord(
        household=family, year=2016, income_per_capita=Decimal("4000")))
    assert exit_record.persons == 2


# ---------------------------------------------------------------- the registry on a date


def test_members_on_a_date(family, ninghua_clerk):
    baby = member(name="陈婴", relation="grandchild", labor="none", id_number=resident_id(birth=D(2016, 5, 6)))
    record(ninghua_clerk, family, "birth", D(2016, 5, 6), person=baby)
    record(ninghua_clerk, family, "death", D(2017, 1, 1), member=head_of(family),
           new_head=family.members.get(relation="spouse"))
    names = lambda on: sorted(m.name for m in selectors.members_on(family, on))  # noqa: E731
    assert names(D(2016, 5, 5)) == ["陈女", "陈母", "陈父"]
    assert names(D(2016, 5, 6)) == ["陈女", "陈婴", "陈母", "陈父"]
    assert names(D(2016, 12, 31)) == ["陈女", "陈婴", "陈母", "陈父"]
    assert names(D(2017, 1, 1)) == ["陈女", "陈婴", "陈母"]


def test_the_registered_poor_population_on_a_date(places, datian_village, ninghua_clerk):
    """a (3, 城南村) exits in 2015 and returns in 2016; b (2, 城北村) is identified in 2016; c (1, 城南村) is
    removed; d (4, 大田 城关村) loses a member on 2015-07-01."""
    people = lambda n, prefix=NINGHUA: [member(id_number=resident_id(prefix=prefix)), *(  # noqa: E731
        member(name=f"子{i}", relation="child", id_number=resident_id(prefix=prefix)) for i in range(n - 1))]
    a = household(village=places.chengnan, number="P-A", members=people(3))
    household(village=places.chengbei, number="P-B", members=people(2), identified_year=2016)
    c = household(village=places.chengnan, number="P-C", members=people(1))
    d = household(village=places.chengguan, number="P-D", members=people(4, DATIAN))
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=a, year=2015, income_per_capita=Decimal("4000")))
    services.return_save(actor=SYSTEM, record=ReturnRecord(household=a, year=2016, reason="因病返贫"))
    services.household_remove(actor=SYSTEM, household=c, reason="错评")
    record(SYSTEM, d, "death", D(2015, 7, 1), member=d.members.filter(relation="child").first())

    def on(date, level):
        return selectors.population_on(date, level=level)

    # End of 2014: a, c (removed only now: after that date) and d.
    assert on(D(2014, 12, 31), "county") == {NINGHUA: 4, DATIAN: 4}
    # c was removed today: from today on it counts no more.
    today = timezone.localdate()
    assert on(today, "village") == {"350424101201": 3, "350424101202": 2, "350425101201": 3}
    # a's exit of 2015 counts from the end of 2015, its return of 2016 from the end of 2016.
    assert on(D(2015, 12, 30), "county")[NINGHUA] == 4
    assert on(D(2015, 12, 31), "county")[NINGHUA] == 1
    assert on(D(2016, 6, 1), "township") == {"350424101": 3, "350425101": 3}
    assert on(D(2016, 12, 31), "township") == {"350424101": 6, "350425101": 3}
    assert on(D(2016, 12, 31), "city") == {"350400": 9}
    assert on(D(2015, 6, 30), "county")[DATIAN] == 4
    assert on(D(2015, 7, 1), "county")[DATIAN] == 3


@pytest.mark.parametrize("per_range", [selectors.HOUSEHOLD_RANGE, 1])
def test_the_population_on_a_date_counts_a_transferred_household_where_it_was_that_day(
        places, ninghua_clerk, datian_clerk, django_assert_max_num_queries, monkeypatch, per_range):
    """P-T (3 persons, 宁化 城南村) is released to 大田 城关村 in 2017 and accepted on 2017-08-01; P-S (2,
    城南村) stays. At the end of 2016 P-T counts for 宁化, at the end of 2017 for 大田. The same whether
    the registry is counted whole or a household at a time (as ten million people are, in ranges)."""
    monkeypatch.setattr(selectors, "HOUSEHOLD_RANGE", per_range)
    moved = household(village=places.chengnan, number="P-T", members=[
        member(), member(name="子一", relation="child", id_number=resident_id()),
        member(name="子二", relation="child", id_number=resident_id())])
    household(village=places.chengnan, number="P-S", members=[
        member(), member(name="子三", relation="child", id_number=resident_id())])
    t = services.transfer_release(actor=ninghua_clerk, household=moved, to_village=places.chengguan, reason="family")
    services.transfer_accept(actor=datian_clerk, transfer=t)
    accepted = datetime.datetime(2017, 8, 1, 10, 0, tzinfo=datetime.UTC)
    Transfer.objects.filter(pk=t.pk).update(released_at=accepted - datetime.timedelta(days=3), decided_at=accepted)

    ranges = 1 if per_range > 1 else 2
    with django_assert_max_num_queries(1 + 6 * ranges):  # the ids, then six for each range of households
        at_2016 = selectors.population_on(D(2016, 12, 31), level="county")
    assert at_2016 == {NINGHUA: 5}
    assert selectors.population_on(D(2017, 12, 31), level="county") == {NINGHUA: 2, DATIAN: 3}
    assert selectors.population_on(D(2017, 7, 31), level="village") == {places.chengnan.pk: 5}
    assert selectors.population_on(D(2017, 8, 1), level="village") == {places.chengnan.pk: 2, places.chengguan.pk: 3}
    assert selectors.population_on(D(2016, 12, 31), level="township") == {places.chengnan.township_id: 5}
    assert selectors.population_on(D(2017, 12, 31), level="township") == {
        places.chengnan.township_id: 2, places.chengguan.township_id: 3}
    assert selectors.population_on(D(2016, 12, 31), level="city") == {"350400": 5}


def test_a_refused_or_pending_transfer_moves_nobody_on_any_date(places, ninghua_clerk, datian_clerk):
    h = household(village=places.chengnan, number="P-R", members=[member()])
    t = services.transfer_release(actor=ninghua_clerk, household=h, to_village=places.chengguan, reason="family")
    services.transfer_refuse(actor=datian_clerk, transfer=t, reason="无住房")
    services.transfer_release(actor=ninghua_clerk, household=h, to_village=places.chengguan, reason="other")
    assert selectors.population_on(D(2016, 12, 31), level="county") == {NINGHUA: 1}
    assert selectors.population_on(timezone.localdate(), level="county") == {NINGHUA: 1}


def test_population_on_a_bad_level_is_refused():
    with pytest.raises(ValueError):
        selectors.population_on(D(2016, 1, 1), level="province")


# ---------------------------------------------------------------- the database's own guards


def violates(constraint: str, write) -> None:
    from django.db import IntegrityError, connection, transaction

    with pytest.raises(IntegrityError) as e, transaction.atomic():
        write()
    sqlite_unique = connection.vendor == "sqlite" and str(e.value).startswith("UNIQUE constraint failed")
    assert constraint in str(e.value) or sqlite_unique


def test_a_member_who_has_left_is_not_active_in_the_database(family):
    violates("member_left_not_active",
             lambda: Member.objects.filter(pk=child_of(family).pk).update(left_on=D(2016, 1, 1)))


def test_a_member_leaves_after_joining_in_the_database(family):
    violates("member_joined_before_left", lambda: Member.objects.filter(pk=child_of(family).pk).update(
        joined_on=D(2016, 2, 1), left_on=D(2016, 1, 1), active=False))


def test_a_second_present_head_is_refused_by_the_database(family):
    violates("member_one_head", lambda: Member.objects.filter(pk=child_of(family).pk).update(relation="head"))


def test_a_departed_head_and_a_present_one_may_coexist_in_the_database(family):
    Member.objects.filter(pk=head_of(family).pk).update(left_on=D(2016, 1, 1), active=False)
    Member.objects.filter(pk=child_of(family).pk).update(relation="head")
    assert family.members.filter(relation="head").count() == 2


@pytest.mark.parametrize("constraint, fields", [
    ("memberchange_destination_iff_move_out", {"kind": "move_out"}),
    ("memberchange_destination_iff_move_out", {"kind": "death", "destination": "厦门"}),
    ("memberchange_head_change_names_head", {"kind": "head_change"}),
    ("memberchange_correction_iff_field", {"kind": "correction"}),
    ("memberchange_correction_iff_field", {"kind": "death", "old_value": "x"}),
    ("memberchange_kind_valid", {"kind": "adopted"}),
])
def test_member_change_guards_in_the_database(family, constraint, fields):
    violates(constraint, lambda: MemberChange.objects.create(
        household=family, member=child_of(family), date=D(2016, 1, 1), **fields))


def test_a_split_names_the_other_household_in_the_database(family, village):
    other = household(village=village, number="NH-O")
    violates("memberchange_split_merge_other_household", lambda: MemberChange.objects.create(
        household=family, member=child_of(family), date=D(2016, 1, 1), kind="split"))
    violates("memberchange_other_household_differs", lambda: MemberChange.objects.create(
        household=family, member=child_of(family), date=D(2016, 1, 1), kind="split", other_household=family,
        other_member=head_of(other)))
    violates("memberchange_other_household_between", lambda: MemberChange.objects.create(
        household=family, member=child_of(family), date=D(2016, 1, 1), kind="death", other_household=other,
        other_member=head_of(other)))
