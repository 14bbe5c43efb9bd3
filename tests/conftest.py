"""What every test shares: the reference data loaded once, the personas (a clerk of 宁化县, a clerk
of 大田县, the city reviewer, a channel department, another system), and one small two-county world
of places that the registry's, the dashboards', the workflows' and the projects' tests all build on."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, ReliefMeasure, ReturnRecord
from households.services import measure_save, member_save, reference_data_load, role_grant
from plans.models import VillageIncome
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
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id

NINGHUA, DATIAN = "350424", "350425"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the reference data of fixtures/, loaded once."""
    with django_db_blocker.unblock():
        reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- the personas


@pytest.fixture
def ninghua_clerk(db):
    """A clerk of 宁化县 (350424)."""
    return role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA])


@pytest.fixture
def datian_clerk(db):
    """A clerk of 大田县 (350425)."""
    return role_grant(actor=SYSTEM, username="clerk_datian", role="county_clerk", counties=[DATIAN])


@pytest.fixture
def city_reviewer(db):
    return role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer")


@pytest.fixture
def health_department(db):
    """市卫计委: records 医疗救助 measures in any county."""
    return role_grant(actor=SYSTEM, username="weiji", role="channel_department", channels=["medical_aid"])


@pytest.fixture
def api_client(db):
    """Another system: a read-only token for 宁化县."""
    user = role_grant(actor=SYSTEM, username="province", role="system_client", counties=[NINGHUA])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# ---------------------------------------------------------------- the two-county world


def build_places() -> SimpleNamespace:
    """宁化县 翠江镇 with 城南村 (a registered poor village, hollow) and 城北村; 大田县 均溪镇 with 城关村
    (a registered poor village)."""
    cuijiang = TownshipFactory(county_id=NINGHUA, code="350424101", name="翠江镇")
    junxi = TownshipFactory(county_id=DATIAN, code="350425101", name="均溪镇")
    return SimpleNamespace(
        cuijiang=cuijiang, junxi=junxi,
        chengnan=VillageFactory(township=cuijiang, code="350424101201", name="城南村", is_poor_village=True,
                                is_hollow=True),
        chengbei=VillageFactory(township=cuijiang, code="350424101202", name="城北村"),
        chengguan=VillageFactory(township=junxi, code="350425101201", name="城关村", is_poor_village=True),
    )


@pytest.fixture
def places(db) -> SimpleNamespace:
    return build_places()


@pytest.fixture
def village(places):
    """宁化县 翠江镇 城南村."""
    return places.chengnan


@pytest.fixture
def datian_village(places):
    """大田县 均溪镇 城关村."""
    return places.chengguan


@pytest.fixture
def poor(village):
    """A registered household of 城南村, 2 persons (national standard, identified 2014)."""
    return household(village=village, number="NH-1", main_cause_id="lack_funds",
                     members=[member(name="王五"), member(name="王小", relation="child", labor="none",
                                                        id_number=resident_id(birth=datetime.date(2005, 1, 1)))])


# ---------------------------------------------------------------- a registry on it, and its projects


def people(n: int, *, prefix: str = NINGHUA) -> list:
    """A head and n − 1 children, with ID numbers of the county `prefix`."""
    child = datetime.date(2000, 1, 1)
    children = [member(name=f"成员{i}", relation="child", id_number=resident_id(prefix=prefix, birth=child))
                for i in range(n - 1)]
    return [member(name="户主", id_number=resident_id(prefix=prefix)), *children]


def exit_in(h, year):
    return services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=year, income_per_capita=Decimal("4200")))


@pytest.fixture
def registry(places):
    """宁化县 翠江镇: 城南村 (a poor and hollow village) with
         a  ordinary, 因病, 3 persons, out in 2015, a 医疗救助 measure of 3000 in 2015;
         b  dibao, 缺劳力, 2 persons, out in 2015, back in 2016 (因病返贫), 低保 1800 in 2015;
         c  wubao, 缺劳力, 1 person, still registered;
       城北村 with d  ordinary, 缺资金, 2 persons, out in 2016.
       大田县 均溪镇 城关村 with e  ordinary, 因病, 4 persons, out in 2015."""
    cuijiang, chengnan, chengbei = places.cuijiang, places.chengnan, places.chengbei
    junxi, chengguan = places.junxi, places.chengguan
    a = household(village=chengnan, number="NH-A", members=people(3), main_cause_id="illness")
    b = household(village=chengnan, number="NH-B", members=people(2), category="dibao", main_cause_id="lack_labor")
    c = household(village=chengnan, number="NH-C", members=people(1), category="wubao", main_cause_id="lack_labor")
    d = household(village=chengbei, number="NH-D", members=people(2), main_cause_id="lack_funds")
    e = household(village=chengguan, number="DT-E", members=people(4, prefix=DATIAN), main_cause_id="illness")
    for h in (a, b, e):
        exit_in(h, 2015)
    exit_in(d, 2016)
    services.return_save(actor=SYSTEM, record=ReturnRecord(household=b, year=2016, reason="因病返贫"))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=a, channel_id="medical_aid", year=2015, content="大病救助",
                                                amount=Decimal("3000")))
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=b, channel_id="minimum_living", year=2015, content="低保",
                                                amount=Decimal("1800")))
    VillageIncome.objects.create(village=chengnan, year=2016, own_income=Decimal("0"))
    VillageIncome.objects.create(village=chengnan, year=2018, own_income=Decimal("60000"))
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, cuijiang=cuijiang, chengnan=chengnan, chengbei=chengbei,
                           junxi=junxi, chengguan=chengguan)


