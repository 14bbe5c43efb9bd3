"""What every model of the registry shares: its years, the plan's loan limits, the named checks,
and the base class whose clean() names the field in Chinese while the constraint guards the database."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

# 建档立卡 began with the 2014 baseline; the plan runs to 2018 and its results are kept to 2020.
FIRST_YEAR = 2014
LAST_YEAR = 2020
year_validators = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
LOAN_MAX_AMOUNT = 50_000  # 二.(一).6: 5万元以下
LOAN_MAX_MONTHS = 36  # 二.(一).6: 3年以内


def choices_check(model: str, field: str, choices) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=f"{model}_{field}_valid")


def year_check(model: str, field: str = "year") -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": FIRST_YEAR, f"{field}__lte": LAST_YEAR})
    return models.CheckConstraint(condition=condition, name=f"{model}_{field}_in_range")


class RegistryModel(models.Model):
    """Base of every registry model.

    Django's full_clean() would also check the database constraints, but it reports them
    without naming a field and silently skips any that touch a field the form lacks. So each
    model's clean() carries the friendly check and the constraint stays the database's guard.
    """

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        pass


def exists_besides(record, **fields) -> bool:
    """Runs a query: does another record of the same model have these values? The friendly twin of
    a UniqueConstraint, for clean()."""
    return type(record)._default_manager.filter(**fields).exclude(pk=record.pk).exists()


def related(record, name: str):
    """The object a foreign key points at, or None while it is unset or names nothing
    (clean_fields() has already said which)."""
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:
        return None


class BulkHistory(HistoricalRecords):
    """The history of the records an import writes by the tens of thousands (households, members,
    incomes), without the indexes on when and by whom that every history table has by default:
    nothing reads these histories by date or by user (households.selectors.household_history reads
    them by record), and the two indexes were 40 % of writing the city's member history. Deleting a
    user (accounts are deactivated, not deleted) then scans these tables to clear its name."""

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        for name in ("history_date", "history_user"):
            if isinstance(extra.get(name), models.Field):
                extra[name].db_index = False
        return extra
