"""Services know who acts: every write of the registry takes its actor and refuses, whichever door
called, what that actor may not do (common.refusals.Refused, in Chinese, naming the field where the
refused value is one the actor chose); and the invariants the doors alone used to hold are the
services' own. Nothing refused is written."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import AlleviationModel, ExitRecord, Household, Member, ReliefMeasure, Township, Village
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def refused(call, **kwargs) -> Refused:
    with pytest.raises(Refused) as e:
        call(**kwargs)
    assert chinese(e.value.message), e.value.message
    return e.value


def new_household(village, number="NEW-1") -> Household:
    return Household(number=number, village=village, category="ordinary", main_cause_id="illness",
                     income_per_capita=Decimal("2000"))


# ---------------------------------------------------------------- households and members


def test_a_clerk_registers_households_only_in_their_own_county(places, ninghua_clerk):
    e = refused(services.household_save, actor=ninghua_clerk, household=new_household(places.chengguan),
                members=[member(id_number=resident_id(prefix="350425"))])
    assert e.field == "village"
    assert not Household.objects.filter(number="NEW-1").exists()
    services.household_save(actor=ninghua_clerk, household=new_household(places.chengnan), members=[member()])
    assert Household.objects.get(number="NEW-1").history.get().history_user == ninghua_clerk


def test_a_role_that_writes_in_no_county_registers_nothing(places, city_reviewer, health_department):
    for actor in (city_reviewer, health_department):
        e = refused(services.household_save, actor=actor, household=new_household(places.chengnan),
                    members=[member()])
        assert e.field is None
    assert not Household.objects.exists()


def test_a_clerk_changes_no_household_of_another_county(poor, datian_clerk):
    poor.phone = "0598-1234567"
    refused(services.household_save, actor=datian_clerk, household=poor)
    refused(services.household_remove, actor=datian_clerk, household=poor, reason="错评")
    refused(services.household_delete, actor=datian_clerk, household=poor)
    stored = Household.objects.get(pk=poor.pk)
    assert (stored.phone, stored.status) == ("", Household.Status.REGISTERED)


def test_a_household_is_moved_by_a_transfer_not_by_changing_its_village(poor, places, ninghua_clerk, datian_clerk):
    """Within the county or into another, the village field is refused naming it (迁移 instead);
    another county's clerk is refused before that, as for any change of the household."""
    for target in (places.chengbei, places.chengguan):
        poor.village = target
        with pytest.raises(ValidationError) as e:
            services.household_save(actor=ninghua_clerk, household=poor)
        assert "迁移" in e.value.message_dict["village"][0]
    refused(services.household_save, actor=datian_clerk, household=poor)
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk


def test_a_member_is_written_only_by_whoever_may_change_the_household(poor, datian_clerk, ninghua_clerk):
    newborn = member(household=poor, name="王婴", relation="child", labor="none",
                     id_number=resident_id(birth=datetime.date(2016, 1, 1)))
    refused(services.member_save, actor=datian_clerk, member=newborn)
    child = poor.members.get(relation="child")
    refused(services.member_delete, actor=datian_clerk, member=child)
    assert poor.members.count() == 2
    services.member_save(actor=ninghua_clerk, member=newborn)
    assert Member.history.filter(id=newborn.pk).get().history_user == ninghua_clerk


def test_a_member_keeps_its_household(poor, village, ninghua_clerk):
    other = household(village=village, number="NH-2")
    child = poor.members.get(relation="child")
    child.household = other
    with pytest.raises(ValidationError) as e:
        services.member_save(actor=ninghua_clerk, member=child)
    assert "household" in e.value.message_dict and chinese(e.value.message_dict["household"][0])
    assert Member.objects.get(pk=child.pk).household_id == poor.pk


# ---------------------------------------------------------------- exits, returns and measures


def test_an_exit_is_recorded_only_by_whoever_may_change_the_household(poor, datian_clerk, ninghua_clerk):
    record = ExitRecord(household=poor, year=2016, income_per_capita=Decimal("4000"))
    refused(services.exit_save, actor=datian_clerk, record=record)
    assert not ExitRecord.objects.exists()
    services.exit_save(actor=ninghua_clerk, record=record)
    refused(services.exit_delete, actor=datian_clerk, record=record)
    assert ExitRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("field", ["year", "household"])
