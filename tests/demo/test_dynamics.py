"""The demo registry through 2015–2018 (issue 18.7): member changes, relocations and yearly incomes."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q

from demo import registry as demo
from households.audit import run_audit
from households.models import ChangeKind, ExitRecord, Household, HouseholdIncome, Member, MemberChange, Transfer
from households.selectors import household_size_on, members_on, population_on
from households.validators import parse_resident_id
from plans.models import AnnexRow, Settlement

pytestmark = pytest.mark.django_db

LINES = {2014: Decimal(2800), 2015: Decimal(2855), 2016: Decimal(2952)}  # the national lines of the fixtures


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--persons", "3000", "--seed", "11")
    return capsys.readouterr().out


def test_every_kind_of_change_shows_dated_after_2014(seeded):
    kinds = Counter(MemberChange.objects.values_list("kind", flat=True))
    assert set(kinds) == set(ChangeKind.values), set(ChangeKind.values) - set(kinds)
    assert kinds["birth"] >= 2 and kinds["death"] >= 2
    dates = MemberChange.objects.values_list("date", flat=True)
    assert min(dates) >= datetime.date(2015, 1, 1) and max(dates) <= datetime.date(2018, 12, 31)
    for change in MemberChange.objects.filter(kind="birth").select_related("member"):
        assert parse_resident_id(change.member.id_number).birth_date == change.date
        assert change.member.relation in ("child", "grandchild") and change.member.joined_on == change.date
    assert MemberChange.objects.filter(kind="marry_out", other_household__isnull=False).exists()  # between two households
    assert MemberChange.objects.filter(kind="marry_out", other_household__isnull=True).exists()  # to outside
    assert not MemberChange.objects.filter(kind="move_out", destination="").exists()
    # Every household still standing has one present head, a head's death named the new one.
    for death in MemberChange.objects.filter(kind="death", member__relation="head"):
        assert death.new_head is not None and death.new_head.relation == "head"
    for h in Household.objects.exclude(status="removed"):
        assert [m.relation for m in members_on(h)].count("head") == 1, h.number
    # Nobody who left still draws 低保 or 五保 (the service leaves the flags as they were).
    left = Member.objects.filter(left_on__isnull=False)
    assert left.exists() and not left.filter(Q(draws_dibao=True) | Q(draws_wubao=True)).exists()
    split = MemberChange.objects.filter(kind="split").first()
    new = split.other_household
    assert new.village_id == split.household.village_id and members_on(new).count() == 2
    assert "成员变动" in seeded and "出生" in seeded and "分户" in seeded


def test_relocations_into_the_settlements(seeded):
    transfers = Transfer.objects.all()
    names = set(Settlement.objects.values_list("name", flat=True))
    assert transfers and all(t.reason == "relocation" and t.settlement in names for t in transfers)
    assert all(t.household.main_cause_id == "harsh_conditions" for t in transfers)
    within = [t for t in transfers if not t.across_counties]
    across = [t for t in transfers if t.across_counties]
    assert within and all(t.state == "accepted" for t in within)
    assert Counter(t.state for t in across) == {"accepted": 2, "pending": 1, "refused": 1}
    for t in transfers:
        t.household.refresh_from_db()
        assert t.household.village_id == (t.to_village_id if t.state == "accepted" else t.from_village_id)
    assert "易地扶贫搬迁" in seeded and "待接收" in seeded
    # The settlements meet 二.(一).9: at least 30 a year across the city, each of at least 30 households.
    per_year = Counter(Settlement.objects.filter(households__gte=30).values_list("year", flat=True))
    assert per_year and all(n >= 30 for n in per_year.values())


def test_yearly_incomes_by_source_around_the_line(seeded):
    incomes = list(HouseholdIncome.objects.select_related("household"))
    assert "年度收入" in seeded
    for income in incomes:
        parts = [income.wages, income.business, income.property, income.transfers]
        assert None not in parts and sum(parts) == income.total and min(parts) >= 0
        assert income.persons == household_size_on(income.household, datetime.date(income.year, 12, 31))
    years = {}
    for income in incomes:
        years.setdefault(income.household_id, []).append(income.year)
    # Every household from its identification year to 2018 (a household merged away: until it emptied).
    for h in Household.objects.exclude(status="removed"):
        assert sorted(years[h.pk]) == list(range(min(years[h.pk]), 2019)), h.number
        split_off = MemberChange.objects.filter(kind="split", other_household=h).first()
        assert min(years[h.pk]) == (split_off.date.year if split_off else h.identified_year), h.number
        latest = max((i for i in incomes if i.household_id == h.pk), key=lambda i: i.year)
        assert h.income_per_capita == latest.per_capita
    # An exit and its year's income are one figure.
    by_year = {(i.household_id, i.year): i.per_capita for i in incomes}
    exits = list(ExitRecord.objects.all())
    assert exits and all(by_year[e.household_id, e.year] == e.income_per_capita for e in exits)
    # Poor years mostly below the national line, a few near it; after an exit mostly above.
    exit_year = {e.household_id: e.year for e in sorted(exits, key=lambda e: e.year, reverse=True)}
    poor = [i for i in incomes if i.year in LINES and i.household.standard == "national"
            and i.year < exit_year.get(i.household_id, 9999)]
    below = [i for i in poor if i.per_capita < LINES[i.year]]
    near = [i for i in below if i.per_capita >= LINES[i.year] * Decimal("0.8")]
    assert len(below) == len(poor) and 0 < len(near) < len(below) / 2
    after = [i for i in incomes if i.year in LINES and i.household.standard == "national"
             and i.household.status == "exited" and i.year >= exit_year[i.household_id]]
    assert sum(i.per_capita >= LINES[i.year] for i in after) > 0.9 * len(after)


def test_the_checks_find_nothing_absurd_in_the_demo(seeded):
    found = Counter(f.check for f in run_audit())
    for check in ("exit_without_income", "head_count", "wubao_with_labourer", "birth_recorded_late",
                  "left_member_draws_support"):
        assert found[check] == 0, (check, found[check])
    # The moves left pending were released in their years (2015–2018): long pending, as the list says.
    assert {t.released_at.year for t in Transfer.objects.all()} <= set(range(2015, 2019))
    pending = Transfer.objects.filter(state="pending").count()
    assert pending and found["transfer_pending_long"] == pending
    assert found["exit_below_line"] < ExitRecord.objects.count() / 50  # the deliberate one in 200


def test_same_seed_same_years():
    def drawn(registry):
        return ([(c["kind"], c["date"], c["household"].number) for c in registry.changes],
                [(i.household.number, i.year, i.total, i.wages) for i in registry.household_incomes],
                [(m.household.number, m.to_village.code, m.settlement, m.outcome) for m in registry.moves])

    a, b = demo.build(persons=1500, seed=9), demo.build(persons=1500, seed=9)
    assert drawn(a) == drawn(b) and all(drawn(a))
    assert drawn(a)[0] != drawn(demo.build(persons=1500, seed=10))[0]


def test_the_2014_end_population_per_county_meets_the_annex():
    """The registry's own figure (population_on) once the changes and moves are written, against the
    annex's remaining column scaled as the demo scales it (at the city's size: the column itself)."""
    persons = 20000
    call_command("seed_demo", "--persons", str(persons), "--seed", "2", verbosity=0)
    assert MemberChange.objects.exists() and Transfer.objects.filter(state="accepted").exists()
    assert Member.objects.filter(joined_on__isnull=False).exists()
    population = population_on(datetime.date(2014, 12, 31))
    for row in AnnexRow.objects.filter(county__isnull=False):
        share = round(row.registered * persons / demo.CITY_PERSONS)
        remaining = share - round(share * row.exited_2014 / row.registered)
        assert population.get(row.county_id) == remaining, row.label
        assert abs(remaining - row.remaining_2014 * persons / demo.CITY_PERSONS) <= 1.5, row.label
    assert population_on(datetime.date(2016, 12, 31)) != population
