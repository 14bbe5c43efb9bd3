"""The kinds of department lists (部门名单, issue 22): their codes (GLOSSARY.md, "department list
kind"), the column map each is read with and its template written from, and the department that
keeps each (plan 四.2: 民政 the safety nets of 低保 and 五保 households, 残联 disability, 教育 schooling).

The deaths, the state payroll, the vehicles and the companies are kept by departments (公安, 财政,
车管, 市场监管) that have no role here: the city reviewer uploads them on their behalf."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from households.layout import MEMBER, Column
from households.models import ReliefChannel


class ListKind(models.TextChoices):
    DIBAO = "dibao", _("低保名单")
    WUBAO = "wubao", _("五保名单")
    DISABILITY = "disability", _("残疾人名单")
    STUDENTS = "students", _("在校生名单")
    DEATHS = "deaths", _("死亡名单")
    PAYROLL = "payroll", _("财政供养人员")
    VEHICLES = "vehicles", _("车辆登记")
    COMPANIES = "companies", _("工商登记")


# The department that keeps a kind: a channel department holding one of these channels, named by
# the channel's code, or for the safety nets by the channel's kind (两保障 and 两供养 are 民政's).
SAFETY_NETS = (ReliefChannel.Kind.GUARANTEE.value, ReliefChannel.Kind.SUPPORT.value)
KEPT_BY: dict[str, tuple[str, ...]] = {
    ListKind.DIBAO: SAFETY_NETS,
    ListKind.WUBAO: SAFETY_NETS,
    ListKind.DISABILITY: ("disability_aid",),
    ListKind.STUDENTS: ("education_aid",),
}

NAME = Column("name", "姓名", MEMBER, aliases=("人员姓名", "户主姓名"), width=10)
ID_NUMBER = Column("id_number", "公民身份号码", MEMBER, "id", required=True,
                   aliases=("身份证号", "身份证号码", "身份号码", "证件号码"), width=22)


def _detail(header: str, *aliases: str) -> Column:
    return Column("detail", header, MEMBER, aliases=aliases, width=24)


# Each kind's columns: the person (name, ID number) and what the department records about them.
COLUMNS: dict[str, list[Column]] = {
    ListKind.DIBAO: [NAME, ID_NUMBER, _detail("低保证号", "低保证编号", "保障证号")],
    ListKind.WUBAO: [NAME, ID_NUMBER, _detail("供养证号", "五保证号", "五保供养证号")],
    ListKind.DISABILITY: [NAME, ID_NUMBER, _detail("残疾证号", "残疾人证号", "残疾类别")],
    ListKind.STUDENTS: [NAME, ID_NUMBER, _detail("就读学校", "学校", "学校名称")],
    ListKind.DEATHS: [NAME, ID_NUMBER, Column("on_date", "死亡日期", MEMBER, "date", required=True,
                                              aliases=("注销日期", "死亡时间"), width=12)],
    ListKind.PAYROLL: [NAME, ID_NUMBER, _detail("工作单位", "单位", "单位名称")],
    ListKind.VEHICLES: [NAME, ID_NUMBER, _detail("号牌号码", "车牌号", "车牌号码")],
    ListKind.COMPANIES: [NAME, ID_NUMBER, _detail("企业名称", "单位名称", "字号名称")],
}
