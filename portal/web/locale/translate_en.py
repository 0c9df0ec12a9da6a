"""Fill the English catalogue of the portal pages (run after makemessages; see docs/web.md)."""

import re
import sys
from pathlib import Path

EN = {
    "无权访问": "Access denied",
    "您没有权限访问这个页面": "You are not allowed to see this page",
    "企业用户只能查看本企业的信息；如需办理其他事项，请联系服务热线 12345。": "Enterprise users see only their own enterprise's data; for anything else call the 12345 hotline.",
    "返回首页": "Back to the home page",
    "页面不存在": "Page not found",
    "您访问的页面不存在，或政策已下线。可以搜索政策库：": "This page does not exist or the policy was taken offline. Search the policy library:",
    "搜索政策": "Search policies",
    "搜索": "Search",
    "郑州市惠企政策服务平台：政策找企业，精准推送、免申即享。": "Zhengzhou business support portal: policies find enterprises, targeted pushes, benefits without application.",
    "政策找企业": "Policies Find Enterprises",
    "郑州市惠企政策服务平台": "Zhengzhou Business Support Policy Portal",
    "跳到主要内容": "Skip to main content",
    "郑州市人民政府": "Zhengzhou Municipal People's Government",
    "语言": "Language",
    "切换": "Switch",
    "修改密码": "Change password",
    "管理后台": "Administration",
    "退出": "Log out",
    "登录": "Log in",
    "搜索政策，如：研发、稳岗、专精特新": "Search policies, e.g. R&D, job retention, specialised SMEs",
    "主导航": "Main navigation",
    "首页": "Home",
    "政策库": "Policy library",
    "政策计算器": "Policy calculator",
    "我的政策": "My policies",
    "消息": "Messages",
    "%(counter)s 条未读": ("%(counter)s unread", "%(counter)s unread"),
    "我的企业": "My enterprise",
    "主办：郑州市人民政府办公厅　承办：郑州市大数据管理局": "Sponsor: General Office of the Zhengzhou Municipal Government · Operator: Zhengzhou Big Data Administration",
    "开放接口": "Open API",
    "服务热线": "Hotline",
    "企业门户": "Enterprise portal",
    "%(y)s年度": "year %(y)s",
    "请选择": "Please choose",
    "所在区县": "District",
    "不在功能区": "Not in a functional zone",
    "所在功能区": "Functional zone",
    "行业代码或名称": "Industry code or name",
    "国民经济行业分类，如 C3411、I65 或“软件和信息技术服务业”": "GB/T 4754 industry, e.g. C3411, I65 or “软件和信息技术服务业”",
    "成立日期": "Date of establishment",
    "注册资本（万元）": "Registered capital (10,000 yuan)",
    "企业规模": "Enterprise size",
    "不清楚": "Not sure",
    "主体类型": "Entity type",
    "是": "Yes",
    "否": "No",
    "万元": "10,000 yuan",
    "%(tag)s认定日期": "%(tag)s: date recognised",
    "首次认定": "First recognition",
    "请填写数字": "Please enter a number",
    "相关度": "Relevance",
    "截止日期": "Deadline",
    "最新发布": "Newest",
    "关键词": "Keywords",
    "发文部门": "Issuing department",
    "层级": "Level",
    "支持方式": "Type of support",
    "适用行业": "Industry",
    "适用区域": "Area",
    "正在申报": "Open for applications",
    "免申即享": "Granted without application",
    "排序": "Sort by",
    "全部行业": "All industries",
    "全部区域": "All areas",
    "更正项目": "Item to correct",
    "应更正为": "Correct value",
    "更正理由及依据": "Reason and evidence",
    "如营业执照、认定证书的编号和日期；工作人员核实后更新登记信息。": "E.g. the number and date of the business licence or certificate; an official checks it and updates the registry.",
    "电子邮件": "E-mail",
    "接收邮箱": "E-mail address",
    "短信": "SMS",
    "接收手机号": "Mobile number",
    "请填写11位手机号": "Please enter an 11-digit mobile number",
    "合并推送": "Daily digest",
    "把一天内的多条推送合并成一条发送": "Combine a day's pushes into one message",
    "开启邮件推送需要填写接收邮箱": "An e-mail address is needed to turn on e-mail pushes",
    "开启短信推送需要填写接收手机号": "A mobile number is needed to turn on SMS pushes",
    "待处理": "Open",
    "已采纳": "Accepted",
    "未采纳": "Declined",
    "企业": "Enterprise",
    "申请人": "Requested by",
    "现有信息": "Current value",
    "状态": "Status",
    "处理意见": "Official's answer",
    "处理人": "Handled by",
    "处理时间": "Handled at",
    "提交时间": "Submitted at",
    "信息更正申请": "Correction request",
    "上次访问": "Previous visit",
    "最近访问": "Last visit",
    "访问记录": "Visit record",
    "全部": "All",
    "新": "New",
    "若符合可享": "if eligible",
    "同组政策从高不重复享受": "Only the highest award of the group is granted",
    "不重复计入": "not added",
    "金额待测算": "amount to be determined",
    "%(date)s 截止，剩 %(days)s 天": ("closes %(date)s, %(days)s day left", "closes %(date)s, %(days)s days left"),
    "%(date)s 截止": "closes %(date)s",
    "符合原因": "Why it matches",
    "请补充：": "Please supply: ",
    "（见政策详情）": "(see the policy page)",
    "差在：": "What is missing: ",
    "未读：": "Unread: ",
    "新匹配政策": "New matching policy",
    "可能符合的政策": "Possibly matching policy",
    "不再符合": "No longer matching",
    "政策已修订": "Policy revised",
    "标为已读": "Mark as read",
    "已读": "Read",
    "剩 %(days)s 天": ("%(days)s day left", "%(days)s days left"),
    "%(date)s 发布": "published %(date)s",
    "暂无": "None yet",
    "共 <strong>%(counter)s</strong> 条政策": ("<strong>%(counter)s</strong> policy", "<strong>%(counter)s</strong> policies"),
    "关键词“%(q)s”": "keywords “%(q)s”",
    "申报已结束": "Applications closed",
    "长期有效": "No deadline",
    "没有找到符合条件的政策。可以换个关键词，或减少筛选条件。": "No policy found. Try other keywords or fewer filters.",
    "分页": "Pagination",
    "上一页": "Previous",
    "下一页": "Next",
    "无需登录。只需填写已发布政策实际用到的几项信息，不清楚的可以留空（留空的条件显示为“可能符合”）。所填信息不会保存。": "No login needed. Fill in only what the published policies ask about; leave blank what you do not know (those conditions show as “possible”). Nothing you enter is stored.",
    "基本情况": "Basic facts",
    "经营数据": "Business figures",
    "已获资质": "Qualifications held",
    "开始测算": "Calculate",
    "测算结果": "Results",
    "符合条件": "Eligible",
    "可能符合": "Possible",
    "差一点符合": "Near misses",
    "预计可享合计（从高不重复）": "Estimated total (highest of each exclusive group)",
    "符合条件的政策": "Policies you are eligible for",
    "暂无完全符合的政策": "No policy fully matches yet",
    "可能符合（补充数据后确定）": "Possible (supply data to decide)",
    "还需要：": "Still needed: ",
    "政策找企业，惠企政策一站直达": "Policies find enterprises: every support policy in one place",
    "全市惠企政策统一归集，按企业画像精准匹配，符合条件的政策主动推送，部分政策免申即享。": "All of the city's support policies in one library, matched to each enterprise's profile and pushed to those who qualify; some are granted without application.",
    "输入关键词，如：研发费用、稳岗、专精特新": "Keywords, e.g. R&D expenses, job retention, specialised SMEs",
    "搜政策": "Search",
    "热门：": "Popular: ",
    "平台数据": "Portal figures",
    "已发布政策": "Published policies",
    "已匹配企业": "Enterprises matched",
    "匹配可享金额": "Amount available to matched enterprises",
    "无需登录，填写几项企业信息，马上知道能享受哪些政策、大概多少钱。": "No login: state a few facts about your enterprise and see at once which policies apply and roughly how much.",
    "查看全部政策": "All policies",
    "即将截止": "Closing soon",
    "查看正在申报的政策": "Policies open for applications",
    "已为您的企业匹配好符合条件的政策，查看金额、理由和截止日期。": "The policies your enterprise qualifies for are ready: amounts, reasons and deadlines.",
    "进入我的政策": "Go to my policies",
    "企业用户": "Enterprise users",
    "登录后查看为本企业匹配的政策、可享金额和需要补充的材料。": "Log in to see the policies matched to your enterprise, the amounts and the data to supply.",
    "企业登录": "Enterprise login",
    "办件与诉求消息": "Applications and cases",
    "消息中心": "Messages",
    "未读": "Unread",
    "全部标为已读": "Mark all as read",
    "一键退订邮件和短信": "Unsubscribe from e-mail and SMS",
    "推送设置": "Push settings",
    "暂无消息": "No messages",
    "以下是市场主体库中登记的本企业信息，政策匹配以此为准。信息由工作人员或部门数据共享维护；如有错误，请在下方申请更正。": "This is your enterprise as the city registry holds it; matching uses these data. Officials and data feeds maintain them; if something is wrong, request a correction below.",
    "登记信息": "Registry data",
    "统一社会信用代码": "Unified social credit code",
    "行政区划": "Administrative division",
    "功能区": "Functional zone",
    "国民经济行业": "Industry",
    "未登记": "Not registered",
    "注册资本": "Registered capital",
    "无法判定（数据不全）": "Cannot be determined (data incomplete)",
    "地址": "Address",
    "联系信息": "Contact",
    "个人信息已脱敏显示。": "Personal data are shown masked.",
    "法定代表人": "Legal representative",
    "联系人": "Contact person",
    "联系电话": "Phone",
    "联系邮箱": "E-mail",
    "资质标签": "Qualifications",
    "资质": "Qualification",
    "认定日期": "Recognised on",
    "有效期至": "Valid until",
    "来源": "Source",
    "暂无登记的资质": "No qualification registered",
    "经营指标": "Indicators",
    "指标": "Indicator",
    "期间": "Period",
    "数值": "Value",
    "数据日期": "As of",
    "暂无指标数据：缺少的数据会让部分政策显示为“可能符合”。": "No indicator data: missing data make some policies show as “possible”.",
    "申请更正企业信息": "Request a correction",
    "提交更正申请": "Submit the request",
    "我的更正申请": "My correction requests",
    "项目": "Item",
    "按 %(date)s 的企业信息匹配": "matched on the data of %(date)s",
    "上次访问 %(t)s": "previous visit %(t)s",
    "概览": "Overview",
    "可享金额合计": "Total available",
    "30天内截止": "Closing within 30 days",
    "上次访问以来新匹配 %(counter)s 项": ("%(counter)s new match since your last visit", "%(counter)s new matches since your last visit"),
    "排序：30天内截止的在前，其余按金额从高到低。": "Order: closing within 30 days first, then by amount, largest first.",
    "暂无完全符合的政策。补充企业数据后会自动重新匹配。": "No policy fully matches yet. Matching runs again by itself when your data are completed.",
    "可能符合：补充以下数据即可确定": "Possible: supply these data to decide",
    "数据有误或缺失？申请更正企业信息": "Data wrong or missing? Request a correction",
    "只差一个条件的政策，以及需要达到的数值。": "Policies one condition away, with the value needed.",
    "政策详情": "Policy",
    "%(name)s 的匹配结果": "Verdict for %(name)s",
    "符合申报条件": "Eligible",
    "可能符合：还缺少以下数据才能确定": "Possible: these data are missing to decide",
    "暂不符合申报条件": "Not eligible at present",
    "预计可享": "estimated award",
    "金额需补充数据后测算：": "The amount needs more data: ",
    "满足：": "Met: ",
    "不满足：": "Not met: ",
    "待确认：": "Unknown: ",
    "需要补充的数据：": "Data to supply: ",
    "登记信息有误或缺失？": "Registry data wrong or missing?",
    "登录企业账号，即可看到本企业是否符合这项政策、逐条原因和预计金额。": "Log in with your enterprise account to see whether you qualify, condition by condition, and the estimated amount.",
    "申报条件": "Eligibility",
    "面向全体市场主体，无特定条件": "Open to every market entity, no specific conditions",
    "支持标准": "Award",
    "与“%(g)s”组内其他政策从高不重复享受。": "Only the highest award within the group “%(g)s” is granted.",
    "政策原文": "Full text",
    "政策解读": "Interpretations",
    "申报材料": "Application materials",
    "材料": "Material",
    "要求": "Requirement",
    "说明": "Notes",
    "免提交": "Not needed (shared data)",
    "必需": "Required",
    "选填": "Optional",
    "申报时间": "Application window",
    "即日起": "From now",
    "长期": "open-ended",
    "距截止还有": "Closes in",
    "天": "days",
    "%(date)s 开始申报": "Applications open %(date)s",
    "办理时限：%(n)s 个工作日": "Processing time: %(n)s working days",
    "本政策免申即享：符合条件的企业无需申请，核定后直接兑现。": "Granted without application: eligible enterprises are paid after confirmation.",
    "在线申报": "Apply online",
    "咨询与办理": "Contact and service point",
    "咨询方式": "Enquiries",
    "服务窗口": "Service point",
    "电话": "Phone",
    "办公时间": "Opening hours",
    "政策来源": "Source",
    "查看原文": "Original document",
    "有效期：": "Valid: ",
    "附件：": "Attachment: ",
    "“%(q)s”的搜索结果": "Results for “%(q)s”",
    "输入关键词搜索政策标题、摘要和正文": "Search titles, summaries and full texts",
    "筛选": "Filters",
    "筛选条件": "Filters",
    "申报状态": "Application status",
    "政策层级": "Level",
    "适用范围": "Applies to",
    "行业": "Industry",
    "区域": "Area",
    "清除全部条件": "Clear all filters",
    "推送渠道": "Channels",
    "站内消息始终开启。": "In-app messages are always on.",
    "推送频率": "Frequency",
    "已于 %(t)s 退订，重新勾选即可恢复。": "Unsubscribed on %(t)s; tick a channel again to resume.",
    "保存": "Save",
    "%(n)s亿元": "%(n)s hundred million yuan",
    "%(n)s万元": "%(n)s ten-thousand yuan",
    "%(n)s元": "%(n)s yuan",
    "政策不存在或尚未发布": "The policy does not exist or is not published",
    "金额：%(amount)s": "Amount: %(amount)s",
    "已全部标为已读": "All marked as read",
    "已退订邮件和短信推送，站内消息仍会保留。可随时在推送设置中重新开启。": "E-mail and SMS pushes are off; in-app messages stay. Turn them on again in the push settings at any time.",
    "推送设置已保存": "Push settings saved",
    "名称": "Name",
    "联系人及联系方式": "Contact person and details",
    "其他": "Other",
    "更正申请已提交，工作人员核实后会更新登记信息。": "Correction request sent; an official will check it and update the registry.",
}


