"""The notice lists (公示名单) of 两公示一公告: which cases of a place wait on a notice step, and the list
posted on a day.

Today a notice's period starts on the day its step is taken (services._step). A village posts its
list on the wall some days later, and the period the plan means runs from then: posting the list
(notice_post) starts the period of each listed case's step on the posting day, and the workflow's
checks (services.case_ready, objection_raise, the in-tray) read that period as before. A case not
posted keeps the period from its step. A case is posted once a step: its period, and the objections
raised in it, stay as first posted; a later list of the same place posts only the cases added since.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as DjangoCase
from django.db.models import Prefetch, QuerySet, When
from django.http import Http404
from django.utils import timezone

from common.actors import person
from common.refusals import Refused
from households import access
from households.models import County, Member, Township, Village

from .access import cases_visible_to
from .models import FLOWS, LEVELS, NOTICES, Case, Kind, Level, NoticePosting, State, Step
from .services import notice_days


def notice_steps(kind: str) -> list[str]:
    """The notice steps of a kind's flow, in order: identification has three (村公示, 乡镇公示, 县公告),
    exit one (村公示)."""
    return [s for s in FLOWS[kind] if s in NOTICES]


def _check_step(kind: str, step: str) -> None:
    if kind not in Kind.values:
        raise ValidationError({"kind": f"未知流程：{kind}"})
    if step not in notice_steps(kind):
        offered = "、".join(f"{s}（{State(s).label}）" for s in notice_steps(kind))
        raise ValidationError({"step": f"“{step}”不是{Kind(kind).label}的公示环节；可选：{offered}"})


def _place(user, *, village: str | None, township: str | None, county: str | None):
    """Runs a query. The one place named, if the user sees it: a place outside the user's counties is
    not found (404), as a household outside them is."""
    named = {k: v for k, v in {"village": village, "township": township, "county": county}.items() if v}
    if len(named) != 1:
        raise ValidationError({"village": "须指定一个地点：村（village）、乡镇（township）或县（county）之一"})
    (field, code), = named.items()
    model = {"village": Village, "township": Township, "county": County}[field]
    visible = access.counties_visible_to(user)
    scoped = {"village": {"township__county__in": visible}, "township": {"county__in": visible},
              "county": {"pk__in": visible}}[field]
    found = model.objects.filter(pk=code, **scoped).first()
    if found is None:
        raise Http404(f"没有该{model._meta.verbose_name}（{code}），或不在您的查看范围内")
    return field, found


PLACE_OF_VILLAGE = {"village": "pk", "township": "township_id", "county": "township__county_id"}


def _cases_at(cases: QuerySet[Case], *, kind: str, step: str, field: str, place) -> QuerySet[Case]:
    cases = cases.filter(kind=kind, state=step)
    return cases.filter(**{f"village__{PLACE_OF_VILLAGE[field]}": place.pk})


def notice_cases(*, user, kind: str, step: str, village: str | None = None, township: str | None = None,
                 county: str | None = None) -> QuerySet[Case]:
    """The cases of one place (a village, a township or a county, by code) whose current step is the
    notice `step` of `kind`, those the user sees, by village and household: what the list posted for
    两公示一公告 names. Each case comes with its places, household, main cause (the case's for an applicant, the
    household's for a household), its active members
    (`case.household.notice_members`, head first; None for a new applicant, named on the case) and
    its notice step (`case.notice_steps[0]`: the period it runs, from the posting once posted) in a fixed
    number of queries. Refuses (400) a step that is not a notice of that kind, and answers 404 for a
    place the user does not see."""
    _check_step(kind, step)
    field, place = _place(user, village=village, township=township, county=county)
    cases = _cases_at(cases_visible_to(user), kind=kind, step=step, field=field, place=place)
    return with_listing(cases, step).order_by("village_id", "household__number", "applicant_name", "id")


def with_listing(cases: QuerySet[Case], step: str) -> QuerySet[Case]:
    """What a list of cases on paper names of each, in a fixed number of queries: its places,
    household and main causes, the household's active members head first
    (`case.household.notice_members`) and its step `step` (`case.notice_steps`)."""
    return cases.with_places().select_related("main_cause", "household__main_cause").prefetch_related(
        Prefetch("household__members", to_attr="notice_members", queryset=Member.objects.filter(active=True).order_by(
            DjangoCase(When(relation=Member.Relation.HEAD, then=0), default=1), "id")),
        Prefetch("steps", queryset=Step.objects.filter(state=step), to_attr="notice_steps"),
    )


def posted(case: Case) -> bool:
    """Runs a query. Has a list naming the case at its current step been posted?"""
    return case.notice_postings.filter(step=case.state).exists()


def notice_post(*, actor, kind: str, step: str, on: datetime.date, village: str | None = None,
                township: str | None = None, county: str | None = None) -> NoticePosting:
    """The notice list of a place posted on `on` (张贴公示名单): it lists every case of the place
    waiting on the notice `step` of `kind` and not yet posted, and each listed case's notice period
    (WORKFLOW_NOTICE_DAYS days) now runs from `on`. Posted by whoever takes that step for the place
    (the county clerk acting for the village, the township or the county). Refused: a place the
    actor does not see (404) or does not act for (403), a step that is no notice of the kind, no case
    waiting, a day after today or before a listed case's step was taken."""
    _check_step(kind, step)
    field, place = _place(actor, village=village, township=township, county=county)
    level = LEVELS[step]
    acting = access.villages_acting_in(actor, level).filter(**{PLACE_OF_VILLAGE[field]: place.pk})
    if not acting.exists():
        raise Refused(f"您不能代{Level(level).label}张贴{place}的{State(step).label}名单")
    if on > timezone.localdate():
        raise ValidationError({"on": f"张贴日期{on}晚于今天"})
    with transaction.atomic():
        # Locked, so that no case moves on (or is posted by another list) while this list is posted.
        cases = list(_cases_at(Case.objects.select_for_update(of=("self",)), kind=kind, step=step, field=field,
                               place=place).filter(village__in=acting).exclude(notice_postings__step=step)
                     .select_related("household").order_by("id"))
        if not cases:
            raise ValidationError({"step": f"{place}没有处于“{State(step).label}”环节、尚未张贴的{Kind(kind).label}"})
        steps = {s.case_id: s for s in Step.objects.filter(case__in=cases, state=step)}
        late = [c for c in cases if steps[c.pk].on > on]
        if late:
            first = max(late, key=lambda c: steps[c.pk].on)
            raise ValidationError({"on": f"张贴日期{on}早于{first.who}的“{State(step).label}”办理日期{steps[first.pk].on}"})
        posting = NoticePosting(kind=kind, step=step, posted_on=on, posted_by=person(actor),
                                posted_by_name=actor.get_username(), **{field: place})
        posting.full_clean(exclude=["posted_by"])
        posting.save()
        posting.cases.set(cases)
        Step.objects.filter(pk__in=[s.pk for s in steps.values()]).update(
            notice_start=on, notice_end=on + datetime.timedelta(days=notice_days()))
    return posting
