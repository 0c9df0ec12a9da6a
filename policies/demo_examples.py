"""Example enterprises (样例企业) of the demo policies, by title: for each, an enterprise that
qualifies (with the amount it should get) and one that does not, sometimes one whose data is
missing. They are written by hand from the policy's text, not from its criteria, so that they
test the criteria: the demo loader adds them before publishing and publishing refuses a policy
whose examples fail.

Profiles are the §6 profile. Dates relative to the day the demo is loaded: ``"@today"``,
``"@last_year"`` (1 June of the previous year); indicator periods ``"@last_year"`` and
``"@this_year"`` are that year. Each example is evaluated on the load date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

TODAY, LAST_YEAR = "@today", "@last_year"


def firm(
    *,
    district: str = "410105",
    industry: str = "I6513",
    zone: str = "",
    capital: str = "10000000",
    established: str = "2015-06-01",
    scale: str = "small",
    tags: tuple = (),
    this_year: dict | None = None,
    **last_year: Any,
) -> dict:
    """A profile: keyword indicators are last year's values (``rd_expense="2000000"``) or
    ``{period: value}``, ``this_year`` holds this year's; a tag is a name or
    ``(name, recognised on, first time)``."""
    indicators: dict[str, dict[str, str]] = {}
    for code, value in last_year.items():
        periods = value if isinstance(value, dict) else {"@last_year": value}  # or explicit periods
        indicators[code] = {period: str(v) for period, v in periods.items()}
    for code, value in (this_year or {}).items():
        indicators.setdefault(code, {})["@this_year"] = str(value)
    profile: dict[str, Any] = {
        "entity_type": "enterprise",
        "district": district,
        "industry": industry,
        "established_on": established,
        "registered_capital": capital,
        "scale": scale,
        "tags": [
            t if isinstance(t, str) else {"name": t[0], "recognized_on": t[1], "first_time": t[2]}
            for t in tags
        ],
        "indicators": indicators,
    }
    if zone:
        profile["zone"] = zone
    return profile


def resolve(value: Any, today: dt.date) -> Any:
    """The ``@`` placeholders of a profile, for the load date."""
    if isinstance(value, dict):
        years = {"@last_year": str(today.year - 1), "@this_year": str(today.year)}
        return {years.get(k, k): resolve(v, today) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, today) for v in value]
    if value == TODAY:
        return today.isoformat()
    if value == LAST_YEAR:
        return dt.date(today.year - 1, 6, 1).isoformat()
    return value


def ex(name: str, profile: dict, verdict: str, amount: str | None = None) -> dict:
    return {"name": name, "profile": profile, "expected_verdict": verdict, "expected_amount": amount}


ZJTX, XJR, HT = "专精特新中小企业", '专精特新"小巨人"企业', "高新技术企业"

EXAMPLES: dict[str, list[dict]] = {
    "郑州市专精特新中小企业认定奖励": [
        ex("今年新认定的金水区企业", firm(tags=[(ZJTX, TODAY, True)]), "eligible", "200000"),
        ex("去年认定的企业", firm(tags=[(ZJTX, LAST_YEAR, True)]), "not_eligible"),
    ],
    "郑州市专精特新“小巨人”企业奖励": [
        ex("2025年认定的小巨人", firm(tags=[(XJR, "2025-03-01", True)]), "eligible", "500000"),
        ex("洛阳市的小巨人", firm(district="410302", tags=[(XJR, "2025-03-01", True)]), "not_eligible"),
    ],
    "郑州市高新技术企业首次认定奖励（免申即享）": [
        ex("首次认定的高企", firm(tags=[(HT, LAST_YEAR, True)]), "eligible", "200000"),
        ex("不知是否首次认定", firm(tags=[(HT, LAST_YEAR, None)]), "possible"),
        ex("重新认定的高企", firm(tags=[(HT, LAST_YEAR, False)]), "not_eligible"),
    ],
    "郑州市高新技术企业重新认定奖励": [
        ex("上年度重新认定", firm(tags=[(HT, LAST_YEAR, False)]), "eligible", "100000"),
        ex("今年才认定", firm(tags=[(HT, TODAY, False)]), "not_eligible"),
    ],
    "郑州市企业研发费用后补助": [
        ex("研发费用400万元的高企", firm(tags=[HT], rd_expense="4000000"), "eligible", "200000"),
        ex("研发费用8000万元（封顶）", firm(tags=[HT], rd_expense="80000000"), "eligible", "3000000"),
        ex("研发费用80万元", firm(tags=[HT], rd_expense="800000"), "not_eligible"),
        ex("研发费用未知", firm(tags=[HT]), "possible"),
    ],
    "河南省企业研发财政补助": [
        ex("研发1000万元的规上企业", firm(tags=["规模以上工业企业"], rd_expense="10000000"), "eligible", "200000"),
        ex("研发2亿元（按3%，封顶）", firm(tags=[HT], rd_expense="200000000"), "eligible", "4000000"),
        ex("研发300万元", firm(tags=[HT], rd_expense="3000000"), "not_eligible"),
    ],
    "郑州市工业企业首次升规奖励（小升规）": [
        ex("2025年入规的制造企业", firm(industry="C3411", tags=[("规模以上工业企业", "2025-05-01", True)]),
           "eligible", "100000"),
        ex("软件企业", firm(tags=[("规模以上工业企业", "2025-05-01", True)]), "not_eligible"),
    ],
    "郑州市失业保险稳岗返还（免申即享）": [
        ex("不裁员的小企业", firm(insured_employees=50, layoff_rate=2, unemployment_insurance_paid=40000),
           "eligible", "24000"),
        ex("大型企业返还30%", firm(scale="large", insured_employees=800, layoff_rate=1,
                                   unemployment_insurance_paid=1000000), "eligible", "300000"),
        ex("裁员率8%", firm(insured_employees=50, layoff_rate=8, unemployment_insurance_paid=40000), "not_eligible"),
    ],
    "郑州航空港区航空物流货运补贴": [
        ex("港区货运300万元", firm(zone="410173", industry="G5612", freight_cost={"2026Q3": "3000000"}),
           "eligible", "300000"),
        ex("不在港区", firm(freight_cost={"2026Q3": "3000000"}), "not_eligible"),
    ],
    "郑州航空港区规上工业企业产值增长奖励": [
        ex("产值增长35%", firm(zone="410173", industry="C3971", revenue=50000000, output_growth=35),
           "eligible", "500000"),
        ex("产值增长20%", firm(zone="410173", industry="C3971", revenue=50000000, output_growth=20),
           "eligible", "200000"),
        ex("产值增长10%", firm(zone="410173", industry="C3971", revenue=50000000, output_growth=10), "not_eligible"),
    ],
    "郑州航空港区电子信息产业设备投资补助": [
        ex("设备投资2000万元", firm(zone="410173", industry="C3971", equipment_investment=20000000),
           "eligible", "1600000"),
        ex("设备投资300万元", firm(zone="410173", industry="C3971", equipment_investment=3000000), "not_eligible"),
    ],
    "郑州高新区科技型企业研发投入奖励": [
        ex("高新区研发200万元", firm(zone="410172", tags=[("科技型中小企业", LAST_YEAR, None)], rd_expense=2000000),
           "eligible", "200000"),
        ex("经开区企业", firm(zone="410171", tags=[("科技型中小企业", LAST_YEAR, None)], rd_expense=2000000),
           "not_eligible"),
    ],
    "郑州高新区瞪羚企业培育奖励": [
        ex("2025年认定的瞪羚企业", firm(zone="410172", tags=[("瞪羚企业", "2025-06-01", None)]), "eligible", "300000"),
        ex("未获认定", firm(zone="410172"), "not_eligible"),
    ],
    "郑州经开区汽车及装备制造企业做大做强奖励": [
        ex("营收6亿元", firm(zone="410171", industry="C3670", revenue=600000000), "eligible", "500000"),
        ex("营收12亿元", firm(zone="410171", industry="C3670", revenue=1200000000), "eligible", "1000000"),
        ex("营收5000万元", firm(zone="410171", industry="C3670", revenue=50000000), "not_eligible"),
    ],
    "金水区总部企业办公用房租金补贴": [
        ex("纳税600万元、租金80万元", firm(capital="20000000", tax_paid=6000000, office_rent=800000),
           "eligible", "400000"),
        ex("注册在二七区", firm(district="410103", capital="20000000", tax_paid=6000000, office_rent=800000),
           "not_eligible"),
    ],
    "郑东新区金融业及商务服务业企业经营贡献奖励": [
        ex("纳税300万元的金融企业", firm(zone="郑东新区", industry="J6620", tax_paid=3000000), "eligible", "600000"),
        ex("制造企业", firm(zone="郑东新区", industry="C3411", tax_paid=3000000), "not_eligible"),
    ],
    "郑州市外贸企业稳规模奖励": [
        ex("进出口1亿元", firm(tags=["外贸进出口企业"], import_export_value=100000000), "eligible", "200000"),
        ex("进出口500万元", firm(tags=["外贸进出口企业"], import_export_value=5000000), "not_eligible"),
    ],
    "郑州市新增限额以上批发零售企业奖励": [
        ex("今年首次入限", firm(industry="F5212", tags=[("限额以上批发零售企业", TODAY, True)]), "eligible", "50000"),
        ex("去年入限", firm(industry="F5212", tags=[("限额以上批发零售企业", LAST_YEAR, True)]), "not_eligible"),
    ],
    "郑州市新入规服务业企业奖励": [
        ex("首次入规", firm(tags=[("规模以上服务业企业", LAST_YEAR, True)]), "eligible", "50000"),
        ex("非首次入规", firm(tags=[("规模以上服务业企业", LAST_YEAR, False)]), "not_eligible"),
    ],
    "郑州市中小微企业贷款贴息": [
        ex("今年利息20万元的小企业", firm(this_year={"loan_interest": 200000}), "eligible", "100000"),
        ex("大型企业", firm(scale="large", this_year={"loan_interest": 200000}), "not_eligible"),
    ],
    "郑州市企业上市挂牌分阶段奖励": [
        ex("上市后备企业", firm(tags=["上市后备企业"]), "eligible", "1000000"),
        ex("未入后备库", firm(), "not_eligible"),
    ],
    "河南省首台（套）重大技术装备推广应用奖励": [
        ex("营收5000万元的专用设备企业", firm(industry="C3511", scale="medium", revenue=50000000), "eligible", "500000"),
        ex("纺织企业", firm(industry="C1711", scale="medium", revenue=50000000), "not_eligible"),
    ],
    "郑州市绿色工厂认定奖励": [
        ex("今年获评绿色工厂", firm(industry="C3411", tags=[("绿色工厂", TODAY, None)]), "eligible", "300000"),
        ex("未获评", firm(industry="C3411"), "not_eligible"),
    ],
    "郑州市智能工厂和数字化车间奖励": [
        ex("2025年认定的智能工厂", firm(industry="C3411", tags=[("智能工厂", "2025-09-01", None)]),
           "eligible", "500000"),
        ex("软件企业", firm(tags=[("智能工厂", "2025-09-01", None)]), "not_eligible"),
    ],
    "郑州市企业技术中心认定奖励": [
        ex("今年新认定国家级", firm(tags=[("国家级企业技术中心", TODAY, None)]), "eligible", "1000000"),
        ex("今年新认定省级", firm(tags=[("省级企业技术中心", TODAY, None)]), "eligible", "300000"),
        ex("去年认定省级", firm(tags=[("省级企业技术中心", LAST_YEAR, None)]), "not_eligible"),
    ],
    "郑州市省级工程技术研究中心建设奖励": [
        ex("今年获批", firm(tags=[("省级工程技术研究中心", TODAY, None)]), "eligible", "200000"),
        ex("去年获批", firm(tags=[("省级工程技术研究中心", LAST_YEAR, None)]), "not_eligible"),
    ],
    "郑州市科技创新券": [
        ex("2025年入库的科技型中小企业", firm(tags=[("科技型中小企业", "2025-04-01", None)]), "eligible", "50000"),
        ex("未入库", firm(), "not_eligible"),
    ],
    "研发费用税前加计扣除": [
        ex("有研发费用的制造企业", firm(industry="C3411", rd_expense=1000000), "eligible"),
        ex("房地产企业", firm(industry="K7010", rd_expense=1000000), "not_eligible"),
    ],
    "小型微利企业所得税优惠": [
        ex("50人、资产1000万元", firm(employees=50, total_assets=10000000), "eligible"),
        ex("500人", firm(employees=500, total_assets=10000000), "not_eligible"),
    ],
    "郑州市重点企业引进高层次人才奖励": [
        ex("高新技术企业", firm(tags=[HT]), "eligible"),
        ex("无资质企业", firm(), "not_eligible"),
    ],
    "郑州市创业担保贷款及贴息": [
        ex("20人的微型企业", firm(scale="micro", employees=20), "eligible"),
        ex("150人", firm(scale="medium", employees=150), "not_eligible"),
    ],
    "郑州市中小企业融资担保费补贴": [
        ex("创新型中小企业", firm(tags=["创新型中小企业"]), "eligible", "100000"),
        ex("无资质企业", firm(), "not_eligible"),
    ],
    "郑州市中小微企业吸纳就业社保补贴": [
        ex("参保50人", firm(insured_employees=50), "eligible", "50000"),
        ex("参保5人", firm(insured_employees=5), "not_eligible"),
    ],
    "郑州市市长质量奖奖励": [
        ex("营收8000万元、成立10年", firm(revenue=80000000), "eligible", "500000"),
        ex("今年成立", firm(established=TODAY, revenue=80000000), "not_eligible"),
    ],
}  # fmt: skip
