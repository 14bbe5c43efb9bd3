"""The five projects through the REST API (/api/v1/): each resource created, listed, changed and
deleted by the role the plan gives it; the bad inputs of issue 10 answered 400 naming the field with
nothing written; every list and detail scoped, and a list's query count not growing with its rows."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.actors import SYSTEM
from households.models import ReliefMeasure
from households.services import household_remove, measure_save, role_grant
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
from projects.services import link_save, pilot_save, project_save
from tests.conftest import DATIAN, NINGHUA, api_as
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

API = "/api/v1/"
UNITS = ["guarantee-funds", "workshops", "pilots", "education-funds", "training-institutions", "training-courses"]
LINKS = ["loans", "workshop-jobs", "public-posts", "student-aids", "trainings"]


def family(village, number, prefix=NINGHUA):
    """A household with a head who can work and a daughter at primary school."""
    return household(village=village, number=number, main_cause_id="lack_funds", members=[
        member(name=f"户主{number}", id_number=resident_id(prefix=prefix)),
        member(name=f"女儿{number}", relation="child", labor="none", schooling="primary",
               id_number=resident_id(prefix=prefix, birth=datetime.date(2008, 3, 1), sex="female")),
    ])


@pytest.fixture
def ninghua(places):
    return family(places.chengnan, "NH-1")


@pytest.fixture
def datian(places):
    return family(places.chengguan, "DT-1", DATIAN)


def head(h):
    return h.members.get(relation="head")


def child(h):
    return h.members.get(relation="child")


def loan_measure(h, **fields) -> ReliefMeasure:
    return measure_save(actor=SYSTEM, measure=ReliefMeasure(**{
        "household": h, "channel_id": "financial_support", "year": 2016, "content": "扶贫小额贷款",
        "amount": Decimal("50000"), "term_months": 36, **fields}))


def department(channel: str):
    return role_grant(actor=SYSTEM, username=f"dept_{channel}", role="channel_department", channels=[channel])


def build(h, township, village, tag: str = "") -> SimpleNamespace:
    """One record of every kind in the household's county, through the services."""
    county = township.county_id
    r = SimpleNamespace()
    r.fund = project_save(actor=SYSTEM, record=GuaranteeFund(name=f"担保基金{tag}", county_id=county, capital=Decimal("1000000"),
                                               partner_bank="农村信用社", founded_year=2015))
    r.loan = link_save(actor=SYSTEM, record=GuaranteedLoan(measure=loan_measure(h), fund=r.fund, issued_on=datetime.date(2016, 4, 1)))
    r.workshop = project_save(actor=SYSTEM, record=Workshop(name=f"车间{tag}", township=township, enterprise="竹木加工厂",
                                              founded_year=2016))
    r.job = link_save(actor=SYSTEM, record=Job(workshop=r.workshop, member=head(h), year=2016))
    r.post = link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=village, member=head(h), year=2016))
    r.pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="cooperative", name=f"合作社{tag}", county_id=county,
                                     link_type="enterprise_cooperative_household", year=2016), households=[h])
    r.education = project_save(actor=SYSTEM, record=EducationFund(name=f"助学基金{tag}", county_id=county, founded_year=2016))
    r.aid = link_save(actor=SYSTEM, record=StudentAid(fund=r.education, member=child(h), year=2016, amount=Decimal("500")))
    r.institution = project_save(actor=SYSTEM, record=TrainingInstitution(name=f"职业培训学校{tag}", county_id=county))
    r.course = project_save(actor=SYSTEM, record=TrainingCourse(institution=r.institution, name="电工培训", year=2016))
    r.training = link_save(actor=SYSTEM, record=Training(course=r.course, member=head(h)))
    return r


@pytest.fixture
def both(places, ninghua, datian):
    return SimpleNamespace(nh=build(ninghua, places.cuijiang, places.chengnan),
                           dt=build(datian, places.junxi, places.chengguan))


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ---------------------------------------------------------------- the contract


def test_root_lists_the_project_resources(admin_client):
    resources = admin_client.get(API).json()
    for name in [*UNITS, *LINKS, "alleviation-models"]:
        assert name in resources


def test_the_eight_models_are_reference_data(api_client):
    models = api_client.get(f"{API}alleviation-models/").json()
    assert len(models) == 8
    assert models[0] == {"code": "party_building", "name": "“三加三带型”党建扶贫模式", "position": 1}
    assert api_client.get(f"{API}alleviation-models/financial_guarantee/").json()["name"] == "融资担保型金融扶贫模式"


