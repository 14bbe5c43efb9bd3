from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo registry (seed_demo): it imports every app, and nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "演示数据"
