import pytest
from django.utils import translation

SENT_SMS: list[tuple[str, str]] = []


class RecordingSmsBackend:
    """Test SMS backend: records (phone, text)."""

    def send(self, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


class FailingSmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture(autouse=True)
def _fast_hasher_and_sms(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "tests.accounts.conftest.RecordingSmsBackend"
    SENT_SMS.clear()
    yield
    SENT_SMS.clear()
    # A request with Accept-Language: en leaves English active in this thread; don't leak it.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def sent_sms() -> list[tuple[str, str]]:
    return SENT_SMS