def test_a_measure_is_tagged_with_a_model_and_untagged(ninghua_clerk, ninghua):
    client = api_as(ninghua_clerk)
    body = {"household": ninghua.pk, "channel": "financial_support", "year": 2016, "content": "产业贷款",
            "alleviation_model": "financial_guarantee"}
    created = client.post(f"{API}measures/", body)
    assert created.status_code == 201 and created.json()["alleviation_model"] == "financial_guarantee"
    tagged = results(client.get(f"{API}measures/?alleviation_model=financial_guarantee"))
    assert [m["id"] for m in tagged] == [created.json()["id"]]
    assert results(client.get(f"{API}measures/?alleviation_model=tourism")) == []
    url = f"{API}measures/{created.json()['id']}/"
    assert client.patch(url, {"alleviation_model": None}).json()["alleviation_model"] is None
    bad = client.patch(url, {"alleviation_model": "no_such_model"})
    assert bad.status_code == 400 and "alleviation_model" in bad.json()
    assert ReliefMeasure.objects.get(pk=created.json()["id"]).alleviation_model is None


# ---------------------------------------------------------------- the units: create, list, change, delete


def test_a_clerk_sets_up_a_fund_of_their_county(ninghua_clerk, places):
    client = api_as(ninghua_clerk)
    body = {"name": "宁化县扶贫担保基金", "county": NINGHUA, "township": places.cuijiang.code, "capital": "2000000.00",
            "partner_bank": "宁化县农村信用合作联社", "founded_year": 2015}
    created = client.post(f"{API}guarantee-funds/", body)
    assert created.status_code == 201, created.content
    fund = created.json()
    assert {k: fund[k] for k in body} == body
    assert [f["id"] for f in results(client.get(f"{API}guarantee-funds/?county={NINGHUA}"))] == [fund["id"]]
    changed = client.patch(f"{API}guarantee-funds/{fund['id']}/", {"capital": "3000000.00"})
    assert changed.status_code == 200 and changed.json()["capital"] == "3000000.00"
    assert GuaranteeFund.history.order_by("-history_id").first().history_user == ninghua_clerk
    assert client.delete(f"{API}guarantee-funds/{fund['id']}/").status_code == 204
    assert not GuaranteeFund.objects.exists()


def test_a_unit_in_another_county_is_a_400_naming_its_place(ninghua_clerk, places, both):
    client = api_as(ninghua_clerk)
    cases = [
        ("guarantee-funds",
         {"name": "越界", "county": DATIAN, "capital": "1", "partner_bank": "银行", "founded_year": 2015}, "county"),
        ("workshops", {"name": "越界", "township": places.junxi.code, "enterprise": "企业", "founded_year": 2016},
         "township"),
        ("education-funds", {"name": "越界", "county": DATIAN, "founded_year": 2016}, "county"),
        ("training-institutions", {"name": "越界", "county": DATIAN}, "county"),
        # A 大田 institution is not one the 宁化 clerk can see: "does not exist".
        ("training-courses", {"institution": both.dt.institution.pk, "name": "越界", "year": 2016}, "institution"),
    ]
    for prefix, body, field in cases:
        response = client.post(f"{API}{prefix}/", body)
        assert response.status_code == 400 and field in response.json(), (prefix, response.content)
    # Nor may a unit of its county be moved out of it.
    response = client.patch(f"{API}guarantee-funds/{both.nh.fund.pk}/", {"county": DATIAN})
    assert response.status_code == 400 and "county" in response.json()
    assert GuaranteeFund.objects.get(pk=both.nh.fund.pk).county_id == NINGHUA
    assert GuaranteeFund.objects.count() == Workshop.objects.count() == TrainingCourse.objects.count() == 2


def test_a_clerk_never_sees_another_countys_records(ninghua_clerk, both):
    client = api_as(ninghua_clerk)
    for prefix in UNITS + LINKS:
        rows = results(client.get(f"{API}{prefix}/"))
        assert rows and {r["county"] for r in rows} == {NINGHUA}, prefix
    for prefix, record in (("guarantee-funds", both.dt.fund), ("loans", both.dt.loan), ("workshops", both.dt.workshop),
                           ("workshop-jobs", both.dt.job), ("public-posts", both.dt.post), ("pilots", both.dt.pilot),
                           ("education-funds", both.dt.education), ("student-aids", both.dt.aid),
                           ("training-institutions", both.dt.institution), ("training-courses", both.dt.course),
                           ("trainings", both.dt.training)):
        assert client.get(f"{API}{prefix}/{record.pk}/").status_code == 404, prefix
        assert client.patch(f"{API}{prefix}/{record.pk}/", {}).status_code in (403, 404), prefix
        assert client.delete(f"{API}{prefix}/{record.pk}/").status_code in (403, 404), prefix


