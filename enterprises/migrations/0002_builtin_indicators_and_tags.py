"""Built-in indicators (DESIGN §3) and the common tag vocabulary.

Officials edit both in the admin afterwards; this only makes sure they exist.
"""

from django.db import migrations

BUILTIN_INDICATORS = [
    # code, name, type, unit, periodicity, description
    ("employees", "从业人员", "number", "人", "year", "期末从业人员数（国统字〔2017〕213号划型指标）"),
    ("revenue", "营业收入", "money", "元", "year", "年度营业收入（划型指标）"),
    ("total_assets", "资产总额", "money", "元", "year", "期末资产总计（划型指标）"),
    ("rd_expense", "研发费用", "money", "元", "year", "年度研究开发费用"),
    ("tax_paid", "纳税总额", "money", "元", "year", "年度实缴税金总额"),
    ("insured_employees", "参保职工人数", "number", "人", "year", "年末参加社会保险（失业保险）职工人数"),
]

TAGS = [
    # name, issuer, description
    ("高新技术企业", "科学技术部门", "依《高新技术企业认定管理办法》认定，有效期三年"),
    ("科技型中小企业", "科学技术部门", "依《科技型中小企业评价办法》评价入库，当年有效"),
    ("专精特新中小企业", "工业和信息化部门", "省级认定的专业化、精细化、特色化、新颖化中小企业"),
    ('专精特新"小巨人"企业', "工业和信息化部", "国家级专精特新“小巨人”企业"),
    ("创新型中小企业", "工业和信息化部门", "优质中小企业梯度培育体系的基础层"),
    ("制造业单项冠军", "工业和信息化部", "制造业单项冠军企业（产品）"),
    ("瞪羚企业", "科学技术部门", "高成长性科技企业"),
    ("独角兽企业", "科学技术部门", ""),
    ("技术先进型服务企业", "科学技术部门", ""),
    ("规模以上工业企业", "统计部门", "年主营业务收入2000万元及以上的工业法人单位"),
    ("规模以上服务业企业", "统计部门", ""),
    ("限额以上批发零售企业", "统计部门", ""),
    ("国家级企业技术中心", "国家发展改革委", ""),
    ("省级企业技术中心", "河南省工业和信息化厅", ""),
    ("省级工程技术研究中心", "河南省科学技术厅", ""),
    ("绿色工厂", "工业和信息化部门", ""),
    ("智能工厂", "工业和信息化部门", ""),
    ("农业产业化重点龙头企业", "农业农村部门", ""),
    ("上市后备企业", "地方金融监管部门", ""),
    ("外贸进出口企业", "商务部门", "有进出口实绩的企业"),
]


def create(apps, schema_editor):
    IndicatorDefinition = apps.get_model("enterprises", "IndicatorDefinition")
    TagDefinition = apps.get_model("enterprises", "TagDefinition")
    for code, name, type_, unit, periodicity, description in BUILTIN_INDICATORS:
        IndicatorDefinition.objects.update_or_create(
            code=code,
            defaults={"name": name, "type": type_, "unit": unit, "periodicity": periodicity,
                      "description": description, "builtin": True},
        )
    for name, issuer, description in TAGS:
        TagDefinition.objects.get_or_create(name=name, defaults={"issuer": issuer, "description": description})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
