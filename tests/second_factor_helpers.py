"""Helpers for tests that sign officials in: their TOTP device and its current code."""

from __future__ import annotations


def device_for(user):
    """The confirmed TOTP device of ``user`` (created if missing) when the user owes the second
    factor, else None. Tests compute codes from it with :func:`totp_now`."""
    from portal.accounts import second_factor

    device = second_factor.confirmed_totp(user)
    if device is None and second_factor.required_for(user):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def totp_now(device, offset: int = 0) -> str:
    """The device's TOTP code for the current time step (+ ``offset`` steps)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def client_second_step(client, user) -> None:
    """After a password login through the pages (POST /accounts/login/), pass the real second
    step with the current code of ``user``'s device (created for an official who has none). The
    device's last used step is cleared first: a test may sign the same user in twice within one
    30-s step, as a person could only by waiting for the next code."""
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = device_for(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    response = client.post(reverse("accounts:otp_verify"), {"code": totp_now(device)})
    assert response.status_code == 302, response