def _unquote(lines: list[str]) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', " ".join(lines))).encode().decode("unicode_escape").encode(
        "latin-1").decode("utf-8")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fill(path: Path) -> list[str]:
    blocks = path.read_text().split("\n\n")
    out, missing = [], []
    for block in blocks:
        lines = block.split("\n")
        keep, msgid, plural, i = [], None, None, 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("msgid ") or line.startswith("msgid_plural "):
                key = line.split(" ", 1)[0]
                chunk = [line.split(" ", 1)[1]]
                while i + 1 < len(lines) and lines[i + 1].startswith('"'):
                    i += 1
                    chunk.append(lines[i])
                text = _unquote(chunk)
                if key == "msgid":
                    msgid = text
                else:
                    plural = text
                keep.append(line if len(chunk) == 1 else "\n".join([line] + chunk[1:]))
            elif line.startswith("msgstr"):
                while i + 1 < len(lines) and lines[i + 1].startswith('"'):
                    i += 1
            elif line == "#, fuzzy" and msgid is None and out:
                pass
            else:
                keep.append(line)
            i += 1
        if msgid is None or msgid == "":
            out.append(block)
            continue
        value = EN.get(msgid)
        if value is None:
            missing.append(msgid)
            value = ("", "") if plural is not None else ""
        if plural is not None:
            one, many = value if isinstance(value, tuple) else (value, value)
            keep += [f"msgstr[0] {_quote(one)}", f"msgstr[1] {_quote(many)}"]
        else:
            keep.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
        out.append("\n".join(keep))
    path.write_text("\n\n".join(out))
    return missing


if __name__ == "__main__":
    missing = fill(Path(sys.argv[1]))
    for m in missing:
        print("untranslated:", m)
