"""Dated member changes (成员变动): the registry's yearly 动态调整 of who lives in a household.

A change is recorded once, through households/services/changes.py, and never edited: a change made
by mistake is put right by another change. The member records stay; their joined_on and left_on
say who was present on any day (selectors.members_on)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RegistryModel, choices_check
from .households import Household, Member


class ChangeKind(models.TextChoices):
    BIRTH = "birth", _("出生")
    MARRY_IN = "marry_in", _("婚入")
    MOVE_IN = "move_in", _("其他迁入")
    DEATH = "death", _("死亡")
    MARRY_OUT = "marry_out", _("婚出")
    MOVE_OUT = "move_out", _("其他迁出")
    ENLIST = "enlist", _("参军")
    IMPRISONED = "imprisoned", _("服刑")
    HEAD_CHANGE = "head_change", _("户主变更")
    SPLIT = "split", _("分户")
    MERGE = "merge", _("并户")
    CORRECTION = "correction", _("信息更正")


JOINS = (ChangeKind.BIRTH, ChangeKind.MARRY_IN, ChangeKind.MOVE_IN)
LEAVES = (ChangeKind.DEATH, ChangeKind.MARRY_OUT, ChangeKind.MOVE_OUT, ChangeKind.ENLIST, ChangeKind.IMPRISONED)
# The kinds that take a person from one registered household into another (other_household, other_member).
BETWEEN = (ChangeKind.MARRY_OUT, ChangeKind.SPLIT, ChangeKind.MERGE)


class CorrectedField(models.TextChoices):
    NAME = "name", _("姓名")
    ID_NUMBER = "id_number", _("公民身份号码")
    BIRTH_DATE = "birth_date", _("出生日期")


class MemberChange(RegistryModel):
    """One person's change on a date. A split or a merge is one record per person who goes from one
    household into the other; a marriage between two registered households is one record (marry_out
    from `household` into `other_household`)."""

    Kind = ChangeKind
    Field = CorrectedField

    household = models.ForeignKey(Household, models.PROTECT, related_name="member_changes",
                                  verbose_name=_("贫困户"))
    kind = models.CharField(_("变动类型"), max_length=16, choices=ChangeKind.choices)
    date = models.DateField(_("变动日期"))
    reason = models.CharField(_("变动原因"), max_length=200, blank=True)
    # The person's record in `household`: who joined, left, was corrected, or (head_change) the head
    # who hands over.
    member = models.ForeignKey(Member, models.PROTECT, related_name="changes", verbose_name=_("成员"))
    destination = models.CharField(_("迁往何处"), max_length=200, blank=True)
    new_head = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("新户主"))
    # What the new head was to the old one until this change: the registry on an earlier day shows it
    # (selectors.relations_before), the member's record holding only the relation of today.
    former_relation = models.CharField(_("新户主原与户主关系"), max_length=16, choices=Member.Relation.choices,
                                       blank=True)
    other_household = models.ForeignKey(Household, models.PROTECT, null=True, blank=True, related_name="+",
                                        verbose_name=_("另一户"))
    # The same person's record in other_household (a marriage, a split, a merge).
    other_member = models.ForeignKey(Member, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("在另一户的成员记录"))
    field = models.CharField(_("更正项目"), max_length=16, choices=CorrectedField.choices, blank=True)
    old_value = models.CharField(_("原值"), max_length=50, blank=True)
    new_value = models.CharField(_("新值"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成员变动")
        verbose_name_plural = _("成员变动")
        ordering = ["household_id", "date", "id"]
        indexes = [models.Index(fields=["household", "date"], name="memberchange_household_date")]
        constraints = [
            choices_check("memberchange", "kind", ChangeKind),
            models.CheckConstraint(
                condition=Q(field="") | Q(field__in=CorrectedField.values), name="memberchange_field_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="move_out", destination__gt="") | (~Q(kind="move_out") & Q(destination="")),
                name="memberchange_destination_iff_move_out",
            ),
            models.CheckConstraint(
                condition=~Q(kind="head_change") | Q(new_head__isnull=False), name="memberchange_head_change_names_head"
            ),
            models.CheckConstraint(
                condition=Q(new_head__isnull=True) | Q(kind__in=["head_change", *(k.value for k in LEAVES), "split"]),
                name="memberchange_new_head_only_when_head_goes",
            ),
            models.CheckConstraint(
                condition=Q(new_head__isnull=True, former_relation="")
                | (Q(new_head__isnull=False) & Q(former_relation__in=[r for r in Member.Relation.values if r != "head"])),
                name="memberchange_former_relation_iff_new_head",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["split", "merge"]) | Q(other_household__isnull=False),
                name="memberchange_split_merge_other_household",
            ),
            models.CheckConstraint(
                condition=(Q(other_household__isnull=True) & Q(other_member__isnull=True))
                | (Q(kind__in=[k.value for k in BETWEEN]) & Q(other_household__isnull=False) & Q(other_member__isnull=False)),
                name="memberchange_other_household_between",
            ),
            models.CheckConstraint(
                condition=~Q(other_household=models.F("household")), name="memberchange_other_household_differs"
            ),
            models.CheckConstraint(
                condition=Q(kind="correction", field__gt="") | (~Q(kind="correction") & Q(field="", old_value="",
                                                                                         new_value="")),
                name="memberchange_correction_iff_field",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self):
        errors = {}
        if self.kind == ChangeKind.MOVE_OUT and not self.destination.strip():
            errors["destination"] = "其他迁出须填写迁往何处"
        if self.kind != ChangeKind.MOVE_OUT and self.destination:
            errors["destination"] = "只有其他迁出填写迁往何处"
        if self.kind == ChangeKind.HEAD_CHANGE and self.new_head_id is None:
            errors["new_head"] = "户主变更须指定新户主"
        if self.kind in (ChangeKind.SPLIT, ChangeKind.MERGE) and self.other_household_id is None:
            errors["other_household"] = "分户、并户须指定另一户"
        if self.other_household_id and self.other_household_id == self.household_id:
            errors["other_household"] = "另一户不能是本户"
        if self.kind == ChangeKind.CORRECTION and not self.field:
            errors["field"] = "信息更正须指定更正项目"
        if errors:
            raise ValidationError(errors)
