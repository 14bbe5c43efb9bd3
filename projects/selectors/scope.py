"""Who reads which project where: the scope every read of the projects' page is narrowed by."""

from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef

from households.access import counties_visible_to
from households.models import County

from ..access import project_counties_visible_to
from ..models import (
    EDUCATION_CHANNEL,
    EMPLOYMENT_CHANNEL,
    LOAN_CHANNEL,
    TRAINING_CHANNEL,
)

# Each project and the channel of its measures (None: the pilots are chosen by the city).
PROJECTS = {
    "loans": LOAN_CHANNEL,
    "employment": EMPLOYMENT_CHANNEL,
    "pilots": None,
    "education": EDUCATION_CHANNEL,
    "training": TRAINING_CHANNEL,
}


@dataclass(frozen=True)
class Scope:
    """What one user reads of the projects, narrowed by the page's filters."""

    user: object
    names: dict[str, str]  # every county's name by code, in code order
    seen: dict[str, tuple[str, ...]]  # project → the county codes read
    places: frozenset[str]  # counties whose own pages the user opens (counties_visible_to)
    county: str | None = None
    year: int | None = None

    def counties(self, project: str) -> tuple[str, ...]:
        return self.seen[project]

    def whole_city(self, project: str) -> bool:
        return len(self.seen[project]) == len(self.names)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The counties of any project: the county filter's choices."""
        read = set().union(*self.seen.values())
        return [(code, name) for code, name in self.names.items() if code in read]

    def narrowed(self, *, county: str | None = None, year: int | None = None) -> "Scope":
        seen = self.seen if county is None else {p: tuple(c for c in codes if c == county)
                                                for p, codes in self.seen.items()}
        return replace(self, seen=seen, county=county, year=year)


def project_scope(*, user, county: str | None = None, year: int | None = None) -> Scope:
    """Runs one query (and, for a channel department, one a project: is its channel theirs?)."""
    flags = {f"reads_{p}": Exists(project_counties_visible_to(user, channel).filter(code=OuterRef("code")))
             for p, channel in PROJECTS.items()}
    flags["opens"] = Exists(counties_visible_to(user).filter(code=OuterRef("code")))
    rows = list(County.objects.order_by("code").annotate(**flags).values("code", "name", *flags))
    scope = Scope(
        user=user,
        names={r["code"]: r["name"] for r in rows},
        seen={p: tuple(r["code"] for r in rows if r[f"reads_{p}"]) for p in PROJECTS},
        places=frozenset(r["code"] for r in rows if r["opens"]),
    )
    return scope.narrowed(county=county, year=year)


def _per_county(scope: Scope, project: str, found: dict[str, dict], zeros: dict) -> list[dict]:
    """A row for every county the user reads of the project, with zeros where it has no record."""
    return [{"county": code, "county_name": scope.names[code], **zeros, **found.get(code, {})}
            for code in scope.counties(project)]


def _keyed(rows, key: str = "code") -> dict:
    return {r.pop(key): {k: (0 if v is None else v) for k, v in r.items()} for r in rows}
