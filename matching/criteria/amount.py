"""Amount expressions (DESIGN §4): a tiny arithmetic language, parsed by our own tokenizer and
recursive-descent parser (never ``eval``): numbers (``30万`` allowed), indicators (``revenue`` =
latest period, ``revenue@last_year``), ``registered_capital``, ``+ - * /``, parentheses and the
functions min, max, floor, ceil, round. The parse tree is a tuple: ``("num", Decimal)``,
``("ind", name, period)``, ``("neg", x)``, ``("bin", op, a, b)``, ``("call", name, [args])``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .periods import parse_period

FUNCTIONS = {"min": (1, 20), "max": (1, 20), "floor": (1, 1), "ceil": (1, 1), "round": (1, 2)}
CORE_NUMBERS = {"registered_capital"}
MAX_LENGTH = 500
# Nesting of parentheses and calls: far beyond a real award, and within what SQLite's parser
# (~100 levels for the whole query of a chunk) takes for the worst expression so deep.
MAX_DEPTH = 10

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)(?P<unit>万|亿)?"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:@(?P<period>[A-Za-z_]+|\d{4}(?:[HhQq]\d|-\d{2})?))?"
    r"|(?P<op>[-+*/(),]))"
)


class AwardSyntaxError(Exception):
    pass


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            ch = text[pos:].lstrip()[:1]
            hint = "（不允许属性访问）" if ch == "." else ""
            raise AwardSyntaxError(f"第{pos + 1}个字符处不能识别：{ch!r}{hint}")
        pos = m.end()
        if m.group("num"):
            n = Decimal(m.group("num"))
            n *= {"万": 10000, "亿": 100000000}.get(m.group("unit") or "", 1)
            tokens.append(("num", n))
        elif m.group("name"):
            tokens.append(("name", (m.group("name"), m.group("period"))))
        elif m.group("op"):
            tokens.append(("op", m.group("op")))
        if pos < len(text) and text[pos:].strip() == "":
            break
    return tokens


class _Parser:
    def __init__(self, tokens, names: set[str] | None):
        self.tokens = tokens
        self.i = 0
        self.names = names  # None: accept any name (already validated)
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, op: str):
        tok = self.take()
        if tok != ("op", op):
            raise AwardSyntaxError(f"此处应为 {op!r}")

    def parse(self):
        if not self.tokens:
            raise AwardSyntaxError("金额表达式为空")
        node = self.expr()
        if self.peek()[0] != "end":
            raise AwardSyntaxError(f"多余的内容：{self.peek()[1]!r}")
        return node

    def expr(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AwardSyntaxError("表达式嵌套过深")
        node = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        self.depth -= 1
        return node

    def term(self):
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.take()
            return self.unary()
        return self.atom()

    def atom(self):
        kind, val = self.take()
        if kind == "num":
            return ("num", val)
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "name":
            name, period = val
            if self.peek() == ("op", "("):
                if name not in FUNCTIONS or period:
                    raise AwardSyntaxError(f"不允许调用 {name}（只能用 min、max、floor、ceil、round）")
                self.take()
                args = [self.expr()]
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                lo, hi = FUNCTIONS[name]
                if not lo <= len(args) <= hi:
                    raise AwardSyntaxError(f"{name} 的参数个数不对")
                if (
                    name == "round"
                    and len(args) == 2
                    and (args[1][0] != "num" or args[1][1] != int(args[1][1]))
                ):
                    raise AwardSyntaxError("round 的第二个参数应为整数（保留几位小数）")
                return ("call", name, args)
            if name in FUNCTIONS:
                raise AwardSyntaxError(f"{name} 是函数，应写成 {name}(…)")
            if self.names is not None and name not in self.names:
                raise AwardSyntaxError(f"未知的名称：{name}（只能用已定义的指标代码或 registered_capital）")
            if period is not None:
                p = parse_period(period)
                if p is None:
                    raise AwardSyntaxError(f"期间格式不正确：{period}")
                if name in CORE_NUMBERS:
                    raise AwardSyntaxError(f"{name} 没有期间")
                period = None if p == "latest" else p
            return ("ind", name, period)
        if kind == "end":
            raise AwardSyntaxError("表达式不完整")
        raise AwardSyntaxError(f"此处不能出现 {val!r}")


def parse_amount(text: Any, *, names: set[str] | None = None):
    if isinstance(text, bool):
        raise AwardSyntaxError("金额应为数字或表达式")
    if isinstance(text, (int, float, Decimal)):
        text = str(text)
    if not isinstance(text, str):
        raise AwardSyntaxError("金额应为数字或表达式（文本）")
    if len(text) > MAX_LENGTH:
        raise AwardSyntaxError("金额表达式过长")
    return _Parser(tokenize(text), names).parse()


def inputs(node) -> list[tuple[str, str | None]]:
    if node[0] == "ind":
        return [(node[1], node[2])]
    if node[0] == "num":
        return []
    return [ref for sub in children(node) for ref in inputs(sub)]


def children(node) -> list:
    if node[0] in ("num", "ind"):
        return []
    if node[0] == "neg":
        return [node[1]]
    if node[0] == "bin":
        return [node[2], node[3]]
    return list(node[2])
