from django import template

from ..config import is_configured

register = template.Library()


@register.inclusion_tag("sso/button.html")
def sso_login_button(next_url=""):
    """The 统一身份认证登录 button of the login page; nothing while single sign-on is off."""
    return {"enabled": is_configured(), "next": next_url or ""}