def test_the_department_of_a_projects_channel_works_in_every_county(both, places):
    """Plan 四.2: 市人社局 runs the skills training city-wide; it reads no other project."""
    client = api_as(department("skills_training"))
    assert {r["county"] for r in results(client.get(f"{API}training-courses/"))} == {NINGHUA, DATIAN}
    assert results(client.get(f"{API}guarantee-funds/")) == []
    created = client.post(f"{API}training-institutions/", {"name": "大田技工学校", "county": DATIAN})
    assert created.status_code == 201, created.content
    # Nor does it set up another channel's project.
    refused = client.post(f"{API}workshops/", {"name": "均溪车间", "township": places.junxi.code, "enterprise": "企业",
                                               "founded_year": 2016})
    assert refused.status_code == 403 and not Workshop.objects.filter(name="均溪车间").exists()


def test_readers_write_no_unit(city_reviewer, api_client, both):
    body = {"name": "新基金", "county": NINGHUA, "capital": "1", "partner_bank": "银行", "founded_year": 2015}
    for client in (api_as(city_reviewer), api_client):
        assert client.post(f"{API}guarantee-funds/", body).status_code == 403
        assert client.patch(f"{API}guarantee-funds/{both.nh.fund.pk}/", {"capital": "1"}).status_code == 403
        assert client.delete(f"{API}guarantee-funds/{both.nh.fund.pk}/").status_code == 403
    assert not GuaranteeFund.objects.filter(name="新基金").exists()


def test_a_unit_others_point_to_is_not_deleted(ninghua_clerk, both):
    client = api_as(ninghua_clerk)
    for prefix, record in (("guarantee-funds", both.nh.fund), ("workshops", both.nh.workshop),
                           ("education-funds", both.nh.education), ("training-institutions", both.nh.institution),
                           ("training-courses", both.nh.course)):
        response = client.delete(f"{API}{prefix}/{record.pk}/")
        assert response.status_code == 409, prefix
        assert type(record).objects.filter(pk=record.pk).exists()


def test_workshops_education_funds_and_courses_through_the_api(ninghua_clerk, places):
    client = api_as(ninghua_clerk)
    workshop = client.post(f"{API}workshops/", {
        "name": "翠江竹编车间", "township": places.cuijiang.code, "village": places.chengnan.code,
        "enterprise": "宁化竹业公司", "founded_year": 2016, "alleviation_model": "enterprise_led"}).json()
    assert workshop["county"] == NINGHUA and workshop["alleviation_model"] == "enterprise_led"
    other_village = client.patch(f"{API}workshops/{workshop['id']}/", {"village": "350424102201"})
    assert other_village.status_code == 400 and "village" in other_village.json()
    fund = client.post(f"{API}education-funds/", {"name": "翠江助学基金", "county": NINGHUA, "founded_year": 2016,
                                                  "government_funds": "50000", "donations": "20000.50"}).json()
    assert fund["raised"] == "70000.50"
    institution = client.post(f"{API}training-institutions/", {"name": "宁化职校", "county": NINGHUA}).json()
    course = client.post(f"{API}training-courses/", {"institution": institution["id"], "name": "电工", "year": 2016,
                                                     "started_on": "2016-03-01", "ended_on": "2016-04-01"})
    assert course.status_code == 201 and course.json()["county"] == NINGHUA
    backwards = client.patch(f"{API}training-courses/{course.json()['id']}/", {"ended_on": "2016-02-01"})
    assert backwards.status_code == 400 and "ended_on" in backwards.json()
    for prefix, record in (("training-courses", course.json()), ("training-institutions", institution),
                           ("education-funds", fund), ("workshops", workshop)):
        assert client.delete(f"{API}{prefix}/{record['id']}/").status_code == 204, prefix


# ---------------------------------------------------------------- the records of a person


