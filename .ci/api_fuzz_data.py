"""Run by .ci/run through `manage.py shell`: a few households and a record of each project to fuzz the
API against, and the token of an administrator (printed last), so that schemathesis reaches every
operation."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from stdnum.cn import ric

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, Member, ReliefMeasure, Township, Village
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

township = Township.objects.get_or_create(code="350424101", defaults={"name": "翠江镇", "county_id": "350424"})[0]
village = Village.objects.get_or_create(code="350424101201", defaults={"name": "城南村", "township": township})[0]
for i in range(1, 6):
    body = f"35042419{60 + i}0101{i:02d}1"
    head = Member(name=f"户主{i}", id_number=body + ric.calc_check_digit(body + "?"), relation="head", labor="ordinary")
    household = Household(number=f"FUZZ-{i}", village=village, category="ordinary", main_cause_id="illness",
                          income_per_capita=Decimal("2500"))
    services.household_save(actor=SYSTEM, household=household, members=[head])
    if i % 2:
        services.exit_save(actor=SYSTEM, record=ExitRecord(household=household, year=2016, income_per_capita=Decimal("4000")))
# One record of each of the five projects, so their details and changes are reached too.
first = Household.objects.get(number="FUZZ-2")
head, day = first.members.get(), datetime.date(2016, 3, 1)
fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="宁化县扶贫担保基金", county_id="350424", capital=Decimal("1000000"),
                                         partner_bank="农村信用社", founded_year=2015))
measure = services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=first, channel_id="financial_support", year=2016,
                                                      content="小额贷款", amount=Decimal("20000"), term_months=24))
link_save(actor=SYSTEM, record=GuaranteedLoan(measure=measure, fund=fund, issued_on=day))
workshop = project_save(actor=SYSTEM, record=Workshop(name="翠江车间", township=township, enterprise="竹木加工厂", founded_year=2016))
link_save(actor=SYSTEM, record=Job(workshop=workshop, member=head, year=2016))
link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=village, member=head, year=2016))
pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id="350424", village=village, year=2016))
education = project_save(actor=SYSTEM, record=EducationFund(name="翠江助学基金", county_id="350424", founded_year=2016))
head.schooling = "senior"
services.member_save(actor=SYSTEM, member=head)
link_save(actor=SYSTEM, record=StudentAid(fund=education, member=head, year=2016, amount=Decimal("500")))
institution = project_save(actor=SYSTEM, record=TrainingInstitution(name="宁化职业学校", county_id="350424"))
course = project_save(actor=SYSTEM, record=TrainingCourse(institution=institution, name="电工培训", year=2016))
link_save(actor=SYSTEM, record=Training(course=course, member=head))
# A helper with an assignment and a visit, so that the helpers' details, changes and workbook are reached.
helper = services.helper_create(actor=SYSTEM, county="350424", name="李明", unit="县农业局", phone="13812345678")
assignment = services.assignment_start(actor=SYSTEM, household=first, helper=helper, started_on=day)
services.visit_record(actor=SYSTEM, assignment=assignment, visited_on=day, kind="home", found="住房漏雨")
admin = User.objects.create_superuser("fuzz-admin", "", None)
print(Token.objects.create(user=admin).key)
