"""The steps of both workflows taken in the past, days apart as the public notices need (a step is
never dated after today)."""

import datetime
from decimal import Decimal

from households.models import PovertyCause
from tests.factories import resident_id
from workflows import services
from workflows.models import State

D = datetime.date(2016, 3, 1)  # the day a case opens; later steps are D + n days


def day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def application(village, user, **fields):
    defaults = {
        "applicant_name": "李四", "applicant_id_number": resident_id(), "applicant_labor": "weak",
        "category": "ordinary", "main_cause": PovertyCause.objects.get(pk="illness"), "year": 2016,
        "income_per_capita": Decimal("2100"), "on": D,
    }
    return services.identification_apply(actor=user, village=village, **{**defaults, **fields})


PASSING = {"income_per_capita": Decimal("3500"), "food": True, "clothing": True, "education": True, "medical": True,
           "housing": True}


def take(case, to, user, on, **fields):
    """Take the step `to` through the service that takes it."""
    if to == State.VERIFIED:
        return services.exit_verify(case=case, actor=user, on=on, **{**PASSING, **fields})
    if to == State.REGISTERED:
        return services.identification_register(case=case, actor=user, on=on, number=fields.get("number", "NH-NEW"))
    if to == State.CLOSED:
        return services.exit_close(case=case, actor=user, on=on)
    return services.case_advance(case=case, to=to, actor=user, on=on)


def walk(case, user, *, until, start=1):
    """Take each step after the case's state up to `until`, each a notice period after the last
    (so a notice never holds it up). Returns the case reloaded and the next free day."""
    n = start
    while case.state != until:
        take(case, case.next_state, user, day(n))
        case.refresh_from_db()
        n += 7
    return case, n
