"""The five projects' records through projects/services.py: each kind created and linked to a measure
and a household, each bad input refused naming its field with nothing written, and the database's
own guards when the services are bypassed."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.actors import SYSTEM
from households.models import AlleviationModel, Household, ReliefMeasure
from households.services import household_remove, household_save, measure_save, member_delete, reference_data_load
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
from projects.services import link_save, pilot_save, project_delete, project_save
from tests.conftest import DATIAN, NINGHUA
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id


@pytest.fixture
def family(places):
    """A 宁化 household: a head who can work and a daughter at primary school."""
    return household(village=places.chengnan, number="NH-1", main_cause_id="lack_funds", members=[
        member(name="李强"),
        member(name="李小", relation="child", labor="none", schooling="primary",
               id_number=resident_id(birth=datetime.date(2008, 3, 1), sex="female")),
    ])


@pytest.fixture
def datian_family(places):
    return household(village=places.chengguan, number="DT-1", main_cause_id="lack_skills",
                     members=[member(name="陈明", id_number=resident_id(prefix=DATIAN))])


def head(h: Household):
    return h.members.get(relation="head")


def child(h: Household):
    return h.members.get(relation="child")


def fund(county=NINGHUA, **fields) -> GuaranteeFund:
    return project_save(actor=SYSTEM, record=GuaranteeFund(**{
        "name": f"{county}扶贫担保基金", "county_id": county, "capital": Decimal("2000000"),
        "partner_bank": "宁化县农村信用合作联社", "founded_year": 2015, **fields}))


def loan_measure(h: Household, **fields) -> ReliefMeasure:
    return measure_save(actor=SYSTEM, measure=ReliefMeasure(**{
        "household": h, "channel_id": "financial_support", "year": 2016, "content": "扶贫小额贷款",
        "amount": Decimal("50000"), "term_months": 36, **fields}))


def refused(call, field: str) -> str:
    """The call raises a ValidationError naming `field`; its message."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    return " ".join(caught.value.message_dict[field])


