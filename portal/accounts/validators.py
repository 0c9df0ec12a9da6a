"""Password validators. Everyone: length ≥ 8, not all of one character class (letters only,
digits only or symbols only), not common, not like the user's name
(settings.AUTH_PASSWORD_VALIDATORS). Officials additionally (GB/T 22239-2019 level 3,
identity authentication: complexity and periodic change): ≥ 12 characters with upper-case,
lower-case, digit and symbol, and a maximum age (see ``middleware.PasswordMaxAgeMiddleware``)."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def applies_to_official(user: Any) -> bool:
    """The stricter profile applies to officials and to anyone who can enter the admin."""
    if user is None:
        return False
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    if getattr(user, "pk", None) is None:
        return False
    return bool(user.is_official)


CLASSES = [
    ("upper", gettext_lazy("大写字母"), lambda c: c in string.ascii_uppercase),
    ("lower", gettext_lazy("小写字母"), lambda c: c in string.ascii_lowercase),
    ("digit", gettext_lazy("数字"), lambda c: c in string.digits),
    ("symbol", gettext_lazy("特殊符号"), lambda c: not c.isalnum() and not c.isspace()),
]


class OfficialPasswordComplexityValidator:
    """For officials: minimum length and every character class present."""

    def __init__(self, min_length: int = 12, min_classes: int = 4):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if not applies_to_official(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("政府工作人员账号的密码至少需要 %(min_length)d 个字符。"),
                    code="official_password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        missing = [label for _code, label, test in CLASSES if not any(test(c) for c in password)]
        if len(CLASSES) - len(missing) < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "政府工作人员账号的密码必须同时包含大写字母、小写字母、数字和特殊符号，缺少：%(missing)s。"
                    ),
                    code="official_password_not_complex",
                    params={"missing": "、".join(str(m) for m in missing)},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "政府工作人员账号：密码至少 %(min_length)d 个字符，并同时包含大写字母、小写字母、数字和特殊符号；每 90 天须更换。"
        ) % {"min_length": self.min_length}


# The classes of the general rule: letters (any script, either case), digits, symbols.
# White space belongs to none of them, so "correct horse" is letters only.
GENERAL_CLASSES = [
    lambda c: c.isalpha(),
    lambda c: c.isdigit(),
    lambda c: not c.isalnum() and not c.isspace(),
]


class PasswordStrengthValidator:
    """Everyone else (enterprise users): at least ``min_length`` characters and at least
    ``min_classes`` of letters, digits and symbols, so ``aaaaaaaaaaaa``, ``1234567890`` and
    ``!!!!!!!!`` are refused. Officials are checked by OfficialPasswordComplexityValidator,
    which is stricter; this one stays silent for them so that they get one message, not two."""

    def __init__(self, min_length: int = 8, min_classes: int = 2):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if applies_to_official(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("密码至少需要 %(min_length)d 个字符。"),
                    code="password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        present = sum(1 for test in GENERAL_CLASSES if any(test(c) for c in password))
        if present < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "密码不能只由一类字符组成（如全是字母、全是数字或全是符号），请混合使用字母、数字和符号中的至少两类。"
                    ),
                    code="password_one_class",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符，并包含字母、数字、符号中的至少两类。") % {
            "min_length": self.min_length
        }