def test_a_loan_shows_its_measures_household_amount_and_term(ninghua_clerk, ninghua, both):
    client = api_as(ninghua_clerk)
    measure = loan_measure(ninghua, amount=Decimal("30000"), term_months=24)
    created = client.post(f"{API}loans/", {"fund": both.nh.fund.pk, "measure": measure.pk, "issued_on": "2016-05-01",
                                           "interest_subsidy": "1200"})
    assert created.status_code == 201, created.content
    loan = created.json()
    assert (loan["household"], loan["household_number"], loan["amount"], loan["term_months"], loan["county"]) == (
        ninghua.pk, "NH-1", "30000.00", 24, NINGHUA)
    changed = client.patch(f"{API}loans/{loan['id']}/", {"repaid_on": "2017-05-01", "amount": "1"})
    assert changed.status_code == 200 and changed.json()["amount"] == "30000.00"  # the measure's, read-only
    assert [r["id"] for r in results(client.get(f"{API}loans/?repaid=true"))] == [loan["id"]]
    assert client.delete(f"{API}loans/{loan['id']}/").status_code == 204
    assert ReliefMeasure.objects.filter(pk=measure.pk).exists()


def test_a_fund_shows_its_outstanding_guarantees_and_the_households_served(ninghua_clerk, ninghua, both):
    client = api_as(ninghua_clerk)
    second = loan_measure(ninghua, amount=Decimal("20000"), term_months=12)
    repaid = link_save(actor=SYSTEM, record=GuaranteedLoan(measure=second, fund=both.nh.fund, issued_on=datetime.date(2016, 6, 1)))
    fund = client.get(f"{API}guarantee-funds/{both.nh.fund.pk}/").json()
    # Two loans of one household, 50,000 + 20,000 yuan, none repaid.
    assert (fund["loan_count"], fund["outstanding"], fund["households_served"]) == (2, "70000.00", 1)
    repaid.repaid_on = datetime.date(2017, 6, 1)
    link_save(actor=SYSTEM, record=repaid)
    fund = client.get(f"{API}guarantee-funds/{both.nh.fund.pk}/").json()
    assert (fund["loan_count"], fund["outstanding"], fund["households_served"]) == (2, "50000.00", 1)
    empty = client.post(f"{API}guarantee-funds/", {"name": "泉上镇担保基金", "county": NINGHUA, "capital": "500000",
                                                  "partner_bank": "邮储银行", "founded_year": 2016}).json()
    assert (empty["loan_count"], empty["outstanding"], empty["households_served"]) == (0, "0.00", 0)


def test_a_loan_needs_its_measure(ninghua_clerk, both):
    response = api_as(ninghua_clerk).post(f"{API}loans/", {"fund": both.nh.fund.pk, "issued_on": "2016-05-01"})
    assert response.status_code == 400 and "measure" in response.json()


def test_a_loan_guaranteed_by_another_countys_fund_is_refused(ninghua, both):
    """Issue 10: the department of 金融扶持 sees both funds; the model's rule names the fund."""
    measure = loan_measure(ninghua)
    before = GuaranteedLoan.objects.count()
    response = api_as(department("financial_support")).post(
        f"{API}loans/", {"fund": both.dt.fund.pk, "measure": measure.pk, "issued_on": "2016-05-01"})
    assert response.status_code == 400, response.content
    assert "大田县" in " ".join(response.json()["fund"])
    assert GuaranteedLoan.objects.count() == before and not hasattr(ReliefMeasure.objects.get(pk=measure.pk),
                                                                     "guaranteed_loan")


def test_a_clerk_cannot_name_another_countys_fund(ninghua_clerk, ninghua, both):
    response = api_as(ninghua_clerk).post(
        f"{API}loans/", {"fund": both.dt.fund.pk, "measure": loan_measure(ninghua).pk, "issued_on": "2016-05-01"})
    assert response.status_code == 400 and "fund" in response.json()


def test_a_job_without_a_measure_records_one(ninghua_clerk, ninghua, both):
    client = api_as(ninghua_clerk)
    created = client.post(f"{API}workshop-jobs/", {"workshop": both.nh.workshop.pk, "member": child(ninghua).pk,
                                                   "year": 2017, "monthly_wage": "1800"})
    assert created.status_code == 201, created.content
    job = created.json()
    assert (job["member_name"], job["household"], job["household_number"]) == ("女儿NH-1", ninghua.pk, "NH-1")
    assert "id_number" not in job
    measure = ReliefMeasure.objects.get(pk=job["measure"])
    assert (measure.household, measure.channel_id, measure.year) == (ninghua, "labor_mutual_aid", 2017)
    changed = client.patch(f"{API}workshop-jobs/{job['id']}/", {"monthly_wage": "2000"})
    assert changed.json()["monthly_wage"] == "2000.00"
    assert client.delete(f"{API}workshop-jobs/{job['id']}/").status_code == 204


