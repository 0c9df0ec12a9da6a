"""An official signed in through single sign-on still owes the second factor: the identity
service's login is not taken for it. Against the real provider of tests/browser/test_sso.py."""

from __future__ import annotations

import pytest

from portal.sso.models import SsoIdentity
from tests.browser.test_sso import _sign_in_at_provider, provider, sso  # noqa: F401 (fixtures)
from tests.factories.accounts import OfficialUserFactory
from tests.second_factor_helpers import device_for, totp_now

pytestmark = pytest.mark.browser


def test_sso_official_passes_the_second_factor_before_the_admin(sso, page, live_server):  # noqa: F811
    official = OfficialUserFactory(username="zhangwei", first_name="张伟(官员)")
    device = device_for(official)
    SsoIdentity.objects.create(issuer=sso.issuer, email="zhang.wei@zz.gov.example", user=official)

    _sign_in_at_provider(page, live_server.url, "zhang.gov")

    # signed in, but every page asks for the code first
    assert "/accounts/2fa/" in page.url, page.url
    page.goto(f"{live_server.url}/admin/")
    assert "两步验证" in page.content()
    page.fill("main input[name=code]", totp_now(device))
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/admin/")
    assert "管理后台" in page.content() and "两步验证" not in page.content()
