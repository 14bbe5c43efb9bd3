"""Printing the documents: each read for the user who prints it (selectors.py decides what they see,
404 outside their scope), rendered to PDF (render.py) and logged like an export (households'
ExportLog, kind `print.<document>`): a printed card or handbook is personal data leaving the
registry, as a workbook is."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from households import access
from households.models import Household
from households.services import export_log
from jobs.models import Job
from jobs.services import job_start

from . import render, selectors

VILLAGE_CARDS = "documents.village_cards"

# The ExportLog kinds, one a document.
PRINT_KINDS = {"card": "print.card", "handbook": "print.handbook", "notice_list": "print.notice_list",
               "announcement": "print.announcement", "close": "print.close", "village_cards": "print.village_cards"}


@dataclass
class Printed:
    name: str  # the file's name, in Chinese
    content: bytes
    rows: int = 1  # the households (or cases) it holds


def _log(actor, *, document: str, door: str, filters: dict, rows: int, ids: bool) -> None:
    export_log(actor=actor, door=door, kind=PRINT_KINDS[document], filters=filters, rows=rows,
               full_id_numbers=ids and access.may_see_full_id(actor))


def household_url(household: Household) -> str:
    return render.registry_url(reverse("dashboard:household", args=[household.pk]))


def card_html(household: Household, *, actor, on: datetime.date, year: int | None = None) -> str:
    return render.html("card.html", selectors.card(household, user=actor, on=on, year=year), user=actor,
                       url=household_url(household), on=on)


def card_print(*, actor, household: int, door: str, year: int | None = None) -> Printed:
    """A household's 帮扶明白卡 on today's date (the measures of `year`, by default the latest year's)."""
    found = selectors.household_of(actor, household)
    on = timezone.localdate()
    content = render.pdf(card_html(found, actor=actor, on=on, year=year))
    _log(actor, document="card", door=door, filters={"household": found.number, "year": year}, rows=1,
         ids=True)
    return Printed(f"帮扶明白卡-{found.number}.pdf", content)


def handbook_print(*, actor, household: int, door: str) -> Printed:
    """A household's 扶贫手册 as the registry holds it on today's date."""
    found = selectors.household_of(actor, household)
    on = timezone.localdate()
    content = render.render("handbook.html", selectors.handbook(found, user=actor, on=on), user=actor,
                            url=household_url(found), on=on)
    _log(actor, document="handbook", door=door, filters={"household": found.number}, rows=1, ids=True)
    return Printed(f"扶贫手册-{found.number}.pdf", content)


def notice_list_print(*, actor, kind: str, step: str, door: str, village: str | None = None,
                      township: str | None = None) -> Printed:
    """The 公示名单 of a village or a township for one kind and one notice step (no ID number)."""
    data = selectors.notice_list(user=actor, kind=kind, step=step, village=village, township=township)
    place = {"village": village} if village else {"township": township}
    query = urlencode({"kind": kind, "step": step, **place})
    url = render.registry_url(f"{reverse('notice-posting-cases')}?{query}")
    content = render.render("notice_list.html", data, user=actor, url=url)
    _log(actor, document="notice_list", door=door, filters={"kind": kind, "step": step, **place},
         rows=len(data["cases"]), ids=False)
    return Printed(f"公示名单-{village or township}-{step}.pdf", content)


def announcement_print(*, actor, county: str, kind: str, door: str, year: int | None = None) -> Printed:
    """The county's 公告 of its decision step (selectors.announcement)."""
    data = selectors.announcement(user=actor, county=county, kind=kind, year=year)
    url = render.registry_url(f"{reverse('dashboard:county', args=[county])}")
    content = render.render("announcement.html", data, user=actor, url=url)
    _log(actor, document="announcement", door=door, filters={"county": county, "kind": kind, "year": year},
         rows=len(data["cases"]), ids=False)
    return Printed(f"公告-{county}-{kind}.pdf", content)


def close_print(*, actor, key: str, door: str) -> Printed:
    """The close of a county-year ("350424-2016"): its figures, their canonical JSON's hash, its state."""
    close = selectors.close_of(actor, key)
    url = render.registry_url(reverse("dashboard:close", args=[key]))
    content = render.render("close.html", selectors.close_document(close), user=actor, url=url)
    _log(actor, document="close", door=door, filters={"close": key}, rows=1, ids=False)
    return Printed(f"年度数据锁定-{key}.pdf", content)


# ---------------------------------------------------------------- a village's cards, as a job


def village_cards_job_start(*, actor, village: str, door: str) -> Job:
    """Every 帮扶明白卡 of a village in one PDF, made in the background (docs/jobs.md): refused at once
    (404) for a village the actor does not see; the job reads it again as its user when it runs."""
    found = selectors.village_of(actor, village)
    return job_start(actor=actor, kind=VILLAGE_CARDS, params={"village": found.code, "door": door})


def village_cards(*, actor, village: str, door: str, progress=None) -> Printed:
    """The cards of village_households(), one page each, in one PDF, logged as one print."""
    found = selectors.village_of(actor, village)
    households = list(selectors.village_households(actor, found))
    on = timezone.localdate()
    parts = []
    for done, household in enumerate(households):
        if progress is not None:
            progress(done, len(households), "排版")
        parts.append(card_html(household, actor=actor, on=on))
    if progress is not None:
        progress(len(households), len(households), "生成PDF")
    content = render.merge(parts)
    _log(actor, document="village_cards", door=door, filters={"village": found.code}, rows=len(households),
         ids=True)
    return Printed(f"帮扶明白卡-{found.name}.pdf", content, rows=len(households))
