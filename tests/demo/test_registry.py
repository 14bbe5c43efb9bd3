"""The demo registry and the bulk path it is written through."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from common.actors import SYSTEM
from demo import registry as demo
from households import services
from households.audit import run_audit
from households.models import ExitRecord, Household, Member, ReturnRecord, Village
from households.validators import parse_resident_id
from plans.checks import run_checks
from plans.models import AnnexRow, VillageIncome
from plans.selectors import quota_progress
from projects.models import (
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)
from tests.factories import VillageFactory, household, member, resident_id
from workflows.risk_models import ReturnRisk

pytestmark = pytest.mark.django_db


def test_same_seed_same_registry():
    a, b = demo.build(persons=400, seed=7), demo.build(persons=400, seed=7)
    assert [m.id_number for m in a.members] == [m.id_number for m in b.members]
    assert [h.number for h in a.households] != [h.number for h in demo.build(persons=400, seed=8).households]


def test_demo_people_are_plausible():
    registry = demo.build(persons=1500, seed=1)
    assert abs(len(registry.members) - 1500) < 12 * 8  # each county stops at its share, within a household
    for m in registry.members:
        rid = parse_resident_id(m.id_number)
        assert (rid.sex, rid.birth_date) == (m.sex, m.birth_date)
        assert m.id_number[:6] == m.household.village.code[:6]
        age = 2014 - m.birth_date.year
        assert not (age < 16 and m.labor != "none"), "no child listed as a labourer"
    wubao = [h for h in registry.households if h.category == "wubao"]
    assert wubao and all(e.persons >= 1 for e in registry.exits)


def test_the_places_the_plan_counts_are_flagged_in_its_numbers():
    registry = demo.build(persons=300, seed=5)
    assert sum(t.is_city_key for t in registry.townships) == 20
    assert sum(t.is_ethnic for t in registry.townships) == 2
    assert not any(t.is_city_key and t.is_ethnic for t in registry.townships)
    poor = [v for v in registry.villages if v.is_poor_village]
    assert len(poor) == 380
    hollow = [v for v in registry.villages if v.is_hollow]
    assert hollow and set(hollow) <= set(poor)


def test_seed_demo_writes_through_the_bulk_path_with_history(capsys):
    call_command("seed_demo", "--persons", "800", "--seed", "3")
    assert "演示登记库" in capsys.readouterr().out
    registered = Member.objects.filter(joined_on__isnull=True)  # not joined by a later change
    assert 800 <= registered.count() < 900
    assert Household.history.count() >= Household.objects.count()
    statuses = set(Household.objects.values_list("status", flat=True))
    assert statuses <= {"registered", "exited", "returned", "removed"} and "exited" in statuses
    # Removed only by a merge (并户), which empties the household merged in.
    assert all("并户" in r for r in Household.objects.filter(status="removed").values_list("removed_reason", flat=True))
    for h in Household.objects.filter(status="returned")[:20]:
        assert h.returns.count() == h.exits.count()
    rows = quota_progress(as_of=datetime.date(2019, 1, 1))
    assert sum(r.exited for r in rows) > 0
    # Its last year's setbacks warned of, as the bureau's page shows them: each an exited household
    # whose 2018 income fell by more than a fifth from 2017's.
    drops = [r for r in ReturnRisk.objects.filter(state=ReturnRisk.State.OPEN) if "income_drop" in r.reasons]
    assert drops
    for risk in drops[:20]:
        figures = dict(risk.household.incomes.filter(year__in=(2017, 2018)).values_list("year", "per_capita"))
        assert risk.household.status == "exited" and figures[2018] < figures[2017] * Decimal("0.8")
    with pytest.raises(CommandError, match="已有贫困户"):
        call_command("seed_demo", "--persons", "100")
    call_command("seed_demo", "--persons", "100", "--if-empty")  # the quick start runs it every time
    assert 800 <= registered.count() < 900


def test_seed_demo_without_the_reference_data_says_to_load_it():
    AnnexRow.objects.all().delete()  # a database migrated but never given load_reference_data
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("seed_demo", "--persons", "100")
    assert not Household.objects.exists()


def test_bulk_path_refuses_bad_records_and_writes_nothing():
    village = VillageFactory()
    taken = household().members.get().id_number

    def attempt(members):
        h = Household(number="BULK-1", village=village, category="ordinary", main_cause_id="illness",
                      income_per_capita=1)
        for m in members:
            m.household = h
        with pytest.raises(ValidationError) as e:
            services.registry_bulk_create(actor=SYSTEM, households=[h], members=members)
        assert not Household.objects.filter(number="BULK-1").exists()
        return " ".join(e.value.messages)

    assert "每户只能有一名户主" in attempt([member(), member(name="李四")])
    assert "已登记在另一个有效的贫困户中" in attempt([member(id_number=taken)])
    bad = resident_id()
    assert "校验码" in attempt([member(id_number=bad[:-1] + ("0" if bad[-1] != "0" else "1"))])
    assert ExitRecord.objects.count() == ReturnRecord.objects.count() == 0


def test_bulk_path_refuses_unknown_codes():
    h = Household(number="BULK-2", village_id="350424999999", category="ordinary", main_cause_id="bad_luck",
                  income_per_capita=1)
    with pytest.raises(ValidationError) as e:
        services.registry_bulk_create(actor=SYSTEM, households=[h], members=[member(household=h)])
    assert "贫困户 BULK-2: 未知的村代码：350424999999" in e.value.messages
    assert "贫困户 BULK-2: 未知的致贫原因：bad_luck" in e.value.messages
    assert [(p.field, p.record is h) for p in e.value.problems] == [("village", True), ("main_cause", True)]


def test_people_and_2014_exits_per_county_meet_the_annex_to_the_person():
    from plans.models import AnnexRow

    registry = demo.build(persons=20000, seed=2)
    people, out_2014 = {}, {}
    for m in registry.members:
        people[m.id_number[:6]] = people.get(m.id_number[:6], 0) + 1
    for e in registry.exits:
        if e.year == 2014:
            out_2014[e.household.county_code] = out_2014.get(e.household.county_code, 0) + e.persons
    for row in AnnexRow.objects.filter(county__isnull=False):
        share = round(row.registered * 20000 / demo.CITY_PERSONS)
        assert people.get(row.county_id) == share, row.label
        assert out_2014.get(row.county_id, 0) == round(share * row.exited_2014 / row.registered), row.label


PROJECT_MODELS = [GuaranteeFund, GuaranteedLoan, Workshop, Job, PublicPost, Pilot, EducationFund, StudentAid,
                  TrainingInstitution, TrainingCourse, Training]


def test_the_demos_projects_satisfy_the_plans_pilot_ranges_and_their_rules():
    call_command("seed_demo", "--persons", "1500", "--seed", "4", verbosity=0)
    findings = {f.check: f for f in run_checks("records")}
    for code in ("pilots.villages", "pilots.enterprises", "pilots.poor_villages"):
        assert findings[code].ok, (code, findings[code].actual)
    assert 20 <= Pilot.objects.filter(kind="village").count() <= 30
    organisations = Pilot.objects.exclude(kind="village")
    assert 10 <= organisations.count() <= 20
    assert all(p.households.exists() for p in organisations)
    # The rules bulk writing skips: each record passes its clean() (and its measure's channel, household, year).
    for model in PROJECT_MODELS:
        records = list(model.objects.all())
        assert records, model
        for record in records:
            record.full_clean()
    assert not run_audit(checks=["training_after_exit"])
    # Every county runs the four county projects; each loan is a 金融扶持 loan of the fund's county.
    for model in (GuaranteeFund, Workshop, EducationFund, TrainingInstitution):
        assert model.objects.values("county").distinct().count() == 12, model
    assert all(loan.measure.alleviation_model_id == "financial_guarantee" for loan in GuaranteedLoan.objects.all())
    assert Job.history.count() == Job.objects.count()


def test_same_seed_same_projects():
    def drawn(registry):
        return [(type(r).__name__, str(r)) for records in registry.projects.values() for r in records]

    a, b = demo.build(persons=600, seed=7), demo.build(persons=600, seed=7)
    assert drawn(a) == drawn(b) and len(drawn(a)) > 100
    assert [(p.name, h.number) for p, h in a.pilot_households] == [(p.name, h.number) for p, h in b.pilot_households]


def test_the_demos_poor_villages_have_incomes_at_every_stage():
    call_command("seed_demo", "--persons", "600", "--seed", "6", verbosity=0)
    poor = Village.objects.filter(is_poor_village=True)
    assert VillageIncome.objects.filter(village__in=poor).count() == poor.count() * 5  # 2014–2018
    assert not VillageIncome.objects.exclude(village__in=poor).exists()
    for income in VillageIncome.objects.all():
        income.full_clean()
    hollow = VillageIncome.objects.filter(village__is_hollow=True)
    assert set(hollow.filter(year=2014).values_list("own_income", flat=True)) == {0}
    # The villages page has villages that met the 2018 stage and villages that fell short.
    findings = {f.check: f for f in run_checks("records", as_of=datetime.date(2019, 1, 1))}
    short_2018 = findings["village_income.2018"].actual
    assert 0 < short_2018 < hollow.filter(year=2018).count()
    assert findings["village_income.2016"].actual == 0  # every hollow village earns something by 2016


def test_bulk_path_takes_the_demos_incomes_by_source_in_place_of_its_own():
    from decimal import Decimal

    from households.models import HouseholdIncome

    village = VillageFactory()

    def batch(total_2016, number="BULK-3"):
        h = Household(number=number, village=village, category="ordinary", main_cause_id="illness",
                      identified_year=2014, income_per_capita=Decimal(2000))
        people = [member(household=h), member(household=h, name="李四", relation="spouse", sex="female",
                                                id_number=resident_id(sex="female"))]
        exit_2015 = ExitRecord(household=h, year=2015, persons=2, income_per_capita=Decimal(3300))
        h.status = Household.Status.EXITED
        given = [HouseholdIncome(household=h, year=2015, wages=Decimal(4000), business=Decimal(2000),
                                 property=Decimal(100), transfers=Decimal(500), total=Decimal(6600), persons=2,
                                 per_capita=Decimal(3300)),
                 HouseholdIncome(household=h, year=2016, wages=Decimal(5000), business=Decimal(2000),
                                 property=Decimal(0), transfers=Decimal(200), total=total_2016, persons=2,
                                 per_capita=total_2016 / 2)]
        return h, people, exit_2015, given

    h, people, exit_2015, given = batch(Decimal(7200))
    services.registry_bulk_create(actor=SYSTEM, households=[h], members=people, exits=[exit_2015], incomes=given)
    rows = {i.year: i for i in HouseholdIncome.objects.filter(household=h)}
    assert sorted(rows) == [2014, 2015, 2016]  # the identification year's figure from the bulk path itself
    assert rows[2014].wages is None and rows[2014].per_capita == 2000
    assert (rows[2015].wages, rows[2015].per_capita) == (4000, 3300)  # the given record, not a total of the exit's
    h.refresh_from_db()
    assert h.income_per_capita == Decimal(3600)  # the latest year's figure
    assert HouseholdIncome.history.filter(household_id=h.pk).count() == 3
    # A given record whose sources do not add up to its total: the database refuses, nothing written.
    h, people, exit_2015, given = batch(Decimal(7300), "BULK-4")
    # (Django's IntegrityError on SQLite, the driver's from PostgreSQL's COPY: both name the constraint)
    with pytest.raises(Exception, match="householdincome_total_is_sum"), transaction.atomic():
        services.registry_bulk_create(actor=SYSTEM, households=[h], members=people, exits=[exit_2015], incomes=given)
    assert not Household.objects.filter(number="BULK-4").exists()
    assert HouseholdIncome.objects.count() == 3
