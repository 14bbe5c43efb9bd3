"""Why a household is poor and what answers it: the causes (致贫原因), the nine channels (九个一批) with
the safety nets, and the eight models (八种模式)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RegistryModel, choices_check


class HouseholdCategory(models.TextChoices):
    ORDINARY = "ordinary", _("一般贫困户")
    DIBAO_ABLE = "dibao_able", _("有劳动能力的低保贫困户")
    DIBAO = "dibao", _("无劳动能力的低保户")
    WUBAO = "wubao", _("五保户")


class ChannelKind(models.TextChoices):
    CHANNEL = "channel", _("九个一批")
    GUARANTEE = "guarantee", _("两保障（低保户）")
    SUPPORT = "support", _("两供养（五保户）")


class ReliefChannel(RegistryModel):
    """The nine channels (九个一批) and the four safety-net measures (两保障, 两供养)."""

    Kind = ChannelKind
    # 二.(二) and 二.(三): the safety nets are for these categories only; a channel is for anyone.
    KIND_CATEGORIES = {
        Kind.GUARANTEE: {HouseholdCategory.DIBAO, HouseholdCategory.DIBAO_ABLE},
        Kind.SUPPORT: {HouseholdCategory.WUBAO},
    }

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.CHANNEL)
    department = models.CharField(_("责任部门"), max_length=30, blank=True, help_text=_("计划未指定的留空"))
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("帮扶渠道")
        verbose_name_plural = _("帮扶渠道（九个一批与兜底保障）")
        ordering = ["position", "code"]
        constraints = [choices_check("reliefchannel", "kind", ChannelKind)]

    def __str__(self):
        return self.name

    def allows(self, category: str) -> bool:
        allowed = self.KIND_CATEGORIES.get(self.kind)
        return allowed is None or category in allowed


class AlleviationModel(RegistryModel):
    """The eight models of poverty work (八种模式, plan 四.3), a tag on measures and pilots so the
    dashboards count by model. The plan names seven; the eighth is the bureau's to define: its
    name comes from fixtures/ once and is the bureau's to change afterwards."""

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("扶贫模式")
        verbose_name_plural = _("扶贫模式（八种模式）")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class PovertyCause(RegistryModel):
    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    channel = models.ForeignKey(
        ReliefChannel,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="causes",
        verbose_name=_("对应帮扶渠道"),
        help_text=_("计划未对应渠道的国家目录原因留空"),
        limit_choices_to={"kind": ReliefChannel.Kind.CHANNEL},
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("致贫原因")
        verbose_name_plural = _("致贫原因")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name