def test_an_exits_household_and_year_are_fixed_once_recorded(poor, village, field):
    record = services.exit_save(actor=SYSTEM, record=ExitRecord(household=poor, year=2016,
                                                                income_per_capita=Decimal("4000")))
    if field == "year":
        record.year = 2017
    else:
        record.household = household(village=village, number="NH-2")
    with pytest.raises(ValidationError) as e:
        services.exit_save(actor=SYSTEM, record=record)
    assert list(e.value.message_dict) == [field] and chinese(e.value.message_dict[field][0])
    stored = ExitRecord.objects.get(pk=record.pk)
    assert (stored.household_id, stored.year) == (poor.pk, 2016)


def test_a_department_records_only_its_channels_measures_for_the_households_it_serves(village, health_department):
    ill = household(village=village, number="NH-ILL", main_cause_id="illness")
    poor_in_funds = household(village=village, number="NH-FUNDS", main_cause_id="lack_funds")
    aid = ReliefMeasure(household=ill, channel_id="medical_aid", year=2016, content="大病救助")
    services.measure_save(actor=health_department, measure=aid)
    refused(services.measure_save, actor=health_department,
            measure=ReliefMeasure(household=ill, channel_id="financial_support", year=2016, content="贷款"))
    refused(services.measure_save, actor=health_department,
            measure=ReliefMeasure(household=poor_in_funds, channel_id="medical_aid", year=2016, content="救助"))
    assert list(ReliefMeasure.objects.values_list("pk", flat=True)) == [aid.pk]


# ---------------------------------------------------------------- places, models, roles, imports


def test_a_clerk_adds_places_only_in_their_own_county(places, ninghua_clerk):
    services.place_save(actor=ninghua_clerk, place=Village(code="350424101299", name="新村", township=places.cuijiang))
    e = refused(services.place_save, actor=ninghua_clerk,
                place=Village(code="350425101299", name="外县村", township=places.junxi))
    assert e.field == "township"
    assert refused(services.place_save, actor=ninghua_clerk,
                   place=Township(code="350425199", name="外县乡", county_id="350425")).field == "county"
    assert list(Village.objects.filter(name__in=["新村", "外县村"]).values_list("name", flat=True)) == ["新村"]


def test_the_flags_the_plan_counts_are_the_reviewers(places, ninghua_clerk, city_reviewer):
    village = places.chengbei
    village.is_poor_village = True
    refused(services.place_save, actor=ninghua_clerk, place=village)
    assert not Village.objects.get(pk=village.pk).is_poor_village
    services.place_save(actor=city_reviewer, place=village)
    assert Village.objects.get(pk=village.pk).is_poor_village


def test_the_reviewer_names_the_eighth_model_and_nothing_else(city_reviewer, ninghua_clerk):
    eighth = AlleviationModel.objects.get(pk=services.BUREAU_DEFINED)
    eighth.name = "三明特色模式"
    refused(services.alleviation_model_save, actor=ninghua_clerk, model=eighth)
    services.alleviation_model_save(actor=city_reviewer, model=eighth)
    assert AlleviationModel.objects.get(pk=services.BUREAU_DEFINED).name == "三明特色模式"
    first = AlleviationModel.objects.get(pk="party_building")
    first.name = "改名"
    refused(services.alleviation_model_save, actor=city_reviewer, model=first)
    eighth.position = 1
    assert refused(services.alleviation_model_save, actor=city_reviewer, model=eighth).field == "position"
    assert AlleviationModel.objects.get(pk="party_building").name != "改名"


def test_only_a_superuser_grants_a_role(ninghua_clerk, django_user_model):
    refused(services.role_grant, actor=ninghua_clerk, username="mallory", role="city_reviewer")
    assert not django_user_model.objects.filter(username="mallory").exists()


def test_an_import_by_a_role_that_writes_in_no_county_reads_nothing_and_writes_nothing(village, city_reviewer):
    read = []

    def rows():
        read.append(True)
        return [services.SheetRow(2, {"village": village.code, "number": "X-1"})]

    refused(services.registry_import, actor=city_reviewer, rows=rows)
    assert read == [] and not Household.objects.exists()


def test_the_system_writes_anywhere_and_the_history_names_nobody(places):
    h = services.household_save(actor=SYSTEM, household=new_household(places.chengguan),
                                members=[member(id_number=resident_id(prefix="350425"))])
    assert h.history.get().history_user is None