def violates(constraint: str, write) -> None:
    """The database itself refuses a write that skips the services."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        assert constraint in str(caught.value)


# ---------------------------------------------------------------- guarantee funds and loans


def test_a_fund_lends_to_its_county_through_the_households_measure(family):
    f = fund(township_id="350424101")
    measure = loan_measure(family)
    loan = link_save(actor=SYSTEM, record=GuaranteedLoan(measure=measure, fund=f, interest_subsidy=Decimal("2250"),
                                           issued_on=datetime.date(2016, 4, 1)))
    assert measure.guaranteed_loan == loan and f.loans.get() == loan
    assert loan.county_code == NINGHUA and loan.measure.household == family


def test_a_loan_guaranteed_by_another_countys_fund_is_refused(family):
    datian_fund = fund(DATIAN, partner_bank="大田县农商银行")
    message = refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(
        measure=loan_measure(family), fund=datian_fund, issued_on=datetime.date(2016, 4, 1))), "fund")
    assert "大田县" in message and "NH-1" in message
    assert not GuaranteedLoan.objects.exists()


def test_a_loan_needs_a_small_loan_measure_of_its_own_year(family):
    f = fund()
    no_term = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=family, channel_id="financial_support", year=2016,
                                                 content="产业补助", amount=Decimal("3000")))
    assert "期限" in refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(
        measure=no_term, fund=f, issued_on=datetime.date(2016, 4, 1))), "measure")
    medical = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=family, channel_id="medical_aid", year=2016,
                                                 content="大病救助"))
    assert "金融扶持一批" in refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(
        measure=medical, fund=f, issued_on=datetime.date(2016, 4, 1))), "measure")
    refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(
        measure=loan_measure(family), fund=f, issued_on=datetime.date(2017, 1, 5))), "issued_on")
    refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(
        measure=loan_measure(family), fund=f, issued_on=datetime.date(2016, 4, 1),
        repaid_on=datetime.date(2016, 3, 1))), "repaid_on")
    # The loan's own limits are its measure's (二.(一).6): 50,000 yuan and 36 months at most.
    refused(lambda: loan_measure(family, amount=Decimal("50001")), "amount")
    refused(lambda: loan_measure(family, term_months=37), "term_months")
    assert not GuaranteedLoan.objects.exists()


def test_a_loan_is_never_made_without_its_measure(family):
    refused(lambda: link_save(actor=SYSTEM, record=GuaranteedLoan(fund=fund(), issued_on=datetime.date(2016, 4, 1))), "measure")
    assert not ReliefMeasure.objects.exists()


def test_a_fund_of_a_township_of_another_county_is_refused(places):
    refused(lambda: fund(township=places.junxi), "township")
    violates("guaranteefund_township_in_county", lambda: GuaranteeFund.objects.create(
        name="越界", county_id=NINGHUA, township=places.junxi, capital=1, partner_bank="银行", founded_year=2015))


# ---------------------------------------------------------------- workshops and public posts


def workshop(places, **fields) -> Workshop:
    return project_save(actor=SYSTEM, record=Workshop(**{
        "name": "翠江竹编车间", "township": places.cuijiang, "village": places.chengnan, "enterprise": "宁化竹业公司",
        "founded_year": 2016, **fields}))


def test_a_job_in_a_workshop_records_its_employment_measure(places, family):
    w = workshop(places)
    assert w.county_id == NINGHUA  # the township's, kept by the model
    job = link_save(actor=SYSTEM, record=Job(workshop=w, member=head(family), year=2016, monthly_wage=Decimal("1800")))
    measure = job.measure
    assert (measure.household, measure.channel_id, measure.year) == (family, "labor_mutual_aid", 2016)
    assert "翠江竹编车间" in measure.content and measure.unit == "宁化竹业公司"
    refused(lambda: link_save(actor=SYSTEM, record=Job(workshop=w, member=head(family), year=2016)), "member")
    assert family.measures.count() == 1  # the refused second job made no measure


def test_a_job_may_name_the_measure_it_carries_out(places, family, datian_family):
    w = workshop(places)
    measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=family, channel_id="labor_mutual_aid", year=2016,
                                                 content="家门口就业"))
    job = link_save(actor=SYSTEM, record=Job(workshop=w, member=head(family), year=2016, measure=measure))
    assert job.measure == measure and family.measures.count() == 1
    # The measure must be the member's household's.
    assert "NH-1" in refused(lambda: link_save(actor=SYSTEM, record=Job(
        workshop=w, member=head(datian_family), year=2016, measure=measure)), "measure")


def test_a_workshop_village_outside_its_township_is_refused(places):
    other = VillageFactory(township=TownshipFactory(county_id=NINGHUA, code="350424102"), code="350424102201")
    refused(lambda: workshop(places, village=other), "village")
    violates("workshop_village_in_township", lambda: Workshop.objects.create(
        name="越界", county_id=NINGHUA, township=places.cuijiang, village=other, enterprise="企业",
        founded_year=2016))


def test_a_public_post_goes_to_a_member_of_a_registered_household(places, family):
    post = link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=places.chengnan, member=head(family),
                                       year=2017, monthly_pay=Decimal("800")))
    assert post.county_id == NINGHUA and post.measure.channel_id == "labor_mutual_aid"
    assert "农村保洁员" in post.measure.content
    refused(lambda: link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=places.chengnan,
                                                member=head(family), year=2017)), "member")


def test_a_post_for_someone_of_a_removed_household_is_refused(places, family):
    household_remove(actor=SYSTEM, household=family, reason="识别不准，不符合建档立卡标准")
    before = ReliefMeasure.objects.count()
    message = refused(lambda: link_save(actor=SYSTEM, record=PublicPost(
        kind="road_maintenance", village=places.chengnan, member=head(family), year=2017)), "member")
    assert "已清退" in message and "不是在册贫困户的成员" in message
    assert not PublicPost.objects.exists() and ReliefMeasure.objects.count() == before


# ---------------------------------------------------------------- pilots


def test_a_pilot_village_takes_its_villages_name(places):
    pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=places.chengnan, year=2016,
                                   alleviation_model_id="party_building"))
    assert pilot.name == "城南村" and str(pilot) == "城南村"
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=places.chengnan,
                                           year=2017)), "village")
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, year=2017)), "village")
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=DATIAN, village=places.chengnan,
                                           year=2017)), "village")


def test_a_pilot_organisation_brings_households_along(places, family, datian_family):
    pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="cooperative", name="泉上茶叶专业合作社", county_id=NINGHUA,
                                   link_type="enterprise_cooperative_household", year=2016,
                                   alleviation_model_id="enterprise_led"),
                       households=[family, datian_family])
    assert set(pilot.households.all()) == {family, datian_family}
    assert set(AlleviationModel.objects.get(pk="enterprise_led").pilots.all()) == {pilot}
    pilot.year = 2017
    pilot_save(actor=SYSTEM, pilot=pilot)  # households not given: kept
    assert pilot.households.count() == 2
    household_remove(actor=SYSTEM, household=datian_family, reason="识别不准")
    assert "DT-1" in refused(lambda: pilot_save(actor=SYSTEM, pilot=pilot, households=[family, datian_family]), "households")
    assert pilot.households.count() == 2


def test_pilot_kinds_and_links_agree(places, family):
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", name="龙头企业", county_id=NINGHUA, year=2016)),
            "link_type")
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", county_id=NINGHUA, link_type="enterprise_household",
                                           year=2016)), "name")
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=places.chengnan,
                                           link_type="enterprise_household", year=2016)), "link_type")
    refused(lambda: pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=places.chengnan, year=2016),
                               households=[family]), "households")
    assert not Pilot.objects.exists()
    violates("pilot_village_or_organisation", lambda: Pilot.objects.create(
        kind="family_farm", name="家庭农场", county_id=NINGHUA, year=2016))


# ---------------------------------------------------------------- education funds


def education_fund(places, **fields) -> EducationFund:
    return project_save(actor=SYSTEM, record=EducationFund(**{
        "name": "城南村教育助学基金", "county_id": NINGHUA, "township": places.cuijiang, "village": places.chengnan,
        "founded_year": 2016, "government_funds": Decimal("30000"), "donations": Decimal("45000"), **fields}))


def test_an_education_fund_supports_a_local_student(places, family):
    f = education_fund(places)
    assert f.raised == Decimal("75000")
    aid = link_save(actor=SYSTEM, record=StudentAid(fund=f, member=child(family), year=2016, amount=Decimal("1500")))
    assert (aid.measure.channel_id, aid.measure.amount, aid.measure.year) == ("education_aid", Decimal("1500"), 2016)
    refused(lambda: link_save(actor=SYSTEM, record=StudentAid(fund=f, member=child(family), year=2016, amount=1)), "member")


def test_education_grants_go_to_local_students_only(places, family, datian_family):
    f = education_fund(places)
    assert "非在校生" in refused(lambda: link_save(actor=SYSTEM, record=StudentAid(
        fund=f, member=head(family), year=2016, amount=Decimal("500"))), "member")
    student = head(datian_family)
    student.schooling = "senior"
    student.save()
    assert "当地" in refused(lambda: link_save(actor=SYSTEM, record=StudentAid(
        fund=f, member=student, year=2016, amount=Decimal("500"))), "member")
    assert not StudentAid.objects.exists() and not ReliefMeasure.objects.exists()


def test_an_education_fund_of_places_elsewhere_is_refused(places):
    refused(lambda: education_fund(places, village=places.chengguan), "village")
    refused(lambda: education_fund(places, township=places.junxi, village=None), "township")


# ---------------------------------------------------------------- skills training


def course(**fields) -> TrainingCourse:
    institution = TrainingInstitution.objects.filter(name="宁化县职业技术学校").first() or project_save(actor=SYSTEM, 
        record=TrainingInstitution(name="宁化县职业技术学校", county_id=NINGHUA,
                                   agreement_signed_on=datetime.date(2016, 2, 1)))
    return project_save(actor=SYSTEM, record=TrainingCourse(**{"institution": institution, "name": "家政服务培训", "year": 2016,
                                                 "started_on": datetime.date(2016, 5, 9), **fields}))


def test_a_training_records_the_waivers_priorities_and_its_measure(family):
    training = link_save(actor=SYSTEM, record=Training(course=course(), member=head(family), job_referred=True))
    assert (training.fee_waived, training.board_waived, training.certification_waived) == (True, True, True)
    assert (training.guidance_given, training.job_referred, training.loan_subsidy_given) == (False, True, False)
    measure = training.measure
    assert (measure.channel_id, measure.year, measure.unit) == ("skills_training", 2016, "宁化县职业技术学校")
    assert "家政服务培训" in measure.content
    refused(lambda: link_save(actor=SYSTEM, record=Training(course=training.course, member=head(family))), "member")


def test_a_course_keeps_its_dates_in_its_year(db):
    refused(lambda: course(started_on=datetime.date(2015, 12, 1)), "started_on")
    refused(lambda: course(ended_on=datetime.date(2016, 5, 1)), "ended_on")


# ---------------------------------------------------------------- the eight models


def test_the_eight_models_are_reference_data_and_the_eighth_keeps_the_bureaus_name(db):
    assert AlleviationModel.objects.count() == 8
    eighth = AlleviationModel.objects.get(pk="bureau_defined")
    eighth.name = "“互联网+”精准扶贫模式"
    eighth.save()
    reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
    assert AlleviationModel.objects.get(pk="bureau_defined").name == "“互联网+”精准扶贫模式"
    assert AlleviationModel.objects.get(pk="tourism").name == "资源合作型旅游扶贫模式"


def test_a_measure_is_tagged_with_a_model(family):
    measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=family, channel_id="financial_support", year=2016,
                                                 content="小额贷款", alleviation_model_id="financial_guarantee"))
    assert list(AlleviationModel.objects.get(pk="financial_guarantee").measures.all()) == [measure]


def test_a_member_a_project_served_is_not_deleted(places, family):
    student = child(family)
    link_save(actor=SYSTEM, record=Training(course=course(), member=student))
    assert "技能培训" in refused(lambda: member_delete(actor=SYSTEM, member=student), "members")
    assert "李小" in refused(lambda: household_save(actor=SYSTEM, household=family, deleted_members=[student]), "members")
    assert family.members.count() == 2


def test_a_measure_made_for_a_record_goes_with_its_last_record(places, family):
    w = workshop(places)
    job = link_save(actor=SYSTEM, record=Job(workshop=w, member=head(family), year=2016))
    made = job.measure
    assert made.by_project
    # A second record may carry out the same measure: it stays while one does.
    other = link_save(actor=SYSTEM, record=Job(workshop=w, member=child(family), year=2016, measure=made))
    project_delete(actor=SYSTEM, record=job)
    assert ReliefMeasure.objects.filter(pk=made.pk).exists()
    project_delete(actor=SYSTEM, record=other)
    assert not ReliefMeasure.objects.filter(pk=made.pk).exists()
    # A measure the clerk recorded stays when its record goes.
    own = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=family, channel_id="labor_mutual_aid", year=2016,
                                             content="家门口就业"))
    project_delete(actor=SYSTEM, record=link_save(actor=SYSTEM, record=Job(workshop=w, member=head(family), year=2016, measure=own)))
    assert ReliefMeasure.objects.filter(pk=own.pk).exists() and not own.by_project
