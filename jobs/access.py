"""Whose jobs a user sees and downloads: their own; every job for whoever holds the permission
jobs.view_all_jobs (the city reviewer's group is given it by households/access.py) and superusers.
A job's file holds what its user could see: whoever sees the job may take it."""

from django.db.models import QuerySet

from .models import Job


def jobs_visible_to(user) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    if user.is_superuser or user.has_perm("jobs.view_all_jobs"):
        return Job.objects.all()
    return Job.objects.filter(user_id=user.pk)
