from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Long work in the background: a job record a user can follow, run by a task of Django's tasks
    API. The apps above register the kinds of work (jobs/kinds.py); this app knows none of them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = "后台任务"
