"""The projects' services know who acts: a unit is set up where the actor may set up its project (a
county clerk in its county, the department of the project's channel in any, the city reviewer the
pilots), a record of a person by whoever may record the project's measure for its household;
whichever door calls. Nothing refused is written."""

from decimal import Decimal

import pytest

from common.actors import SYSTEM
from common.refusals import Refused
from households.services import role_grant
from projects.models import GuaranteeFund, Job, Pilot, Workshop
from projects.services import link_save, pilot_save, project_delete, project_save
from tests.conftest import DATIAN, NINGHUA

pytestmark = pytest.mark.django_db


def fund(county: str) -> GuaranteeFund:
    return GuaranteeFund(name=f"{county}担保基金", county_id=county, capital=Decimal("1000000"), founded_year=2015,
                         partner_bank="农村信用合作联社")


def test_a_clerk_sets_up_a_unit_only_in_their_own_county(places, ninghua_clerk):
    with pytest.raises(Refused) as e:
        project_save(actor=ninghua_clerk, record=fund(DATIAN))
    assert e.value.field == "county"
    with pytest.raises(Refused) as e:
        project_save(actor=ninghua_clerk, record=Workshop(name="外县车间", township=places.junxi, enterprise="茶厂",
                                                                     founded_year=2016))
    assert e.value.field == "township"
    project_save(actor=ninghua_clerk, record=fund(NINGHUA))
    assert list(GuaranteeFund.objects.values_list("county_id", flat=True)) == [NINGHUA]
    assert not Workshop.objects.exists()


def test_a_unit_of_another_county_is_neither_changed_nor_deleted(ninghua_clerk, datian_clerk):
    unit = project_save(actor=datian_clerk, record=fund(DATIAN))
    unit.capital = Decimal("1")
    with pytest.raises(Refused):
        project_save(actor=ninghua_clerk, record=unit)
    with pytest.raises(Refused):
        project_delete(actor=ninghua_clerk, record=unit)
    assert GuaranteeFund.objects.get(pk=unit.pk).capital == Decimal("1000000")


def test_the_department_of_a_projects_channel_sets_it_up_in_every_county_and_the_reviewer_in_none(city_reviewer):
    regulator = role_grant(actor=SYSTEM, username="renhang", role="channel_department", channels=["financial_support"])
    for county in (NINGHUA, DATIAN):
        project_save(actor=regulator, record=fund(county))
    with pytest.raises(Refused) as e:
        project_save(actor=city_reviewer, record=fund(NINGHUA))
    assert e.value.field is None
    assert GuaranteeFund.objects.count() == 2


def test_a_record_of_a_person_needs_whoever_may_record_for_the_household(poor, ninghua_clerk, datian_clerk):
    workshop = project_save(actor=ninghua_clerk, record=Workshop(name="城南车间", township=poor.village.township, enterprise="竹业",
                                                                 founded_year=2016))
    job = Job(workshop=workshop, member=poor.members.get(relation="head"), year=2016)
    with pytest.raises(Refused):
        link_save(actor=datian_clerk, record=job)
    assert not Job.objects.exists() and not poor.measures.exists()
    link_save(actor=ninghua_clerk, record=job)
    assert poor.measures.get().channel_id == "labor_mutual_aid"


def test_pilots_are_the_city_reviewers_to_choose(village, ninghua_clerk, city_reviewer):
    with pytest.raises(Refused):
        pilot_save(actor=ninghua_clerk, pilot=Pilot(kind="village", county_id=NINGHUA, village=village, year=2016))
    assert not Pilot.objects.exists()
    pilot_save(actor=city_reviewer, pilot=Pilot(kind="village", county_id=NINGHUA, village=village, year=2016))
    assert Pilot.objects.get().history.get().history_user == city_reviewer
