"""Print the current second-factor code of each demo official (``make run``'s demo city)."""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.demo import DEMO_OTP_SECRET
from portal.accounts.second_factor import key_from_base32


class Command(BaseCommand):
    help = "Print the current 6-digit code of the demo officials' authenticator (demo data only)."

    def handle(self, *args, **options):
        demo_key = key_from_base32(DEMO_OTP_SECRET)
        devices = (
            TOTPDevice.objects.filter(confirmed=True, key=demo_key)
            .select_related("user")
            .order_by("user__username")
        )
        lines = []
        for device in devices:
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            left = device.step - int(totp.time - device.t0) % device.step
            code = f"{totp.token():0{device.digits}d}"
            lines.append(f"  {device.user.username:<16} {code}   (valid for {left} s more)")
        if not lines:
            self.stdout.write(
                "No demo official with the demo authenticator: run `manage.py load_demo_city`.\n"
            )
            return
        self.stdout.write(
            "Second-factor codes of the demo officials (secret "
            f"{DEMO_OTP_SECRET}; each code works once):\n" + "\n".join(lines) + "\n"
        )
