"""The five projects in the admin: a clerk enters each kind of record through its form and it lands
through projects/services.py (the measure made where none is given, the history keeping who); the
issue's bad inputs are refused on their field with nothing written; a clerk of another county neither
sees, opens nor is offered another county's records; the eighth model is the reviewer's to rename."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.actors import SYSTEM
from households.models import AlleviationModel, Household, ReliefChannel, ReliefMeasure
from households.services import household_remove, measure_save, member_save
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
from tests.conftest import DATIAN, NINGHUA
from tests.factories import VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db

# The inlines of each unit's page, by their prefix: an add or change form posts their management forms.
INLINES = {GuaranteeFund: ["loans"], Workshop: ["jobs"], EducationFund: ["aids"], TrainingInstitution: ["courses"],
           TrainingCourse: ["trainings"], Pilot: []}


def url(model, kind: str, *args) -> str:
    return reverse(f"admin:projects_{model._meta.model_name}_{kind}", args=args)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def post(client, model, data: dict, *args, rows: dict | None = None):
    """The add form of `model` (or its change form, given the record's pk), with its inlines' rows."""
    data = dict(data)
    for prefix in INLINES.get(model, []):
        data.update(inline(prefix, (rows or {}).get(prefix, [])))
    return client.post(url(model, "change" if args else "add", *args), data)


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


@pytest.fixture
def world(places):
    """The two counties (tests/conftest.py), a household in each (宁化: a head who works and a
    daughter at school), and a unit of every project in 大田."""
    cuijiang, chengnan, junxi, chengguan = places.cuijiang, places.chengnan, places.junxi, places.chengguan
    nh = household(village=chengnan, number="NH-1", main_cause_id="lack_funds", members=[
        member(name="李强"),
        member(name="李小", relation="child", labor="none", schooling="primary",
               id_number=resident_id(birth=datetime.date(2008, 3, 1), sex="female")),
    ])
    dt = household(village=chengguan, number="DT-1", main_cause_id="lack_skills",
                   members=[member(name="陈明", id_number=resident_id(prefix=DATIAN))])
    dt_fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="大田担保基金", county_id=DATIAN, capital=Decimal("1000000"),
                                                partner_bank="大田农商行", founded_year=2015))
    dt_workshop = project_save(actor=SYSTEM, record=Workshop(name="大田茶厂车间", township=junxi, enterprise="茶厂", founded_year=2016))
    dt_education = project_save(actor=SYSTEM, record=EducationFund(name="大田助学基金", county_id=DATIAN, founded_year=2016))
    dt_institution = project_save(actor=SYSTEM, record=TrainingInstitution(name="大田职校", county_id=DATIAN))
    dt_course = project_save(actor=SYSTEM, record=TrainingCourse(institution=dt_institution, name="茶艺培训", year=2016))
    dt_head = dt.members.get()
    dt_job = link_save(actor=SYSTEM, record=Job(workshop=dt_workshop, member=dt_head, year=2016))
    dt_training = link_save(actor=SYSTEM, record=Training(course=dt_course, member=dt_head))
    return {
        "cuijiang": cuijiang, "chengnan": chengnan, "junxi": junxi, "chengguan": chengguan, "nh": nh, "dt": dt,
        "head": nh.members.get(relation="head"), "child": nh.members.get(relation="child"), "dt_head": dt_head,
        "dt_fund": dt_fund, "dt_workshop": dt_workshop, "dt_education": dt_education,
        "dt_institution": dt_institution, "dt_course": dt_course, "dt_job": dt_job, "dt_training": dt_training,
    }


def loan_measure(h: Household, year=2016) -> ReliefMeasure:
    return measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id="financial_support", year=year,
                                              content="扶贫小额贷款", amount=Decimal("30000"), term_months=36))


# ---------------------------------------------------------------- each kind, through the services


def test_clerk_adds_each_kind_of_record_through_the_services(world, ninghua_clerk):
    clerk, w = as_user(ninghua_clerk), world

    def add(model, data, **rows):
        response = post(clerk, model, data, rows=rows or None)
        assert response.status_code == 302, response.context["adminform"].form.errors
        record = model.objects.order_by("-pk").first()
        assert record.history.earliest().history_user == ninghua_clerk
        return record

    fund = add(GuaranteeFund, {"name": "宁化担保基金", "county": NINGHUA, "township": w["cuijiang"].code,
                               "capital": "2000000", "partner_bank": "宁化农商行", "founded_year": "2015"})
    measure = loan_measure(w["nh"])
    loan = add(GuaranteedLoan, {"measure": measure.pk, "fund": fund.pk, "interest_subsidy": "900",
                                "issued_on": "2016-04-01"})
    assert loan.measure == measure and loan.fund == fund
    workshop = add(Workshop, {"name": "翠江竹编车间", "township": w["cuijiang"].code, "village": w["chengnan"].code,
                              "enterprise": "竹编厂", "founded_year": "2016", "alleviation_model": "enterprise_led"})
    assert workshop.county_id == NINGHUA  # the township's, kept by the model
    job = add(Job, {"workshop": workshop.pk, "member": w["head"].pk, "year": "2016", "monthly_wage": "1800"})
    post_ = add(PublicPost, {"kind": "village_cleaner", "village": w["chengnan"].code, "member": w["head"].pk,
                             "year": "2017"})
    education = add(EducationFund, {"name": "宁化助学基金", "county": NINGHUA, "founded_year": "2016",
                                    "government_funds": "50000", "donations": "10000"})
    aid = add(StudentAid, {"fund": education.pk, "member": w["child"].pk, "year": "2016", "amount": "800"})
    institution = add(TrainingInstitution, {"name": "宁化职校", "county": NINGHUA})
    course = add(TrainingCourse, {"institution": institution.pk, "name": "电工培训", "year": "2016"})
    training = add(Training, {"course": course.pk, "member": w["head"].pk, "fee_waived": "on", "certified": "on"})
    # No measure given: the service recorded one of the project's channel, for the household, in the year.
    for record, channel, year in ((job, "labor_mutual_aid", 2016), (post_, "labor_mutual_aid", 2017),
                                  (aid, "education_aid", 2016), (training, "skills_training", 2016)):
        assert (record.measure.household, record.measure.channel_id, record.measure.year) == (w["nh"], channel, year)
        assert record.measure.history.get().history_user == ninghua_clerk
    assert (training.fee_waived, training.board_waived, training.certified) == (True, False, True)


def test_reviewer_chooses_a_pilot_through_the_service(world, city_reviewer):
    reviewer = as_user(city_reviewer)
    data = {"kind": "enterprise", "name": "宁化竹业公司", "county": NINGHUA, "link_type": "enterprise_household",
            "alleviation_model": "enterprise_led", "year": "2016", "households": [world["nh"].pk, world["dt"].pk]}
    response = post(reviewer, Pilot, data)
    assert response.status_code == 302, form_errors(response)
    pilot = Pilot.objects.get(name="宁化竹业公司")
    assert set(pilot.households.all()) == {world["nh"], world["dt"]}
    assert {h.history_user for h in pilot.history.all()} == {city_reviewer}
    # The pilot village brings along its own village's households: none listed.
    response = post(reviewer, Pilot, {"kind": "village", "county": NINGHUA, "village": world["chengnan"].code,
                                      "year": "2016", "households": [world["nh"].pk]})
    assert "试点示范村带动的是本村贫困户" in str(form_errors(response)["households"])
    # A household removed from the register is no household to bring along.
    household_remove(actor=SYSTEM, household=world["dt"], reason="识别不准")
    response = post(reviewer, Pilot, {**data, "name": "另一企业"})
    assert "已清退的户不能作为帮带贫困户：DT-1" in str(form_errors(response)["households"])
    assert not Pilot.objects.filter(name="另一企业").exists()


def test_jobs_and_courses_are_entered_on_their_units_page(world, datian_clerk):
    """The inlines: a workshop's workers and an institution's courses, saved through the services."""
    other, w = as_user(datian_clerk), world
    workshop = w["dt_workshop"]
    newcomer = member_save(actor=SYSTEM, member=member(household=w["dt"], name="陈二", relation="child",
                                         id_number=resident_id(prefix=DATIAN)))
    data = {"name": workshop.name, "township": w["junxi"].code, "enterprise": workshop.enterprise,
            "founded_year": "2016"}
    job = w["dt_job"]
    rows = {"jobs": [{"id": job.pk, "workshop": workshop.pk, "member": w["dt_head"].pk, "year": "2016"},
                     {"member": newcomer.pk, "year": "2017", "monthly_wage": "1500"}]}
    data.update(inline("jobs", rows["jobs"], initial=1))
    response = other.post(url(Workshop, "change", workshop.pk), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    added = Job.objects.get(member=newcomer)
    assert (added.year, added.measure.channel_id, added.measure.household) == (2017, "labor_mutual_aid", w["dt"])
    assert added.history.get().history_user == datian_clerk
    institution = w["dt_institution"]
    data = {"name": institution.name, "county": DATIAN, **inline("courses", [
        {"id": w["dt_course"].pk, "institution": institution.pk, "name": "茶艺培训", "year": "2016"},
        {"name": "电商培训", "year": "2017", "started_on": "2017-03-01"}], initial=1)}
    response = other.post(url(TrainingInstitution, "change", institution.pk), data)
    assert response.status_code == 302
    assert TrainingCourse.objects.get(name="电商培训").history.get().history_user == datian_clerk


def test_course_with_trainees_is_not_deleted_from_its_institution(world, datian_clerk):
    institution, course = world["dt_institution"], world["dt_course"]
    data = {"name": institution.name, "county": DATIAN, **inline("courses", [
        {"id": course.pk, "institution": institution.pk, "name": course.name, "year": "2016", "DELETE": "on"}],
        initial=1)}
    response = as_user(datian_clerk).post(url(TrainingInstitution, "change", institution.pk), data)
    assert response.status_code == 200
    assert TrainingCourse.objects.filter(pk=course.pk).exists()


# ---------------------------------------------------------------- the bad inputs


def test_loan_guaranteed_by_another_countys_fund_is_refused_on_fund(world, ninghua_clerk, admin_client):
    measure = loan_measure(world["nh"])
    data = {"measure": measure.pk, "fund": world["dt_fund"].pk, "interest_subsidy": "0", "issued_on": "2016-05-01"}
    # A clerk is not offered 大田's fund at all; a superuser, who is, is told why it cannot guarantee.
    errors = form_errors(post(as_user(ninghua_clerk), GuaranteedLoan, data))
    assert errors["fund"] == ["所选担保基金不存在，或不在您可以选择的范围内"]
    errors = form_errors(post(admin_client, GuaranteedLoan, data))
    assert "只能由本县的担保基金担保" in errors["fund"][0]
    assert not GuaranteedLoan.objects.exists()


def test_loan_needs_its_measure(world, ninghua_clerk):
    fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="宁化担保基金", county_id=NINGHUA, capital=Decimal("1"),
                                             partner_bank="农商行", founded_year=2015))
    errors = form_errors(post(as_user(ninghua_clerk), GuaranteedLoan,
                              {"fund": fund.pk, "interest_subsidy": "0", "issued_on": "2016-05-01"}))
    assert "measure" in errors
    assert not GuaranteedLoan.objects.exists()


def test_post_for_a_member_of_a_removed_household_is_refused_on_member(world, ninghua_clerk):
    household_remove(actor=SYSTEM, household=world["nh"], reason="识别不准")
    measures = ReliefMeasure.objects.count()
    errors = form_errors(post(as_user(ninghua_clerk), PublicPost, {
        "kind": "road_maintenance", "village": world["chengnan"].code, "member": world["head"].pk, "year": "2016"}))
    assert "户 NH-1 已清退，不是在册贫困户的成员" in errors["member"][0]
    assert not PublicPost.objects.exists() and ReliefMeasure.objects.count() == measures


def test_measure_of_another_household_is_refused_on_measure(world, ninghua_clerk):
    other = household(village=world["chengnan"], number="NH-2", members=[member(name="王五")])
    measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=other, channel_id="labor_mutual_aid", year=2016,
                                                 content="务工"))
    workshop = project_save(actor=SYSTEM, record=Workshop(name="宁化车间", township=world["cuijiang"], enterprise="厂",
                                            founded_year=2016))
    errors = form_errors(post(as_user(ninghua_clerk), Job, {
        "workshop": workshop.pk, "member": world["head"].pk, "year": "2016", "measure": measure.pk}))
    assert "不是李强所在的户" in errors["measure"][0]


# ---------------------------------------------------------------- scoping


def ninghua_records(w) -> dict:
    """One record of every projects model in 宁化 (its household NH-1)."""
    fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="宁化担保基金", county_id=NINGHUA, capital=Decimal("1"),
                                             partner_bank="农商行", founded_year=2015))
    workshop = project_save(actor=SYSTEM, record=Workshop(name="宁化车间", township=w["cuijiang"], enterprise="厂", founded_year=2016))
    education = project_save(actor=SYSTEM, record=EducationFund(name="宁化助学基金", county_id=NINGHUA, founded_year=2016))
    institution = project_save(actor=SYSTEM, record=TrainingInstitution(name="宁化职校", county_id=NINGHUA))
    course = project_save(actor=SYSTEM, record=TrainingCourse(institution=institution, name="电工培训", year=2016))
    return {
        GuaranteeFund: fund, Workshop: workshop, EducationFund: education, TrainingInstitution: institution,
        TrainingCourse: course,
        GuaranteedLoan: link_save(actor=SYSTEM, record=GuaranteedLoan(measure=loan_measure(w["nh"]), fund=fund,
                                                        issued_on=datetime.date(2016, 3, 1))),
        Job: link_save(actor=SYSTEM, record=Job(workshop=workshop, member=w["head"], year=2016)),
        PublicPost: link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=w["chengnan"], member=w["head"],
                                                year=2016)),
        StudentAid: link_save(actor=SYSTEM, record=StudentAid(fund=education, member=w["child"], year=2016, amount=Decimal("500"))),
        Training: link_save(actor=SYSTEM, record=Training(course=course, member=w["head"])),
        Pilot: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=w["chengnan"], year=2016)),
    }


def test_clerk_of_another_county_does_not_see_or_open_its_records(world, datian_clerk):
    records, other = ninghua_records(world), as_user(datian_clerk)
    for model, record in records.items():
        listed = other.get(url(model, "changelist")).context["cl"].result_list
        assert record not in listed, model
        response = other.get(url(model, "change", record.pk))
        assert response.status_code == 302 and response.url == reverse("admin:index"), model
        assert "不存在" in str(list(response.wsgi_request._messages)[0])
        assert other.get(url(model, "history", record.pk)).status_code == 403, model
        version = record.history.latest().history_id
        assert other.get(url(model, "simple_history", record.pk, version)).status_code == 403, model
    # Its own county's are there.
    assert world["dt_job"] in other.get(url(Job, "changelist")).context["cl"].result_list


def form_choices(client, model, field: str) -> set:
    form = client.get(url(model, "add")).context["adminform"].form
    return set(form.fields[field].queryset)


def autocomplete(client, remote: str, model, field: str) -> list[str]:
    response = client.get(reverse(f"admin:households_{remote}_autocomplete"), {
        "app_label": "projects", "model_name": model._meta.model_name, "field_name": field, "term": ""})
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


def test_clerk_of_another_county_is_not_offered_its_records(world, datian_clerk):
    records, other, w = ninghua_records(world), as_user(datian_clerk), world
    dt_measure = ReliefMeasure.objects.get(household=w["dt"], channel_id="labor_mutual_aid")
    assert form_choices(other, GuaranteedLoan, "fund") == {w["dt_fund"]}
    assert form_choices(other, Job, "workshop") == {w["dt_workshop"]}
    assert form_choices(other, StudentAid, "fund") == {w["dt_education"]}
    assert form_choices(other, Training, "course") == {w["dt_course"]}
    assert form_choices(other, TrainingCourse, "institution") == {w["dt_institution"]}
    assert form_choices(other, Job, "member") == set(w["dt"].members.all())
    assert form_choices(other, Job, "measure") == {dt_measure}
    assert {c.code for c in form_choices(other, GuaranteeFund, "county")} == {DATIAN}
    assert form_choices(other, GuaranteeFund, "township") == {w["junxi"]}
    assert form_choices(other, PublicPost, "village") == {w["chengguan"]}
    # The boxes name a person by name and household number, never by ID number.
    assert autocomplete(other, "member", Job, "member") == ["陈明（DT-1）"]
    assert autocomplete(other, "reliefmeasure", Job, "measure") == [f"DT-1 2016年 {dt_measure.content}"]
    assert records[Job].measure not in form_choices(other, Job, "measure")


def test_autocomplete_offers_only_members_still_on_the_register(world, ninghua_clerk):
    clerk = as_user(ninghua_clerk)
    assert set(autocomplete(clerk, "member", Job, "member")) == {"李强（NH-1）", "李小（NH-1）"}
    household_remove(actor=SYSTEM, household=world["nh"], reason="识别不准")
    assert autocomplete(clerk, "member", Job, "member") == []


def test_a_reader_sees_a_record_but_cannot_change_or_revert_it(world, city_reviewer):
    reviewer, job = as_user(city_reviewer), world["dt_job"]
    page = reviewer.get(url(Job, "change", job.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert "DT-1" in page.content.decode()  # the household number beside the name
    assert reviewer.post(url(Job, "change", job.pk), {"year": "2017"}).status_code == 403
    # A past version is shown as it was (a reader may pick no member: a picker would show none) ...
    version = job.history.latest().history_id
    text = reviewer.get(url(Job, "simple_history", job.pk, version)).content.decode()
    assert "陈明" in text and "DT-1" in text and 'name="member"' not in text
    # ... and simple_history would save what is posted to it for whoever may view it.
    data = {"workshop": job.workshop_id, "member": job.member_id, "year": "2018", "measure": job.measure_id}
    assert reviewer.post(url(Job, "simple_history", job.pk, version), data).status_code == 403
    assert Job.objects.get(pk=job.pk).year == 2016


def test_a_clerk_cannot_revert_reference_data(ninghua_clerk):
    channel = ReliefChannel.objects.get(pk="medical_aid")
    version = channel.history.latest().history_id
    response = as_user(ninghua_clerk).post(
        reverse("admin:households_reliefchannel_simple_history", args=[channel.pk, version]),
        {"code": channel.pk, "name": "改名", "kind": "channel", "department": "", "position": "1"})
    assert response.status_code == 403
    assert ReliefChannel.objects.get(pk="medical_aid").name == channel.name


def test_a_pilots_reader_is_shown_only_the_households_they_see(world, datian_clerk, city_reviewer):
    pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", name="大田茶业", county_id=DATIAN, year=2016,
                                   link_type="enterprise_household"), households=[world["nh"], world["dt"]])
    other = as_user(datian_clerk)
    # The page of the pilot, its history (the change of its households), and the past version.
    for page in (url(Pilot, "change", pilot.pk), url(Pilot, "history", pilot.pk),
                 url(Pilot, "simple_history", pilot.pk, pilot.history.latest().history_id)):
        text = other.get(page).content.decode()
        assert "DT-1" in text, page
        assert "NH-1" not in text, page
    listed = other.get(url(Pilot, "changelist")).context["cl"].result_list
    assert [p.households_seen for p in listed] == [1]
    # The reviewer, who sees both, is shown both in the history of the pilot's households.
    history = as_user(city_reviewer).get(url(Pilot, "history", pilot.pk)).content.decode()
    assert "NH-1" in history and "DT-1" in history


def test_no_whole_id_number_on_the_projects_pages(world, datian_clerk):
    other, job = as_user(datian_clerk), world["dt_job"]
    number = world["dt_head"].id_number
    for page in (url(Job, "changelist"), url(Job, "change", job.pk), url(Workshop, "change", job.workshop_id),
                 url(Job, "simple_history", job.pk, job.history.latest().history_id)):
        response = other.get(page)
        assert response.status_code == 200
        assert number not in response.content.decode(), page
    assert other.get(url(Job, "changelist"), {"q": number}).context["cl"].result_list.count() == 0


# ---------------------------------------------------------------- lists


@pytest.mark.parametrize("model", [GuaranteeFund, GuaranteedLoan, Workshop, Job, PublicPost, Pilot, EducationFund,
                                   StudentAid, TrainingInstitution, TrainingCourse, Training])
def test_list_queries_do_not_grow_with_its_rows(world, admin_client, model):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url(model, "changelist")).status_code == 200
        return len(captured)

    ninghua_records(world)
    one = queries()
    ninghua_records_again(world)
    assert queries() == one


def ninghua_records_again(w) -> None:
    """More records of every model, on another household and village."""
    village = VillageFactory(township=w["cuijiang"], code="350424101202", name="城北村")
    h = household(village=village, number="NH-9", main_cause_id="lack_funds", members=[
        member(name="张大", id_number=resident_id()),
        member(name="张小", relation="child", labor="none", schooling="junior", id_number=resident_id(
            birth=datetime.date(2005, 1, 1)))])
    head, child = h.members.get(relation="head"), h.members.get(relation="child")
    fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="翠江担保基金", county_id=NINGHUA, capital=Decimal("1"),
                                             partner_bank="农商行", founded_year=2016))
    workshop = project_save(actor=SYSTEM, record=Workshop(name="城北车间", township=w["cuijiang"], enterprise="厂", founded_year=2016))
    education = project_save(actor=SYSTEM, record=EducationFund(name="翠江助学基金", county_id=NINGHUA, founded_year=2016))
    institution = project_save(actor=SYSTEM, record=TrainingInstitution(name="翠江培训基地", county_id=NINGHUA))
    course = project_save(actor=SYSTEM, record=TrainingCourse(institution=institution, name="厨师培训", year=2017))
    link_save(actor=SYSTEM, record=GuaranteedLoan(measure=loan_measure(h), fund=fund, issued_on=datetime.date(2016, 3, 1)))
    link_save(actor=SYSTEM, record=Job(workshop=workshop, member=head, year=2016))
    link_save(actor=SYSTEM, record=PublicPost(kind="road_maintenance", village=village, member=head, year=2016))
    link_save(actor=SYSTEM, record=StudentAid(fund=education, member=child, year=2016, amount=Decimal("500")))
    link_save(actor=SYSTEM, record=Training(course=course, member=head))
    pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=village, year=2016))
    pilot_save(actor=SYSTEM, pilot=Pilot(kind="cooperative", name="合作社", county_id=NINGHUA, year=2016,
                           link_type="enterprise_cooperative_household"), households=[h, w["nh"]])


# ---------------------------------------------------------------- the eight models


def test_the_reviewer_renames_the_eighth_model_only(city_reviewer, ninghua_clerk):
    reviewer = as_user(city_reviewer)
    eighth = reverse("admin:households_alleviationmodel_change", args=["bureau_defined"])
    response = reviewer.post(eighth, {"name": "“三联三帮型”扶贫模式"})
    assert response.status_code == 302
    renamed = AlleviationModel.objects.get(pk="bureau_defined")
    assert (renamed.name, renamed.position) == ("“三联三帮型”扶贫模式", 8)
    assert renamed.history.latest().history_user == city_reviewer
    # The plan's seven are read, not changed; nobody but a superuser adds or deletes one.
    seventh = reverse("admin:households_alleviationmodel_change", args=["social_security"])
    page = reviewer.get(seventh)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert reviewer.post(seventh, {"name": "改名"}).status_code == 403
    assert reviewer.get(reverse("admin:households_alleviationmodel_add")).status_code == 403
    assert reviewer.get(reverse("admin:households_alleviationmodel_delete", args=["bureau_defined"])).status_code == 403
    clerk = as_user(ninghua_clerk)
    assert clerk.get(eighth).status_code == 200
    assert clerk.post(eighth, {"name": "县里改的"}).status_code == 403
    assert AlleviationModel.objects.get(pk="social_security").name == "“三自三助型”保障扶贫模式"


def test_a_measure_is_tagged_with_a_model(world, ninghua_clerk):
    clerk = as_user(ninghua_clerk)
    response = clerk.post(reverse("admin:households_reliefmeasure_add"), {
        "household": world["nh"].pk, "channel": "financial_support", "year": "2016", "content": "产业扶持",
        "amount": "0", "alleviation_model": "enterprise_led"})
    assert response.status_code == 302, form_errors(response)
    assert ReliefMeasure.objects.get(content="产业扶持").alleviation_model_id == "enterprise_led"
    listed = clerk.get(reverse("admin:households_reliefmeasure_changelist"), {"alleviation_model__code__exact":
                                                                               "enterprise_led"})
    assert [m.content for m in listed.context["cl"].result_list] == ["产业扶持"]

