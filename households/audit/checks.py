"""The registry's own data-quality checks: duplicate persons, ID numbers against the record, heads,
causes without such a member, the safety nets' categories, incomes, measures long after exit."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Mod, Replace, Substr
from django.utils import timezone

from ..models import (
    ExitRecord,
    Household,
    HouseholdIncome,
    Member,
    MemberChange,
    ReliefChannel,
    ReliefMeasure,
    Transfer,
)
from .base import (
    MEMBER_FIELDS,
    Finding,
    Scope,
    audit_check,
    household_findings,
    member_findings,
    no_member,
    other_household,
    with_cause,
)

# An 18-character ID of the GB 11643 form; a 15-digit one of before 1999, which the column can only
# hold padded to its 18 characters (an import of old paper records did that).
WELL_FORMED = r"^[0-9]{17}[0-9X]$"
LEGACY_15 = r"^[0-9]{15}[^0-9]{3}$"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11


def well_formed(members: QuerySet[Member]) -> QuerySet[Member]:
    return members.filter(id_number__regex=WELL_FORMED)


def digit(position: int):
    """The digit at `position` (1-based) of the ID number, as a number."""
    return Cast(Substr("id_number", position, 1), IntegerField())


# ---------------------------------------------------------------- duplicate persons


@audit_check("duplicate_name_birth", "同名同出生日期的人在两个有效户中")
def duplicate_name_birth(scope: Scope) -> Iterator[Finding]:
    """The same person registered twice under two ID numbers (the database only sees the same
    number twice): same name and birth date in two active households. One query: the active members
    grouped by name and birth date find the pairs shared by two households; the member after the
    first of another household is flagged."""
    active = Member.objects.filter(active=True).annotate(
        key=Concat("name", Value("|"), Cast("birth_date", CharField()), output_field=CharField()))
    # Min < Max rather than COUNT(DISTINCT) > 1: the same keys, grouped by hashing instead of a sort.
    shared = active.values("key").annotate(lo=Min("household_id"), hi=Max("household_id")).filter(lo__lt=F("hi"))
    in_scope = SqlCase(When(household__in=scope.households, then=Value(True)), default=Value(False))
    rows = active.filter(key__in=shared.values("key")).annotate(in_scope=in_scope).order_by("key", "id").values(
        "key", *MEMBER_FIELDS, "in_scope")
    first: dict[str, dict] = {}
    for m in rows:
        earliest = first.setdefault(m["key"], m)
        if m["in_scope"] and earliest["household_id"] != m["household_id"]:
            other = other_household(earliest["household__number"], earliest["in_scope"])
            yield Finding("duplicate_name_birth", m["household__village_id"][:6], m["household_id"],
                          m["household__number"], m["id"], f"{m['name']}与{other}的成员同名同出生日期")


@audit_check("id_one_digit_apart", "身份号码只差一位")
def id_one_digit_apart(scope: Scope) -> Iterator[Finding]:
    """Two active members whose ID numbers differ in one character: most often one number mistyped.
    For each position the number with that character left out is a key both share. One query reads
    the active numbers; the keys are grouped in memory, since eighteen grouped queries over the
    whole member table cost PostgreSQL ten times as long. The later member (by id) is flagged."""
    in_scope = SqlCase(When(household__in=scope.households, then=Value(True)), default=Value(False))
    rows = list(Member.objects.filter(active=True).annotate(in_scope=in_scope).order_by("id").values_list(
        "id", "id_number", "household__number", "in_scope"))
    flagged: dict[int, str] = {}
    for position in range(18):
        first: dict[str, tuple] = {}
        for row in rows:
            number = row[1]
            earliest = first.setdefault(number[:position] + number[position + 1:], row)
            if row[3] and earliest[1] != number and row[0] not in flagged:
                flagged[row[0]] = f"的身份号码与{other_household(earliest[2], earliest[3])}的一名成员只差第{position + 1}位"
    members = Member.objects.filter(pk__in=list(flagged)).order_by("id")
    yield from member_findings("id_one_digit_apart", members, lambda m: m["name"] + flagged[m["id"]])


@audit_check("id_15_beside_18", "15位旧身份号码与其18位号码并存")
def id_15_beside_18(scope: Scope) -> Iterator[Finding]:
    """An old 15-digit number (before GB 11643-1999) beside its 18-digit form: the 18-digit form puts
    19 before the birth year and adds a check character, so the first 17 characters match. Two
    queries: the old numbers (rare; none, and the check is done), then their 18-digit forms by key
    (a correlated lookup of each cost PostgreSQL a pass over every member)."""
    legacy = list(scope.members.filter(active=True, id_number__regex=LEGACY_15).annotate(
        body=Concat(Substr("id_number", 1, 6), Value("19"), Substr("id_number", 7, 9), output_field=CharField())
    ).order_by("id").values(*MEMBER_FIELDS, "body"))
    if not legacy:
        return
    newer: dict[str, dict] = {}
    for m in (Member.objects.filter(active=True, id_number__regex=WELL_FORMED).annotate(body=Substr("id_number", 1, 17))
              .filter(body__in={m["body"] for m in legacy}).order_by("id").values("body", "household_id",
                                                                                  "household__number")):
        newer.setdefault(m["body"], m)
    visible = set(scope.households.filter(pk__in={n["household_id"] for n in newer.values()})
                  .values_list("pk", flat=True))
    for m in legacy:
        other = newer.get(m["body"])
        if other is not None:
            yield Finding("id_15_beside_18", m["household__village_id"][:6], m["household_id"], m["household__number"],
                          m["id"], f"{m['name']}的15位旧号码与"
                                   f"{other_household(other['household__number'], other['household_id'] in visible)}"
                                   "的18位号码为同一人")


# ---------------------------------------------------------------- ID numbers against the record


@audit_check("id_checksum", "身份号码格式或校验码错误")
def id_checksum(scope: Scope) -> Iterator[Finding]:
    """GB 11643: the 18th character is the weighted sum of the first 17 digits mod 11, looked up in
    1 0 X 9 8 7 6 5 4 3 2. Computed in the database; old 15-digit numbers are id_15_beside_18's."""
    total = sum((digit(i + 1) * w for i, w in enumerate(WEIGHTS)), Value(0))
    # One expression a row (the expected character, blank for a malformed number), compared once:
    # a condition per remainder would have the database sum the digits a dozen times.
    expected = SqlCase(When(id_number__regex=WELL_FORMED, then=Substr(Value(CHECK_CHARACTERS), Mod(total, 11) + 1, 1)),
                       default=Value(""), output_field=CharField())
    members = scope.members.exclude(id_number__regex=LEGACY_15).annotate(
        expected=expected, last=Substr("id_number", 18, 1)).exclude(last=F("expected"))
    yield from member_findings("id_checksum", members, lambda m: f"{m['name']}的身份号码格式或校验码错误")


