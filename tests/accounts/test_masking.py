import io
import logging

import pytest
from django.contrib.auth.models import Permission

from portal.accounts.masking import (
    can_see_personal_data,
    mask_any,
    mask_email,
    mask_id_number,
    mask_phone,
    masked_for,
)
from portal.logging import MaskPersonalDataFilter
from tests.factories.accounts import SuperuserFactory, UserFactory


def test_mobile_number_keeps_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86138****5678"


def test_landline_and_short_numbers_never_leak_the_middle():
    assert mask_phone("0371-12345678") == "0371****5678"
    assert mask_phone("12345") == "*****"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""


def test_email_keeps_first_character_and_domain():
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_email("not-an-email") == "************"


def test_id_number_keeps_region_and_last_four():
    assert mask_id_number("41010519900101123X") == "410105********123X"
    assert mask_id_number("E12345678") == "E1*****78"


def test_mask_any_picks_the_kind():
    assert mask_any("a@b.cn") == "a***@b.cn"
    assert mask_any("41010519900101123X") == "410105********123X"
    assert mask_any("13812345678") == "138****5678"


@pytest.mark.django_db
def test_only_holders_of_the_permission_see_personal_data():
    # given
    plain = UserFactory()
    permitted = UserFactory()
    permitted.user_permissions.add(
        Permission.objects.get(codename="view_personal_data", content_type__app_label="enterprises")
    )
    permitted = type(permitted).objects.get(pk=permitted.pk)  # fresh permission cache
    # then
    assert not can_see_personal_data(plain)
    assert can_see_personal_data(permitted)
    assert can_see_personal_data(SuperuserFactory())
    assert not can_see_personal_data(None)
    assert masked_for(plain, "13812345678") == "138****5678"
    assert masked_for(permitted, "13812345678") == "13812345678"


def _root_handler_with_mask_filter() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters):
            return handler
    raise AssertionError("settings.LOGGING gives the root logger no masking handler")


def test_a_logged_phone_number_id_and_email_are_masked_by_the_configured_handler():
    # given the console handler of settings.LOGGING, writing into a buffer
    handler = _root_handler_with_mask_filter()
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    try:
        # when
        logging.getLogger("portal.test").warning(
            "contact %s id %s mail %s", "13812345678", "41010519900101123X", "zhang.san@example.com"
        )
    finally:
        handler.setStream(old_stream)
    # then
    line = buffer.getvalue()
    assert "138****5678" in line
    assert "13812345678" not in line
    assert "41010519900101123X" not in line and "410105********123X" in line
    assert "zhang.san@example.com" not in line


def _capture(emit) -> str:
    handler = _root_handler_with_mask_filter()
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    try:
        emit(logging.getLogger("portal.test"))
    finally:
        handler.setStream(old_stream)
    return buffer.getvalue()


def test_a_phone_number_in_a_logged_traceback_is_masked():
    def emit(logger):
        try:
            raise ValueError("gateway refused 13812345678")
        except ValueError:
            logger.exception("sending failed")

    text = _capture(emit)
    assert "ValueError" in text and "138****5678" in text
    assert "13812345678" not in text


def test_a_logged_sms_never_shows_the_activation_code():
    text = _capture(
        lambda logger: logger.info("SMS to 139****5678: 【政策找企业】账号绑定激活码：AB7K9QXZ，48小时内有效")
    )
    assert "AB7K9QXZ" not in text and "激活码：********" in text
