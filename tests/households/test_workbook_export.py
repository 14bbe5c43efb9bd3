"""The export of households (workbook.export_households): its progress, told in rows."""

import datetime

from common.actors import SYSTEM
from households import workbook
from households.models import Household, Member
from tests.factories import household, member, resident_id


def test_export_tells_its_progress_in_rows_written(village):
    family = household(village=village, members=[member()])
    # One household of 2,001 members (written directly: the services would take a minute), so the
    # export passes the 2,000th row, where it reports, and the count it reports against.
    born = datetime.date(1970, 1, 1)
    births = [born + datetime.timedelta(days=i) for i in range(2000)]
    Member.objects.bulk_create([
        Member(household=family, name=f"成员{i}", relation="child", labor="none", sex="male", birth_date=birth,
               id_number=resident_id(birth=birth))
        for i, birth in enumerate(births)
    ])
    told = []
    workbook.export_households(Household.objects.all(), actor=SYSTEM, door="command", filters={},
                               progress=lambda done, total, stage: told.append((done, total, stage)))
    assert told == [(2000, 2001, "写出")]
