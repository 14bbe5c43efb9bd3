"""The policies a household's 帮扶明白卡 lists: those its category falls under, in the plan's words
(三明市精准扶贫 plan, 二.(一)–(三); the categories in GLOSSARY.md), and the one 九个一批 line of each
of its causes' channels. A card is a summary for the wall, not the rules: the lines only name them."""

# 二.(一): ordinary households and 低保 households able to work go the "九个一批" way; 二.(二): 低保
# households unable to work are carried by 两保障; 二.(三): 五保 households by 两供养.
CATEGORY_POLICIES: dict[str, list[str]] = {
    "ordinary": [
        "“九个一批”精准帮扶：按致贫原因落实产业扶持、转移就业、异地搬迁等措施（二.(一)）",
        "扶贫小额贷款：3年以内、5万元以下，县级扶贫信贷担保基金担保，优惠利率、贷款贴息（二.(一).6）",
    ],
    "dibao_able": [
        "“九个一批”精准帮扶：按致贫原因落实产业扶持、转移就业、异地搬迁等措施（二.(一)）",
        "实施最低生活保障：符合低保条件的纳入最低生活保障范畴（二.(二).1）",
        "扶贫小额贷款：3年以内、5万元以下，县级扶贫信贷担保基金担保，优惠利率、贷款贴息（二.(一).6）",
    ],
    "dibao": [
        "“两保障”兜底：实施最低生活保障，逐步提高低保标准，保障基本生活（二.(二).1）",
        "个人医保缴费保障：全额资助建档立卡低保户的个人缴费（二.(二).2）",
    ],
    "wubao": [
        "“两供养”：提高标准供养，供养经费不低于当地农村居民上年度人均生活消费支出的70%（二.(三).1）",
        "自愿集中供养：在本人自愿的前提下实行集中供养（二.(三).2）",
    ],
}

# 二.(一).1–9: the one line of each channel a cause leads to.
CHANNEL_POLICIES: dict[str, str] = {
    "medical_aid": "医疗救助一批：完善大病保险，实行医疗第三次精准补偿（二.(一).1）",
    "disability_aid": "扶残助残一批：困难残疾人生活补助和重度残疾人护理补贴（二.(一).2）",
    "education_aid": "教育资助一批：免除学杂费、书本费、住宿费等，乡村教育助学（二.(一).3）",
    "disaster_relief": "灾后救助一批：政策性农业保险，灾后救助（二.(一).4）",
    "skills_training": "技能培训一批：依托“雨露计划”等开展技能培训（二.(一).5）",
    "financial_support": "金融扶持一批：扶贫信贷担保，优惠利率和贷款贴息（二.(一).6）",
    "labor_mutual_aid": "劳动互助一批：以建制村为单位建立劳动力互助会（二.(一).7）",
    "confidence_rebuilding": "重树信心一批：帮扶责任人牵头结对帮扶，定期上门（二.(一).8）",
    "relocation": "易地搬迁一批：“一方水土不能养活一方人”的贫困人口异地搬迁（二.(一).9）",
}

# The safety nets (低保, 五保) carry their households instead of the 九个一批 channels.
CHANNEL_CATEGORIES = {"ordinary", "dibao_able"}


def policies_for(category: str, channels: list[str | None]) -> list[str]:
    """The lines of the household's category, then those of its causes' channels (without repeats),
    for the categories the 九个一批 serve."""
    lines = list(CATEGORY_POLICIES.get(category, []))
    if category in CHANNEL_CATEGORIES:
        for code in channels:
            line = CHANNEL_POLICIES.get(code or "")
            if line and line not in lines:
                lines.append(line)
    return lines
