"""Household transfers (迁移): a household moves to another village only through one of these, plan
二.(一).9 (易地扶贫搬迁) among the reasons. Within a county the county's clerk records it in one step;
across counties the sending county releases it and the receiving county accepts or refuses it, and
until then the household stays where it was (households/services/transfers.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RegistryModel, choices_check, related
from .households import Household
from .places import Village


class TransferReason(models.TextChoices):
    RELOCATION = "relocation", _("易地扶贫搬迁")
    FAMILY = "family", _("投亲靠友")
    OTHER = "other", _("其他")


class TransferState(models.TextChoices):
    PENDING = "pending", _("待接收")
    ACCEPTED = "accepted", _("已接收")
    REFUSED = "refused", _("已拒收")


class TransferQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("household", "from_village__township__county", "to_village__township__county",
                                   "released_by", "decided_by")

    def pending(self):
        return self.filter(state=TransferState.PENDING)


class Transfer(RegistryModel):
    Reason = TransferReason
    State = TransferState

    household = models.ForeignKey(Household, models.PROTECT, related_name="transfers", verbose_name=_("贫困户"))
    from_village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("迁出村"))
    to_village = models.ForeignKey(Village, models.PROTECT, related_name="+", verbose_name=_("迁入村"))
    reason = models.CharField(_("迁移原因"), max_length=16, choices=Reason.choices)
    # The settlement community (集中安置小区) by name: the plan's records of them (plans.Settlement)
    # lie in an app above the registry (.importlinter), so the registry cannot point at one.
    settlement = models.CharField(_("集中安置小区"), max_length=100, blank=True, help_text=_("易地扶贫搬迁时填写"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("迁出办理人"), help_text=_("空白表示系统"))
    released_at = models.DateTimeField(_("迁出时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("接收办理人"), help_text=_("空白表示系统"))
    decided_at = models.DateTimeField(_("接收或拒收时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("拒收原因"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("迁移")
        verbose_name_plural = _("迁移")
        ordering = ["-released_at", "-id"]
        constraints = [
            choices_check("transfer", "reason", TransferReason),
            choices_check("transfer", "state", TransferState),
            models.CheckConstraint(condition=~Q(from_village=F("to_village")), name="transfer_to_another_village"),
            # Until it is decided the household stays where it was: one open move at a time.
            models.UniqueConstraint(fields=["household"], condition=Q(state="pending"), name="transfer_one_pending"),
            models.CheckConstraint(
                condition=Q(state="refused", refusal_reason__gt="") | (~Q(state="refused") & Q(refusal_reason="")),
                name="transfer_refused_iff_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True) | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="transfer_decided_iff_not_pending",
            ),
            models.CheckConstraint(condition=Q(reason="relocation") | Q(settlement=""),
                                   name="transfer_settlement_only_relocation"),
        ]

    def __str__(self):
        return f"{self.household} {self.from_village} → {self.to_village}"

    @property
    def from_county(self) -> str:
        return self.from_village_id[:6]  # a village's code starts with its county's

    @property
    def to_county(self) -> str:
        return self.to_village_id[:6]

    @property
    def across_counties(self) -> bool:
        return self.from_county != self.to_county

    def clean(self):
        errors = {}
        self.settlement, self.refusal_reason = (self.settlement or "").strip(), (self.refusal_reason or "").strip()
        if self.from_village_id and self.from_village_id == self.to_village_id:
            errors["to_village"] = "迁入村与该户现在所在村相同，无需迁移"
        if self.settlement and self.reason != self.Reason.RELOCATION:
            errors["settlement"] = "只有易地扶贫搬迁才填写集中安置小区"
        if self.state == self.State.REFUSED and not self.refusal_reason:
            errors["refusal_reason"] = "拒收必须填写原因"
        if self.state != self.State.REFUSED and self.refusal_reason:
            errors["refusal_reason"] = "只有拒收的迁移才有拒收原因"
        household = related(self, "household")
        if household is not None and household.status == Household.Status.REMOVED and self._state.adding:
            errors["household"] = "该户已清退，不能迁移"
        if errors:
            raise ValidationError(errors)
