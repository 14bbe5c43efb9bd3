"""django-import-export's side of the 建档立卡 workbook: the admin's upload page offers this format and
this resource; what is uploaded goes to the registry's own import service, as a job
(households/admin/excel.py). The library's own row-by-row import (about 700 rows a second, or a
bulk mode that skips the history) is not used: the registry validates a workbook as one set."""

from import_export import resources
from import_export.formats.base_formats import XLSX

from .models import Household


class RegistryXLSX(XLSX):
    """The workbook's format on the upload page (read by households/workbook/, not by tablib)."""


class HouseholdResource(resources.ModelResource):
    class Meta:
        model = Household
        name = "建档立卡贫困户家庭成员表"

    def get_user_visible_fields(self):
        return []  # the page lists the layout's headers itself