@audit_check("id_birth_date", "出生日期与身份号码不符")
def id_birth_date(scope: Scope) -> Iterator[Finding]:
    birth = Replace(Cast("birth_date", CharField()), Value("-"), Value(""))
    members = well_formed(scope.members).annotate(from_id=Substr("id_number", 7, 8), recorded=birth).exclude(
        from_id=F("recorded"))
    yield from member_findings("id_birth_date", members,
                               lambda m: f"{m['name']}的出生日期与身份号码（{m['from_id']}）不符")


@audit_check("id_sex", "性别与身份号码不符")
def id_sex(scope: Scope) -> Iterator[Finding]:
    """The 17th digit is odd for men, even for women."""
    odd, even = ["1", "3", "5", "7", "9"], ["0", "2", "4", "6", "8"]
    members = well_formed(scope.members).annotate(order=Substr("id_number", 17, 1)).filter(
        Q(sex=Member.Sex.MALE, order__in=even) | Q(sex=Member.Sex.FEMALE, order__in=odd))
    yield from member_findings("id_sex", members, lambda m: f"{m['name']}的性别与身份号码不符")


# ---------------------------------------------------------------- households against their members


@audit_check("head_count", "无户主或多名户主")
def head_count(scope: Scope) -> Iterator[Finding]:
    # The present members' heads: a head who died or left (成员变动) keeps the relation on the record.
    households = scope.households.annotate(heads=Count("members", filter=Q(members__relation=Member.Relation.HEAD,
                                                                            members__left_on__isnull=True)))
    yield from household_findings("head_count", households.exclude(heads=1),
                                  lambda h: "无户主" if h["heads"] == 0 else f"有{h['heads']}名户主")


ILL = Q(health__in=[Member.Health.CHRONIC, Member.Health.SERIOUS_ILLNESS])
DISABLED = Q(health=Member.Health.DISABLED) | ~Q(disability_certificate="")
STUDENT = ~Q(schooling=Member.Schooling.NOT_IN_SCHOOL)


@audit_check("illness_without_ill_member", "因病致贫但无患病成员")
def illness_without_ill_member(scope: Scope) -> Iterator[Finding]:
    households = no_member(with_cause(scope.households, "illness"), ILL)
    yield from household_findings("illness_without_ill_member", households,
                                  lambda h: "致贫原因有因病，但没有长期慢性病或大病的成员")


