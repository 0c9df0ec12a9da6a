"""Synthetic, plausible Zhengzhou enterprises (for the demo city and the import benchmark).

Deterministic for a seed. Every credit code is valid (both check characters) and unique
within a run. Districts, zones and industries are weighted roughly like the city's
registry; sizes run from micro to large and the three years of indicators (2023-2025)
fall in the size band of the 2017 table for their industry, so that ``scale`` comes
out varied. Every 40 enterprises include three archetypes typical support policies
look for: a 高新技术企业 in 金水区 or 高新区 with R&D expense, a 规上 industrial firm in
经开区, and a small firm in 航空港区.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from enterprises import reference

YEARS = (2023, 2024, 2025)
INDICATORS = ("employees", "revenue", "total_assets", "rd_expense", "tax_paid", "insured_employees")
CORE_COLUMNS = ["credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital",
                "address", "legal_representative", "contact_name", "contact_phone", "contact_email", "tags"]  # fmt: skip
HEADERS = CORE_COLUMNS + [f"{code}_{year}" for code in INDICATORS for year in YEARS]

# (district code, weight) — the central districts hold most market entities.
DISTRICTS = [("410105", 22), ("410102", 12), ("410103", 10), ("410104", 8), ("410108", 5), ("410106", 1),
             ("410122", 6), ("410181", 4), ("410182", 5), ("410183", 4), ("410184", 6), ("410185", 3)]  # fmt: skip
# zone -> (weight, civil districts it lies in)
ZONES = {"": (70, None), "4101ZD": (9, ["410105", "410104"]), "410172": (8, ["410102"]),
         "410171": (7, ["410104", "410122"]), "410173": (6, ["410184", "410122"])}  # fmt: skip
# Real GB/T 4754-2017 classes with weights (wholesale/retail, manufacturing and software dominate).
INDUSTRIES = [
    ("F5174", 6), ("F5121", 4), ("F5211", 5), ("F5212", 3), ("F5292", 5),
    ("C3411", 2), ("C3670", 3), ("C3612", 1), ("C2710", 1), ("C1311", 1), ("C1431", 2), ("C3130", 1),
    ("C2641", 1), ("C3831", 1), ("C3484", 2), ("C3511", 2), ("C3099", 1), ("C1820", 1), ("C3971", 1),
    ("I6513", 6), ("I6511", 2), ("I6531", 3), ("I6540", 1), ("I6550", 1), ("I6450", 1),
    ("L7212", 3), ("L7281", 1), ("L7251", 2), ("L7111", 1),
    ("M7320", 2), ("M7483", 2), ("M7519", 2), ("M7530", 1),
    ("E4710", 3), ("E4812", 1), ("E4910", 1),
    ("G5431", 2), ("G5821", 1), ("G5920", 1), ("G6020", 1),
    ("H6110", 1), ("H6210", 3), ("H6220", 2),
    ("K7010", 1), ("K7020", 1), ("K7030", 1),
    ("A0141", 1), ("A0311", 1), ("D4430", 1), ("D4411", 1), ("B1011", 1),
    ("R8810", 1), ("R8621", 1), ("O8010", 1), ("O8111", 2), ("N7721", 1), ("P8391", 1), ("Q8411", 1),
    ("J6621", 1),
]  # fmt: skip
SIZES = [("micro", 68), ("small", 22), ("medium", 8), ("large", 2)]
WORDS = ["智远", "华创", "中原", "豫商", "鼎盛", "恒达", "博远", "新港", "嵩山", "黄河", "绿城", "商都", "宏图", "瑞丰",
         "启航", "天健", "正弘", "宇通", "云启", "数智", "金桥", "远大", "汇通", "星辰", "郑发", "安泰", "聚力", "凯旋",
         "龙湖", "东方", "华夏", "卓越", "银河", "晨光", "同创", "万邦", "信达", "foxcc", "合众", "中科"]  # fmt: skip
WORDS = [w for w in WORDS if not w.isascii()]
SUFFIX = {"C": "制造", "I": "科技", "M": "技术", "F": "商贸", "L": "企业管理", "E": "建设工程", "G": "物流",
          "H": "餐饮管理", "K": "置业", "A": "农业", "D": "能源", "B": "矿业", "R": "文化传媒", "O": "服务",
          "N": "环保", "P": "教育咨询", "Q": "医疗管理", "J": "金融服务"}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌浩宇博思涵晨阳鑫"
STREETS = {"410105": "金水路", "410102": "中原路", "410103": "大学路", "410104": "紫荆山路", "410108": "天河路",
           "410106": "济源路", "410122": "青年路", "410181": "杜甫路", "410182": "索河路", "410183": "青屏大街",
           "410184": "轩辕路", "410185": "少林大道"}  # fmt: skip
ZONE_STREETS = {"4101ZD": "商务外环路", "410172": "科学大道", "410171": "经北四路", "410173": "四港联动大道"}
_BODY_SPACE = 10 * 31**5  # MA + 6 chars whose first is a digit: room for 286 million codes
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

DEMO_ENTERPRISE = {
    "credit_code": reference.credit_code_from_parts(prefix="91", region="410100", org_body="MAXDEM01"),
    "name": "郑州智算科技有限公司",
    "district": "410102",
    "zone": "410172",
    "industry": "I6513",
    "established_on": "2019-05-20",
    "registered_capital": "20000000",
    "address": "郑州市高新技术产业开发区科学大道100号智算大厦8层",
    "legal_representative": "王建国",
    "contact_name": "李娜",
    "contact_phone": "13803711234",
    "contact_email": "contact@zhisuan.example.cn",
    "tags": "高新技术企业|2024-12-01|2027-11-30|是;科技型中小企业|2025-05-20|2025-12-31;"
    "专精特新中小企业|2025-06-30|2028-06-29|是;创新型中小企业|2024-08-15|2027-08-14",
    **{f"employees_{y}": v for y, v in zip(YEARS, (120, 150, 180), strict=True)},
    **{f"revenue_{y}": v for y, v in zip(YEARS, ("42000000", "55000000", "68000000"), strict=True)},
    **{f"total_assets_{y}": v for y, v in zip(YEARS, ("61000000", "76000000", "90000000"), strict=True)},
    **{f"rd_expense_{y}": v for y, v in zip(YEARS, ("3100000", "4200000", "5300000"), strict=True)},
    **{f"tax_paid_{y}": v for y, v in zip(YEARS, ("1900000", "2500000", "3100000"), strict=True)},
    **{f"insured_employees_{y}": v for y, v in zip(YEARS, (112, 141, 172), strict=True)},
}


def _pick(rng: random.Random, items: list[tuple]):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def _body(index: int, seed: int) -> str:
    n = (index * 7_368_787 + seed * 104_729) % _BODY_SPACE  # a bijection: 7368787 is prime, not 2/5/31
    chars = []
    for _ in range(5):
        n, r = divmod(n, 31)
        chars.append(_ALPHABET[r])
    chars.append(str(n))
    return "MA" + "".join(reversed(chars))


def _band(rng: random.Random, bounds: dict, size: str, factor: int) -> int:
    """A value in the size band of one indicator (table bounds in its unit × factor)."""
    low = {"large": bounds["large"], "medium": bounds["medium"], "small": bounds["small"], "micro": 0}[size]
    high = {"large": bounds["large"] * 5, "medium": bounds["large"], "small": bounds["medium"],
            "micro": bounds["small"]}[size]  # fmt: skip
    low, high = low * factor, high * factor
    if size == "micro":
        low = max(1, high // 20)
    value = rng.uniform(low, high - (high - low) * 0.02)
    return max(int(value), 1)


def _money(value: float) -> str:
    return str(Decimal(int(value)).quantize(Decimal(1)))


def enterprise_row(index: int, seed: int) -> dict:
    rng = random.Random(seed * 1_000_003 + index)
    archetype = index % 40
    zone = _pick(rng, [(z, w[0]) for z, w in ZONES.items()])
    industry = _pick(rng, INDUSTRIES)
    size = _pick(rng, SIZES)
    if archetype == 1:  # 高新技术企业 in 金水区 or 高新区, with R&D
        zone = rng.choice(["", "410172", "4101ZD"])
        industry = rng.choice(["I6513", "I6511", "I6531", "M7320", "C3971"])
        size = rng.choice(["small", "small", "medium"])
    elif archetype == 2:  # 规上 industrial firm in 经开区
        zone, industry = "410171", rng.choice(["C3670", "C3612", "C3484", "C3511", "C3411"])
        size = rng.choice(["medium", "medium", "large", "small"])
    elif archetype == 3:  # small firm in 航空港区
        zone, size = "410173", "small"
        industry = rng.choice(["C3971", "G5431", "F5174", "C3670", "I6531"])
    if zone:
        district = rng.choice(ZONES[zone][1])
    elif archetype == 1:
        district = "410105"
    else:
        district = _pick(rng, DISTRICTS)
    section = industry[0]
    prefix = "91"
    if section in "FHO" and size == "micro" and rng.random() < 0.25:
        prefix = "92"  # 个体工商户
    elif section == "A" and rng.random() < 0.4:
        prefix = "93"  # 农民专业合作社
    code = reference.credit_code_from_parts(prefix=prefix, region=district, org_body=_body(index, seed))
    word = rng.choice(WORDS) + rng.choice(WORDS)
    area = reference.district_name(district).replace("回族区", "区")
    if prefix == "92":
        name = f"{area}{word}{rng.choice(['便利店', '餐馆', '维修部', '商行', '家政服务部'])}"
    elif prefix == "93":
        name = f"{area}{word}{rng.choice(['种植', '养殖'])}专业合作社"
    else:
        name = f"郑州{word}{SUFFIX.get(section, '实业')}有限公司"
        if size == "large" and rng.random() < 0.5:
            name = name.replace("有限公司", "股份有限公司")
    # Indicators: the latest year in the size band, earlier years grown into it.
    row = reference.sme_row_for(industry)
    bounds = (row or {}).get("indicators", {})
    employees = (
        _band(rng, bounds["X"], size, 1)
        if "X" in bounds
        else _band(rng, {"large": 1000, "medium": 300, "small": 20}, size, 1)
    )
    revenue = (
        _band(rng, bounds["Y"], size, 10000) if "Y" in bounds else employees * rng.randint(150_000, 900_000)
    )
    assets = _band(rng, bounds["Z"], size, 10000) if "Z" in bounds else int(revenue * rng.uniform(0.4, 2.5))
    tech = archetype == 1 or (section in "ICM" and rng.random() < 0.35)
    values: dict[str, list] = {k: [] for k in INDICATORS}
    growth = [rng.uniform(0.85, 1.35) for _ in YEARS]
    e, r, a = float(employees), float(revenue), float(assets)
    for i in reversed(range(len(YEARS))):
        values["employees"].insert(0, max(1, int(e)))
        values["revenue"].insert(0, _money(r))
        values["total_assets"].insert(0, _money(a))
        values["rd_expense"].insert(0, _money(r * rng.uniform(0.03, 0.09)) if tech else "")
        values["tax_paid"].insert(0, _money(r * rng.uniform(0.01, 0.06)) if rng.random() < 0.85 else "")
        values["insured_employees"].insert(
            0, max(1, int(e * rng.uniform(0.7, 1.0))) if rng.random() < 0.9 else ""
        )
        e, r, a = e / growth[i], r / growth[i], a / growth[i] * 1.02
    if rng.random() < 0.03:  # some enterprises never reported: unknown, not zero
        for k in ("employees", "revenue", "total_assets"):
            values[k] = ["", "", ""]
    established = date(2025, 12, 31) - timedelta(days=int(rng.triangular(200, 30 * 365, 3 * 365)))
    capital = {"micro": (100_000, 1_000_000), "small": (1_000_000, 10_000_000),
               "medium": (5_000_000, 50_000_000), "large": (50_000_000, 1_000_000_000)}[size]  # fmt: skip
    tags = _tags(rng, archetype=archetype, tech=tech, section=section, industry=industry, size=size,
                 revenue_2025=float(values["revenue"][-1] or 0))  # fmt: skip
    street = ZONE_STREETS.get(zone) or STREETS.get(district, "建设路")
    person = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    data = {
        "credit_code": code, "name": name, "district": district, "zone": zone, "industry": industry,
        "established_on": established.isoformat(),
        "registered_capital": str(rng.randrange(capital[0], capital[1], 10_000)),
        "address": f"郑州市{reference.district_name(district)}{street}{rng.randint(1, 399)}号",
        "legal_representative": person, "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "contact_phone": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        "contact_email": f"contact{index}@example.cn" if rng.random() < 0.4 else "",
        "tags": tags,
    }  # fmt: skip
    for k in INDICATORS:
        for year, v in zip(YEARS, values[k], strict=True):
            data[f"{k}_{year}"] = v
    return data


def _tag(name: str, recognized: date | None = None, years: int = 3, first: bool | None = None) -> str:
    if recognized is None:
        return name
    expires = date(recognized.year + years, recognized.month, min(recognized.day, 28)) - timedelta(days=1)
    bits = [name, recognized.isoformat(), expires.isoformat()]
    if first is not None:
        bits.append("是" if first else "否")
    return "|".join(bits)


def _tags(rng: random.Random, *, archetype: int, tech: bool, section: str, industry: str, size: str,
          revenue_2025: float) -> str:  # fmt: skip
    tags = []

    def day(year: int) -> date:
        return date(year, rng.randint(1, 12), rng.randint(1, 28))

    if archetype == 1 or (tech and rng.random() < 0.3):
        tags.append(_tag("高新技术企业", day(rng.choice([2022, 2023, 2024, 2025])), 3, rng.random() < 0.6))
    if tech and size != "large" and rng.random() < 0.5:
        tags.append(
            f"科技型中小企业|{date(2025, rng.randint(3, 9), rng.randint(1, 28)).isoformat()}|2025-12-31"
        )
    if section in "BCD" and revenue_2025 >= 20_000_000:
        tags.append(_tag("规模以上工业企业", day(rng.choice([2019, 2021, 2023, 2024])), 30))
    if section == "F" and revenue_2025 >= (20_000_000 if industry[1:3] == "51" else 5_000_000):
        tags.append("限额以上批发零售企业")
    if size in ("small", "medium") and section in "CI" and rng.random() < 0.08:
        tags.append(
            _tag("专精特新中小企业", day(rng.choice([2022, 2023, 2024, 2025])), 3, rng.random() < 0.7)
        )
        if rng.random() < 0.15:
            tags.append(_tag('专精特新"小巨人"企业', day(2024), 3, True))
        if rng.random() < 0.05:
            tags.append(_tag("制造业单项冠军", day(2023), 3, True))
    if size in ("small", "medium") and rng.random() < 0.04:
        tags.append(_tag("创新型中小企业", day(rng.choice([2023, 2024, 2025])), 3))
    if tech and size in ("small", "medium") and rng.random() < 0.05:
        tags.append(_tag("瞪羚企业", day(2024), 1))
    if section in "CF" and rng.random() < 0.05:
        tags.append("外贸进出口企业")
    return ";".join(tags)


def enterprise_rows(count: int, seed: int, *, start: int = 0) -> Iterator[dict]:
    for index in range(start, start + count):
        yield enterprise_row(index, seed)
