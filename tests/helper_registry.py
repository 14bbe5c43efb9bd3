"""A small registry of helpers for the reports' tests (the selectors, the API, the in-tray, the page),
dated back from today, since the reports are of today. Built on tests/conftest.py's places."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, ReturnRecord
from tests.conftest import DATIAN, NINGHUA
from tests.factories import (
    HelperAssignmentFactory,
    HelperFactory,
    HelperVisitFactory,
    household,
    member,
    resident_id,
)


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def build_helper_registry(places) -> SimpleNamespace:
    """宁化县 城南村 (all 因病 but h5):
         h1  P1's since 400 days, visited 10 days ago                      — has a helper, visited
         h2  P1's since 400 days, last visited 200 days ago                — due (since the visit)
         h3  P2's since 100 days, never visited                            — due (since P2's start)
         h4  P2's since 30 days, never visited                             — not yet due
         h5  缺资金, never had a helper                                     — without a helper
         h6  returned; P1's until 20 days ago (调离)                        — without a helper, P1 before
         h7  exited, no helper                                             — inactive: in no report
         h8  P3's until 50 days ago, visited 60 days ago; P1's since 49    — visited (by P3): not due
         h9  removed (清退), P2's since 400 days, never visited            — inactive: not due, not counted
       大田县 城关村:
         d1  never had a helper                                            — without a helper (大田)
         d2  P4's since 120 days, never visited                            — due (大田)
         d3  exited, P4's since 400 days, never visited                    — inactive: not due, but counted
       P1 (宁化县扶贫办) carries h1, h2, h8: 3 households; P2 (宁化县农业局) h3, h4 (and h9,
       removed): 2; P3 (宁化县教育局) none now; P4 (大田县扶贫办) d2 and d3 (exited: 脱贫不脱帮扶): 2."""
    chengnan, chengguan = places.chengnan, places.chengguan
    r = SimpleNamespace()
    for key in ("h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9"):
        cause = "lack_funds" if key == "h5" else "illness"
        setattr(r, key, household(village=chengnan, number=f"NH-{key.upper()}", main_cause_id=cause,
                                  members=[member(name=f"户主{key}")]))
    for key in ("d1", "d2", "d3"):
        setattr(r, key, household(village=chengguan, number=f"DT-{key.upper()}", main_cause_id="illness",
                                  members=[member(name=f"户主{key}", id_number=resident_id(prefix=DATIAN))]))
    for h in (r.h6, r.h7, r.d3):
        services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal("4200")))
    services.return_save(actor=SYSTEM, record=ReturnRecord(household=r.h6, year=2017, reason="因病返贫"))
    Household.objects.filter(pk=r.h9.pk).update(status="removed", removed_reason="不符合识别标准")

    r.p1 = HelperFactory(name="张帮扶", unit="宁化县扶贫办", phone="13800001111", county_id=NINGHUA)
    r.p2 = HelperFactory(name="李帮扶", unit="宁化县农业局", phone="13800002222", county_id=NINGHUA)
    r.p3 = HelperFactory(name="王帮扶", unit="宁化县教育局", phone="13800003333", county_id=NINGHUA)
    r.p4 = HelperFactory(name="陈帮扶", unit="大田县扶贫办", phone="13900004444", county_id=DATIAN)

    def assign(h, helper, start, end=None, reason=""):
        return HelperAssignmentFactory(household=h, helper=helper, started_on=ago(start),
                                       ended_on=ago(end) if end is not None else None, reason=reason)

    r.a1 = assign(r.h1, r.p1, 400)
    HelperVisitFactory(assignment=r.a1, visited_on=ago(10))
    HelperVisitFactory(assignment=r.a1, visited_on=ago(300), kind="phone")
    r.a2 = assign(r.h2, r.p1, 400)
    HelperVisitFactory(assignment=r.a2, visited_on=ago(200))
    assign(r.h3, r.p2, 100)
    assign(r.h4, r.p2, 30)
    assign(r.h6, r.p1, 500, 20, reason="调离")
    old = assign(r.h8, r.p3, 300, 50, reason="调离")
    HelperVisitFactory(assignment=old, visited_on=ago(60))
    assign(r.h8, r.p1, 49)
    assign(r.h9, r.p2, 400)
    assign(r.d2, r.p4, 120)
    assign(r.d3, r.p4, 400)
    return r