@audit_check("disability_without_disabled_member", "因残致贫但无残疾成员")
def disability_without_disabled_member(scope: Scope) -> Iterator[Finding]:
    households = no_member(with_cause(scope.households, "disability"), DISABLED)
    yield from household_findings("disability_without_disabled_member", households,
                                  lambda h: "致贫原因有因残，但没有残疾或持残疾证的成员")


@audit_check("schooling_without_student", "因学致贫但无在校生")
def schooling_without_student(scope: Scope) -> Iterator[Finding]:
    households = no_member(with_cause(scope.households, "schooling"), STUDENT)
    yield from household_findings("schooling_without_student", households, lambda h: "致贫原因有因学，但没有在校生")


@audit_check("wubao_with_labourer", "五保户有劳动年龄内的劳动力")
def wubao_with_labourer(scope: Scope) -> Iterator[Finding]:
    """五保 is for those without the ability to work (and without family to support them): a member
    aged 16 to 59 with ordinary or skilled labour capacity contradicts the category."""
    as_of = scope.as_of
    youngest = _years_before(as_of, 16)  # born on or before: 16 already
    oldest = _years_before(as_of, 60)  # born after: not yet 60
    labourer = Q(labor__in=[Member.Labor.ORDINARY, Member.Labor.SKILLED], birth_date__lte=youngest,
                 birth_date__gt=oldest)
    households = scope.households.filter(category=Household.Category.WUBAO).filter(
        Exists(Member.objects.filter(labourer, household_id=OuterRef("pk"))))
    yield from household_findings("wubao_with_labourer", households, lambda h: "五保户中有16至59岁的普通或技能劳动力")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@audit_check("dibao_without_dibao_member", "低保户无享受低保的成员")
def dibao_without_dibao_member(scope: Scope) -> Iterator[Finding]:
    households = no_member(
        scope.households.filter(category__in=[Household.Category.DIBAO, Household.Category.DIBAO_ABLE]),
        Q(draws_dibao=True))
    yield from household_findings("dibao_without_dibao_member", households, lambda h: "低保户中没有享受低保的成员")


# ---------------------------------------------------------------- incomes, measures, exits


@audit_check("income_not_positive", "人均纯收入为零")
def income_not_positive(scope: Scope) -> Iterator[Finding]:
    yield from household_findings("income_not_positive", scope.households.filter(income_per_capita__lte=0),
                                  lambda h: "人均纯收入为0元")


@audit_check("income_implausible", "人均纯收入高得不合理")
def income_implausible(scope: Scope) -> Iterator[Finding]:
    ceiling = settings.AUDIT_INCOME_CEILING
    households = scope.households.filter(income_per_capita__gt=ceiling).annotate(income=F("income_per_capita"))
    yield from household_findings("income_implausible", households,
                                  lambda h: f"人均纯收入{h['income']}元，超过{ceiling}元")


@audit_check("measures_after_exit", "脱贫多年后仍在接受帮扶措施")
def measures_after_exit(scope: Scope) -> Iterator[Finding]:
    """An exited household still receiving measures of a relief channel (九个一批; the safety nets
    go on) AUDIT_MEASURE_YEARS_AFTER_EXIT years or more after its latest exit."""
    after = settings.AUDIT_MEASURE_YEARS_AFTER_EXIT
    # Two grouped queries compared here: correlated subqueries of the latest exit and measure cost
    # PostgreSQL a lookup of each for every exited household, twenty times as long.
    exited = scope.households.filter(status=Household.Status.EXITED)
    last_exit = dict(ExitRecord.objects.filter(household__in=exited).values("household_id")
                     .annotate(year=Max("year")).values_list("household_id", "year"))
    latest = ReliefMeasure.objects.filter(household__in=exited, channel__kind=ReliefChannel.Kind.CHANNEL)
    flagged = {
        household: (last_exit[household], year)
        for household, year in latest.values("household_id").annotate(year=Max("year")).values_list("household_id",
                                                                                                    "year")
        if household in last_exit and year >= last_exit[household] + after
    }
    yield from household_findings(
        "measures_after_exit", Household.objects.filter(pk__in=list(flagged)),
        lambda h: f"{flagged[h['id']][0]}年脱贫，{flagged[h['id']][1]}年仍有帮扶渠道措施",
        lambda h: flagged[h["id"]][1])  # the year of the latest measure, the record flagged


# ---------------------------------------------------------------- transfers

