"""A registry with each rule of a return to poverty planted (docs/return-risks.md), and households
the rules must leave alone beside them. Built through the services, as the clerks would."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from django.utils.timezone import localdate as today

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Member
from tests.conftest import DATIAN
from tests.factories import household, member, resident_id
from workflows.risk_services import return_risks_refresh


def exited(village, number: str, *, incomes: dict[int, str], members=None) -> object:
    """A household out of poverty in 2015 with these per-capita incomes by year (2015 the exit's)."""
    people = members or [member(name=f"{number}户主", id_number=resident_id(prefix=village.code[:6]))]
    h = household(village=village, number=number, members=people, main_cause_id="lack_funds")
    size = len(people)
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015,
                                                       income_per_capita=Decimal(incomes[2015])))
    for year, amount in sorted(incomes.items()):
        if year != 2015:
            services.income_record(actor=SYSTEM, household=h, year=year, total=Decimal(amount) * size)
    h.refresh_from_db()
    return h


def health_becomes(m: Member, health: str) -> Member:
    m.refresh_from_db()
    m.health = health
    return services.member_save(actor=SYSTEM, member=m)


def build_risks(places) -> SimpleNamespace:
    """宁化县 城南村, every household out in 2015 (the 2016 line: 2,952 yuan; within 10 %: below 3,247.20):
        low      2015: 3,000, 2016: 2,900 — below the line                       → low_income
        near     2016: 3,200 — above it by 8.4 %                      → low_income
        drop     2015: 4,200, 2016: 3,300 — down 21.4 %              → income_drop
        safe     2015: 4,000, 2016: 3,300 — down 17.5 %, 11.8 % above  (not flagged)
        ill      a member fell seriously ill a month ago              → health
        ill_old  a member fell ill 13 months ago                       (not flagged)
        born_ill a member registered disabled, no change               (not flagged)
        mended   ill, then well again                                  (not flagged)
        lost     its only labourer moved out a month ago               → lost_labourer
        two      one of its two labourers died a month ago             (not flagged)
        still    registered, never out, 2016: 2,000                    (not flagged: not exited)
    大田县 城关村:
        datian   2015: 2,400, 2016: 2,000 (down 16.7 %), its only labourer died a month ago      → low_income, lost_labourer"""
    v, dv = places.chengnan, places.chengguan
    fine = {2015: "5000", 2016: "5000"}
    w = SimpleNamespace(
        low=exited(v, "R-LOW", incomes={2015: "3000", 2016: "2900"}),
        near=exited(v, "R-NEAR", incomes={2015: "3300", 2016: "3200"}),
        drop=exited(v, "R-DROP", incomes={2015: "4200", 2016: "3300"}),
        safe=exited(v, "R-SAFE", incomes={2015: "4000", 2016: "3300"}),
        ill=exited(v, "R-ILL", incomes=fine, members=[member(name="李病"), member(
            name="李妻", relation="spouse", sex="female", id_number=resident_id(sex="female"))]),
        ill_old=exited(v, "R-ILLOLD", incomes=fine),
        born_ill=exited(v, "R-BORN", incomes=fine, members=[member(name="赵残", health="disabled")]),
        mended=exited(v, "R-MENDED", incomes=fine),
        lost=exited(v, "R-LOST", incomes=fine, members=[
            member(name="孙老", labor="lost", id_number=resident_id(birth=datetime.date(1940, 1, 1))),
            member(name="孙子", relation="child", labor="ordinary", id_number=resident_id(birth=datetime.date(1990, 1, 1)))]),
        two=exited(v, "R-TWO", incomes=fine, members=[
            member(name="周父"), member(name="周子", relation="child", labor="skilled",
                                       id_number=resident_id(birth=datetime.date(1992, 1, 1)))]),
        still=household(village=v, number="R-STILL", members=[member(name="吴在册")]),
        datian=exited(dv, "R-DATIAN", incomes={2015: "2400", 2016: "2000"}, members=[
            member(name="郑老", labor="none", id_number=resident_id(prefix=DATIAN, birth=datetime.date(1945, 1, 1))),
            member(name="郑子", relation="child", labor="ordinary",
                   id_number=resident_id(prefix=DATIAN, birth=datetime.date(1988, 1, 1)))]),
    )
    services.income_record(actor=SYSTEM, household=w.still, year=2016, total=Decimal("2000"))
    health_becomes(w.ill.members.get(name="李妻"), "serious_illness")
    old = health_becomes(w.ill_old.members.get(), "chronic")
    Member.history.filter(id=old.pk, history_type="~").update(
        history_date=timezone.now() - datetime.timedelta(days=396))
    health_becomes(w.mended.members.get(), "chronic")
    health_becomes(w.mended.members.get(), "healthy")
    services.member_change_record(actor=SYSTEM, household=w.lost, kind="move_out", date=today() - datetime.timedelta(days=30),
                                  member=w.lost.members.get(name="孙子"), destination="厦门市")
    services.member_change_record(actor=SYSTEM, household=w.two, kind="death", date=today() - datetime.timedelta(days=30),
                                  member=w.two.members.get(name="周子"))
    services.member_change_record(actor=SYSTEM, household=w.datian, kind="death", date=today() - datetime.timedelta(days=30),
                                  member=w.datian.members.get(name="郑子"))
    return w


def build_warned(places) -> SimpleNamespace:
    """build_risks(), its warnings raised (return_risks_refresh, as the system)."""
    world = build_risks(places)
    return_risks_refresh(actor=SYSTEM)
    return world


# What the rules must find on the registry above, by household number, and nothing else.
EXPECTED = {
    "R-LOW": {"low_income"},
    "R-NEAR": {"low_income"},
    "R-DROP": {"income_drop"},
    "R-ILL": {"health"},
    "R-LOST": {"lost_labourer"},
    "R-DATIAN": {"low_income", "lost_labourer"},
}
