"""Workbooks of department lists for the tests, written as a department would (openpyxl, a header
row and a row per person), and a registry of two counties whose members the lists disagree with in
known ways."""

import datetime
import io
from types import SimpleNamespace

from openpyxl import Workbook

from common.actors import SYSTEM
from departments.services import department_list_upload
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, member, resident_id

HEADERS = {"dibao": ["姓名", "公民身份号码", "低保证号"], "wubao": ["姓名", "公民身份号码", "供养证号"],
           "disability": ["姓名", "身份证号", "残疾证号"], "students": ["姓名", "公民身份号码", "就读学校"],
           "deaths": ["姓名", "公民身份号码", "死亡日期"], "payroll": ["姓名", "公民身份号码", "工作单位"],
           "vehicles": ["姓名", "公民身份号码", "号牌号码"], "companies": ["姓名", "公民身份号码", "企业名称"]}


def workbook(rows, headers=("姓名", "公民身份号码", "低保证号")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["三明市部门名单"])  # a title row above the header, as departments write them
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_of(kind: str, people, *, third=None) -> bytes:
    """A list of `kind` naming these members (or ID numbers), with the third column's value."""
    rows = []
    for p in people:
        number, name = (p, "名单人") if isinstance(p, str) else (p.id_number, p.name)
        rows.append([name, number, third if third is not None else "记录"])
    return workbook(rows, HEADERS[kind])


def upload(kind: str, people, *, on=datetime.date(2018, 6, 30), actor=SYSTEM, third=None, **kwargs):
    return department_list_upload(actor=actor, kind=kind, list_date=on, name=f"{kind}.xlsx",
                                  content=list_of(kind, people, third=third), **kwargs)


def build(places) -> SimpleNamespace:
    """Five households: 宁化 N1 (dibao: 甲 and 乙 draw 低保), N2 (ordinary: 丙, 丁 残疾, 戊); 大田 D1 (exited
    2015, 己 and 庚), D2 (wubao: 辛 draws 五保), D3 (ordinary: 壬, 子 at junior school, 丑 at primary school)."""

    def person(name, prefix, relation="head", **fields):
        born = datetime.date(1970, 1, 1) if relation == "head" else datetime.date(2006, 1, 1)
        return member(name=name, relation=relation, id_number=resident_id(prefix=prefix, birth=born), **fields)

    n1 = household(village=places.chengnan, number="N1", category="dibao", main_cause_id="lack_labor", members=[
        person("甲", NINGHUA, draws_dibao=True), person("乙", NINGHUA, "spouse", draws_dibao=True)])
    n2 = household(village=places.chengnan, number="N2", members=[
        person("丙", NINGHUA), person("丁", NINGHUA, "child", health="disabled", labor="none"),
        person("戊", NINGHUA, "spouse")])
    d1 = household(village=places.chengguan, number="D1", members=[person("己", DATIAN), person("庚", DATIAN, "spouse")])
    from tests.conftest import exit_in
    exit_in(d1, 2015)
    d2 = household(village=places.chengguan, number="D2", category="wubao", main_cause_id="lack_labor",
                   members=[person("辛", DATIAN, draws_wubao=True, labor="none")])
    d3 = household(village=places.chengguan, number="D3", members=[
        person("壬", DATIAN), person("子", DATIAN, "child", schooling="junior", labor="none"),
        person("丑", DATIAN, "child", schooling="primary", labor="none")])
    people = {m.name: m for m in (h.members.get(name=n) for h in (n1, n2, d1, d2, d3)
                                  for n in h.members.values_list("name", flat=True))}
    return SimpleNamespace(n1=n1, n2=n2, d1=d1, d2=d2, d3=d3, p=people)
