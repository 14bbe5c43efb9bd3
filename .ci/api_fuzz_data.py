"""Run by .ci/run through `manage.py shell`: a few households to fuzz the API against, and the
token of an administrator (printed last), so that schemathesis reaches every operation."""

from decimal import Decimal

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from stdnum.cn import ric

from households import services
from households.models import ExitRecord, Household, Member, Township, Village

township = Township.objects.get_or_create(code="350424101", defaults={"name": "翠江镇", "county_id": "350424"})[0]
village = Village.objects.get_or_create(code="350424101201", defaults={"name": "城南村", "township": township})[0]
for i in range(1, 6):
    body = f"35042419{60 + i}0101{i:02d}1"
    head = Member(name=f"户主{i}", id_number=body + ric.calc_check_digit(body + "?"), relation="head", labor="ordinary")
    household = Household(number=f"FUZZ-{i}", village=village, category="ordinary", main_cause_id="illness",
                          income_per_capita=Decimal("2500"))
    services.household_save(household=household, members=[head])
    if i % 2:
        services.exit_save(record=ExitRecord(household=household, year=2016, income_per_capita=Decimal("4000")))
admin = User.objects.create_superuser("fuzz-admin", "", None)
print(Token.objects.create(user=admin).key)
