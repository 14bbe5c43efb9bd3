"""Reads of the department lists: the latest of a kind, which the checks match against."""

from django.db.models import QuerySet

from .models import DepartmentList, ListEntry


def latest_list(kind: str) -> DepartmentList | None:
    """One query. The list of `kind` the checks use: the latest by its date, then by its upload
    (a list uploaded again for the same date replaces the earlier one)."""
    return DepartmentList.objects.filter(kind=kind).order_by("-list_date", "-uploaded_at", "-id").first()


def entries_of(department_list: DepartmentList) -> QuerySet[ListEntry]:
    return ListEntry.objects.filter(department_list=department_list)