TRANSFER_PENDING_DAYS = 30  # issue 18: a transfer waiting longer on the receiving county is flagged


@audit_check("transfer_pending_long", "迁移待接收超过30天")
def transfer_pending_long(scope: Scope) -> Iterator[Finding]:
    """A transfer across counties released more than TRANSFER_PENDING_DAYS days before the report
    date and still neither accepted nor refused: the household waits between two counties. One query."""
    cutoff = datetime.datetime.combine(scope.as_of - datetime.timedelta(days=TRANSFER_PENDING_DAYS), datetime.time.min,
                                       tzinfo=timezone.get_current_timezone())
    waiting = Transfer.objects.pending().filter(household__in=scope.households, released_at__lt=cutoff)
    for t in waiting.order_by("household_id").values("household_id", "household__number", "from_village_id",
                                                      "released_at", "to_village__name",
                                                      "to_village__township__county__name"):
        released_on = timezone.localdate(t["released_at"])
        days = (scope.as_of - released_on).days
        yield Finding("transfer_pending_long", t["from_village_id"][:6], t["household_id"], t["household__number"],
                      None, f"{released_on:%Y-%m-%d}迁往{t['to_village__township__county__name']}"
                            f"{t['to_village__name']}，已待接收{days}天", released_on.year)


@audit_check("exit_without_income", "脱贫年度没有年度收入记录")
def exit_without_income(scope: Scope) -> Iterator[Finding]:
    """An exit in a year with no income record for it (issue 18: the exit, its home visit and the
    year's income are one figure; an exit recorded before the income records, or whose income was
    removed around the services, has none). One query."""
    income = HouseholdIncome.objects.filter(household_id=OuterRef("household_id"), year=OuterRef("year"))
    exits = (ExitRecord.objects.filter(household__in=scope.households).exclude(Exists(income))
             .order_by("household_id", "year").values("household_id", "household__number", "household__village_id",
                                                      "year"))
    for e in exits:
        yield Finding("exit_without_income", e["household__village_id"][:6], e["household_id"], e["household__number"],
                      None, f"{e['year']}年脱贫，但没有{e['year']}年的年度收入记录", e["year"])


@audit_check("left_member_draws_support", "已离开本户的成员仍享受低保或五保")
def left_member_draws_support(scope: Scope) -> Iterator[Finding]:
    """A member who left the household (died, married out, moved away, enlisted, imprisoned: left_on
    set, on or before the report date) whose record still says they draw 低保 or 五保 (issue 18): the
    payment should have stopped on that date. A person who went into another registered household and
    is present there draws through that record, and is not listed. One query."""
    present_elsewhere = Member.objects.filter(id_number=OuterRef("id_number"), left_on__isnull=True)
    left = (scope.members.filter(left_on__lte=scope.as_of).filter(Q(draws_dibao=True) | Q(draws_wubao=True))
            .exclude(Exists(present_elsewhere)).order_by("household_id", "id"))

    def detail(m: dict) -> str:
        support = "、".join(name for name, draws in (("低保", m["dibao"]), ("五保", m["wubao"])) if draws)
        return f"{m['name']}已于{m['left']:%Y-%m-%d}离开本户，仍登记享受{support}"

    yield from member_findings("left_member_draws_support",
                               left.annotate(left=F("left_on"), dibao=F("draws_dibao"), wubao=F("draws_wubao")),
                               detail, lambda m: m["left"].year)


@audit_check("birth_recorded_late", "出生登记晚于出生一年以上")
def birth_recorded_late(scope: Scope) -> Iterator[Finding]:
    """A birth (成员变动 出生) recorded in the registry (its recorded_at, local date) more than a year
    after the date of birth (issue 18): the yearly 动态调整 missed it, and the household's size, and so
    its per-capita income, was wrong for the years between. One query; the births are compared here,
    since a year is not a fixed number of days."""
    births = (MemberChange.objects.filter(kind=MemberChange.Kind.BIRTH, household__in=scope.households)
              .order_by("household_id", "member_id")
              .values("household_id", "household__number", "household__village_id", "member_id", "member__name",
                      "date", "recorded_at"))
    for b in births:
        recorded = timezone.localtime(b["recorded_at"]).date()
        if recorded > _a_year_after(b["date"]):
            yield Finding("birth_recorded_late", b["household__village_id"][:6], b["household_id"],
                          b["household__number"], b["member_id"],
                          f"{b['member__name']}{b['date']:%Y-%m-%d}出生，{recorded:%Y-%m-%d}才登记", b["date"].year)


def _a_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later; 29 February's is 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return datetime.date(day.year + 1, 3, 1)