def loan(household, fund, *, year, amount, term, subsidy, repaid_on=None, model=None):
    measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(
        household=household, channel_id="financial_support", year=year, content="扶贫小额贷款", amount=Decimal(amount),
        term_months=term, alleviation_model_id=model))
    return link_save(actor=SYSTEM, record=GuaranteedLoan(measure=measure, fund=fund, interest_subsidy=Decimal(subsidy),
                                           issued_on=datetime.date(year, 3, 1), repaid_on=repaid_on))


@pytest.fixture
def projects(registry):
    """On the registry above, through projects/services.py:

    宁化县  a fund of 2,000,000 guaranteeing d's loan (2016, 30,000, 36 months, 1,500 subsidy, not repaid)
            and a's (2015, 20,000, 12 months, 800 subsidy, repaid in 2016);
            a workshop in 城南村 (2016, 经营主体带动型) employing a's head and a's child in 2016, b's
            head and e's head (a 大田 household) in 2017; posts for a's head (2016, cleaner) and c's
            head (2016, roads): in 2016 three persons at their doorstep (a's head both);
            城南村 a pilot village (党建), a cooperative bringing along a and b (经营主体带动型);
            an education fund (50,000 + 20,000) granting a's child 1,500 in 2016 and in 2017;
            a training course in 2016 for a's head (certified, guidance) and b's head.
    大田县  a fund of 1,000,000 guaranteeing e's loan (2015, 10,000); an enterprise bringing along
            e and a (a 宁化 household) (经营主体带动型)."""
    r = registry
    head = {key: getattr(r, key).members.get(relation="head") for key in "abce"}
    child_a = r.a.members.exclude(relation="head").order_by("id").first()
    child_a.schooling = "senior"
    member_save(actor=SYSTEM, member=child_a)

    ninghua_fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="宁化县扶贫担保基金", county_id=NINGHUA,
                                                      capital=Decimal("2000000"), partner_bank="宁化农商银行",
                                                      founded_year=2015))
    loan(r.d, ninghua_fund, year=2016, amount=30000, term=36, subsidy=1500, model="financial_guarantee")
    loan(r.a, ninghua_fund, year=2015, amount=20000, term=12, subsidy=800, repaid_on=datetime.date(2016, 3, 1))
    datian_fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="大田县扶贫担保基金", county_id=DATIAN,
                                                     capital=Decimal("1000000"), partner_bank="大田农商银行",
                                                     founded_year=2015))
    loan(r.e, datian_fund, year=2015, amount=10000, term=12, subsidy=400)

    workshop = project_save(actor=SYSTEM, record=Workshop(name="城南竹编车间", township=r.cuijiang, village=r.chengnan,
                                            enterprise="翠江竹业公司", founded_year=2016,
                                            alleviation_model_id="enterprise_led"))
    for who, year in ((head["a"], 2016), (child_a, 2016), (head["b"], 2017), (head["e"], 2017)):
        link_save(actor=SYSTEM, record=Job(workshop=workshop, member=who, year=year, monthly_wage=Decimal("1800")))
    link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=r.chengnan, member=head["a"], year=2016,
                                monthly_pay=Decimal("600")))
    link_save(actor=SYSTEM, record=PublicPost(kind="road_maintenance", village=r.chengnan, member=head["c"], year=2016))

    pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=r.chengnan, year=2016,
                           alleviation_model_id="party_building"))
    pilot_save(actor=SYSTEM, pilot=Pilot(kind="cooperative", name="翠江竹业合作社", county_id=NINGHUA, village=r.chengbei, year=2016,
                           link_type="enterprise_cooperative_household", alleviation_model_id="enterprise_led"),
               households=[r.a, r.b])
    pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", name="大田茶业公司", county_id=DATIAN, year=2017,
                           link_type="enterprise_household", alleviation_model_id="enterprise_led"),
               households=[r.e, r.a])

    education = project_save(actor=SYSTEM, record=EducationFund(name="宁化县教育助学基金", county_id=NINGHUA, township=r.cuijiang,
                                                  founded_year=2016, government_funds=Decimal("50000"),
                                                  donations=Decimal("20000")))
    for year in (2016, 2017):
        link_save(actor=SYSTEM, record=StudentAid(fund=education, member=child_a, year=year, amount=Decimal("1500")))

    school = project_save(actor=SYSTEM, record=TrainingInstitution(name="宁化县职业技术学校", county_id=NINGHUA))
    course = project_save(actor=SYSTEM, record=TrainingCourse(institution=school, name="电工培训班", year=2016))
    link_save(actor=SYSTEM, record=Training(course=course, member=head["a"], certified=True, guidance_given=True))
    link_save(actor=SYSTEM, record=Training(course=course, member=head["b"]))
    return SimpleNamespace(registry=r, head=head, child_a=child_a, workshop=workshop)


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """The files jobs are given and make, in a folder of the test session's own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