def test_a_measure_of_another_household_or_channel_is_refused(ninghua_clerk, ninghua, places, both):
    client = api_as(ninghua_clerk)
    other = family(places.chengnan, "NH-2")
    theirs = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=other, channel_id="labor_mutual_aid", year=2017,
                                                content="务工"))
    medical = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=ninghua, channel_id="medical_aid", year=2017,
                                                 content="大病救助"))
    before = (Job.objects.count(), ReliefMeasure.objects.count())
    for measure in (theirs, medical):
        response = client.post(f"{API}workshop-jobs/", {"workshop": both.nh.workshop.pk, "member": child(ninghua).pk,
                                                        "year": 2017, "measure": measure.pk})
        assert response.status_code == 400 and "measure" in response.json(), response.content
    assert (Job.objects.count(), ReliefMeasure.objects.count()) == before


def test_a_post_for_a_member_of_a_removed_household_is_refused(ninghua_clerk, ninghua, places):
    household_remove(actor=SYSTEM, household=ninghua, reason="识别不准")
    before = ReliefMeasure.objects.count()
    response = api_as(ninghua_clerk).post(f"{API}public-posts/", {
        "kind": "road_maintenance", "village": places.chengnan.code, "member": head(ninghua).pk, "year": 2017})
    assert response.status_code == 400 and "已清退" in " ".join(response.json()["member"])
    assert not PublicPost.objects.exists() and ReliefMeasure.objects.count() == before


def test_a_post_in_a_village_of_another_county_is_refused(ninghua_clerk, ninghua, places):
    response = api_as(ninghua_clerk).post(f"{API}public-posts/", {
        "kind": "road_maintenance", "village": places.chengguan.code, "member": head(ninghua).pk, "year": 2017})
    assert response.status_code == 400 and "village" in response.json()
    assert not PublicPost.objects.exists()


def test_public_posts_through_the_api(ninghua_clerk, ninghua, places):
    client = api_as(ninghua_clerk)
    created = client.post(f"{API}public-posts/", {"kind": "road_maintenance", "title": "县道养护", "year": 2017,
                                                  "village": places.chengnan.code, "member": head(ninghua).pk})
    assert created.status_code == 201, created.content
    post = created.json()
    assert post["county"] == NINGHUA and post["household_number"] == "NH-1"
    assert client.patch(f"{API}public-posts/{post['id']}/", {"monthly_pay": "600"}).status_code == 200
    assert [p["id"] for p in results(client.get(f"{API}public-posts/?kind=road_maintenance"))] == [post["id"]]
    assert client.delete(f"{API}public-posts/{post['id']}/").status_code == 204


def test_student_aids_through_the_api(ninghua_clerk, ninghua, both):
    client = api_as(ninghua_clerk)
    created = client.post(f"{API}student-aids/", {"fund": both.nh.education.pk, "member": child(ninghua).pk,
                                                  "year": 2017, "amount": "800"})
    assert created.status_code == 201, created.content
    aid = created.json()
    assert ReliefMeasure.objects.get(pk=aid["measure"]).channel_id == "education_aid"
    not_in_school = client.post(f"{API}student-aids/", {"fund": both.nh.education.pk, "member": head(ninghua).pk,
                                                        "year": 2017, "amount": "800"})
    assert not_in_school.status_code == 400 and "member" in not_in_school.json()
    assert client.patch(f"{API}student-aids/{aid['id']}/", {"amount": "900"}).json()["amount"] == "900.00"
    assert client.delete(f"{API}student-aids/{aid['id']}/").status_code == 204


def test_the_training_department_records_trainings_in_every_county(datian, both):
    client = api_as(role_grant(actor=SYSTEM, username="renshe", role="channel_department", channels=["skills_training"]))
    # 市人社局 serves the households of its channel: those already trained (a measure of its channel).
    created = client.post(f"{API}trainings/", {"course": both.dt.course.pk, "member": child(datian).pk,
                                               "certified": True})
    assert created.status_code == 201, created.content
    training = created.json()
    assert training["county"] == DATIAN and training["fee_waived"] and training["certified"]
    assert ReliefMeasure.objects.get(pk=training["measure"]).channel_id == "skills_training"
    assert client.patch(f"{API}trainings/{training['id']}/", {"job_referred": True}).json()["job_referred"]
    assert client.delete(f"{API}trainings/{training['id']}/").status_code == 204
    # Another channel's record is not its to write, even of a household it sees.
    response = client.patch(f"{API}workshop-jobs/{both.dt.job.pk}/", {"monthly_wage": "1"})
    assert response.status_code == 403


