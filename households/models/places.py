"""The places: the 12 county-level units of the annex, their townships and villages, each named by
its administrative code, which carries its parent's."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import (
    county_code_validator,
    township_code_validator,
    village_code_validator,
)
from .base import RegistryModel


class County(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=6, primary_key=True, validators=[county_code_validator])
    name = models.CharField(_("名称"), max_length=20, unique=True)
    is_provincial_key = models.BooleanField(_("省级扶贫开发工作重点县"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("县(市、区)")
        verbose_name_plural = _("县(市、区)")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="county_code_6_digits")]

    def __str__(self):
        return self.name


class Township(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=9, primary_key=True, validators=[township_code_validator])
    name = models.CharField(_("名称"), max_length=30)
    county = models.ForeignKey(County, models.PROTECT, related_name="townships", verbose_name=_("县(市、区)"))
    is_city_key = models.BooleanField(_("市级扶贫开发工作重点乡"), default=False)
    is_ethnic = models.BooleanField(_("少数民族乡"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("乡镇")
        verbose_name_plural = _("乡镇")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{9}$"), name="township_code_9_digits"),
            # The code is the county's code plus three digits: a township cannot drift to another county.
            models.CheckConstraint(condition=Q(code__startswith=F("county_id")), name="township_code_in_county"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.county_id and self.code and not self.code.startswith(self.county_id):
            raise ValidationError({"code": f"乡镇代码必须以所属县的代码 {self.county_id} 开头"})


class Village(RegistryModel):
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True, validators=[village_code_validator])
    name = models.CharField(_("名称"), max_length=30)
    township = models.ForeignKey(Township, models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    is_poor_village = models.BooleanField(_("建档立卡贫困村"), default=False)
    is_hollow = models.BooleanField(_("贫困空壳村"), default=False, help_text=_("2014年村集体自有收入为零"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("建制村")
        verbose_name_plural = _("建制村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="village_code_12_digits"),
            models.CheckConstraint(condition=Q(code__startswith=F("township_id")), name="village_code_in_township"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        # The code carries the whole path: 6 digits county, 9 township, 12 village.
        return self.code[:6]

    def clean(self):
        if self.township_id and self.code and not self.code.startswith(self.township_id):
            raise ValidationError({"code": f"村代码必须以所属乡镇的代码 {self.township_id} 开头"})
