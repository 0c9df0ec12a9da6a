from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败 5 次后账号将被临时锁定。"),
        "inactive": _("该账号已停用。"),
    }


class ActivationCodeForm(forms.Form):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    code = forms.CharField(label=_("激活码"), max_length=20, required=False)


class BindingRequestForm(forms.Form):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    applicant_phone = forms.CharField(label=_("申请人手机号"), max_length=20)
    note = forms.CharField(
        label=_("申请说明（职务、授权情况等）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("用户名、注册邮箱或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    channel = forms.ChoiceField(
        label=_("接收方式"),
        choices=[("email", _("邮件发送重置链接")), ("sms", _("短信发送验证码"))],
        initial="email",
        widget=forms.RadioSelect,
    )


class PasswordResetCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