def test_readers_record_nothing(city_reviewer, api_client, ninghua, both):
    body = {"workshop": both.nh.workshop.pk, "member": child(ninghua).pk, "year": 2017}
    for client in (api_as(city_reviewer), api_client):
        assert client.post(f"{API}workshop-jobs/", body).status_code == 403
        assert client.patch(f"{API}trainings/{both.nh.training.pk}/", {"certified": True}).status_code == 403
        assert client.delete(f"{API}loans/{both.nh.loan.pk}/").status_code == 403
    assert Job.objects.count() == 2


# ---------------------------------------------------------------- pilots


def test_the_reviewer_chooses_pilots(city_reviewer, ninghua_clerk, places, ninghua):
    client = api_as(city_reviewer)
    village = client.post(f"{API}pilots/", {"kind": "village", "county": NINGHUA, "village": places.chengnan.code,
                                            "year": 2016, "alleviation_model": "party_building"})
    assert village.status_code == 201, village.content
    assert village.json()["name"] == "城南村" and village.json()["household_count"] == 0
    farm = client.post(f"{API}pilots/", {"kind": "family_farm", "name": "翠江家庭农场", "county": NINGHUA,
                                         "link_type": "enterprise_farm_household", "year": 2016,
                                         "households": [ninghua.pk]}).json()
    assert farm["households"] == [{"id": ninghua.pk, "number": "NH-1"}] and farm["household_count"] == 1
    no_link = client.patch(f"{API}pilots/{farm['id']}/", {"link_type": ""})
    assert no_link.status_code == 400 and "link_type" in no_link.json()
    emptied = client.patch(f"{API}pilots/{farm['id']}/", {"households": []})
    assert emptied.status_code == 200 and emptied.json()["household_count"] == 0
    # The clerk reads the pilots of the county, chooses none.
    clerk = api_as(ninghua_clerk)
    assert len(results(clerk.get(f"{API}pilots/"))) == 2
    assert clerk.patch(f"{API}pilots/{farm['id']}/", {"name": "改名"}).status_code == 403
    assert client.delete(f"{API}pilots/{farm['id']}/").status_code == 204
    assert list(Pilot.objects.values_list("kind", flat=True)) == ["village"]


def test_a_pilot_bringing_along_a_removed_household_is_refused(city_reviewer, ninghua):
    household_remove(actor=SYSTEM, household=ninghua, reason="识别不准")
    response = api_as(city_reviewer).post(f"{API}pilots/", {
        "kind": "enterprise", "name": "龙头企业", "county": NINGHUA, "link_type": "enterprise_household", "year": 2016,
        "households": [ninghua.pk]})
    assert response.status_code == 400 and "households" in response.json()
    assert not Pilot.objects.exists()


def test_a_reader_never_sees_a_household_of_another_county_through_a_pilot(city_reviewer, datian_clerk, ninghua,
                                                                           datian):
    pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", name="大田茶业", county_id=DATIAN,
                                   link_type="enterprise_household", year=2016), households=[ninghua, datian])
    client = api_as(datian_clerk)
    for response in (client.get(f"{API}pilots/{pilot.pk}/"), client.get(f"{API}pilots/")):
        assert response.status_code == 200
        assert "NH-1" not in response.content.decode()
    shown = client.get(f"{API}pilots/{pilot.pk}/").json()
    assert shown["households"] == [{"id": datian.pk, "number": "DT-1"}] and shown["household_count"] == 2
    assert len(api_as(city_reviewer).get(f"{API}pilots/{pilot.pk}/").json()["households"]) == 2


# ---------------------------------------------------------------- cost


def list_queries(client, prefix: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{API}{prefix}/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("prefix", [*UNITS, *LINKS])
def test_a_list_costs_the_same_queries_for_more_rows(prefix, places, ninghua):
    client = api_as(role_grant(actor=SYSTEM, username="clerk", role="county_clerk", counties=[NINGHUA]))
    build(ninghua, places.cuijiang, places.chengnan, "0")
    list_queries(client, prefix)  # the caller's role and its counties read once, then kept for the token
    one = list_queries(client, prefix)
    for i in range(1, 4):
        build(family(places.chengnan, f"NH-{i + 10}"), places.cuijiang, places.chengnan, str(i))
    many = client.get(f"{API}{prefix}/").json()
    assert many["count"] == 4
    assert list_queries(client, prefix) == one, prefix
