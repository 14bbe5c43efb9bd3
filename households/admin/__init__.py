"""The clerks' admin. Forms narrow their choices to what access.py lets the user pick and check the
models' rules; every save and delete is handed to households/services/, which decides again."""

from . import changes, helpers, households, incomes, places, records, roles, transfers  # noqa: F401  (each registers its pages)
from .base import MaskedIdMixin, RecordAdmin, county_filter, masking_form

__all__ = ["MaskedIdMixin", "RecordAdmin", "county_filter", "masking_form"]
