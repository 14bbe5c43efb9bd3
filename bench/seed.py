"""Run through `manage.py shell`: BENCH_HOUSEHOLDS households (3 members each) in one county,
written through the registry's bulk path, and a token for a clerk of that county printed last."""

import datetime
import os
from decimal import Decimal

from rest_framework.authtoken.models import Token
from stdnum.cn import ric

from households.models import Household, Member, Township, Village
from households.services import registry_bulk_create, role_grant

n = int(os.environ.get("BENCH_HOUSEHOLDS", "5000"))
township = Township.objects.create(code="350424101", name="翠江镇", county_id="350424")
villages = Village.objects.bulk_create(
    Village(code=f"350424101{v:03d}", name=f"村{v}", township=township) for v in range(1, 21)
)
households = [
    Household(number=f"B{i:06d}", village=villages[i % 20], category="ordinary", main_cause_id="illness",
              income_per_capita=Decimal("2500.00"))
    for i in range(n)
]


def rid(i: int, k: int) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 20000)
    body = f"350424{birth:%Y%m%d}{(i * 3 + k) % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")


# Through the registry's own bulk path: every record validated, history kept.
registry_bulk_create(
    households=households,
    members=[
        Member(household=h, name=f"成员{k}", id_number=rid(i, k), relation="head" if k == 0 else "child",
               labor="ordinary")
        for i, h in enumerate(households)
        for k in range(3)
    ],
)
user = role_grant(username="bench-clerk", role="county_clerk", counties=["350424"])
print(Token.objects.create(user=user).key)
