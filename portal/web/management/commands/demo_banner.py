"""Print the URLs and the demo logins after ``make run`` has loaded the demo city."""

from django.core.management.base import BaseCommand

from portal.accounts.demo import DEMO_OTP_SECRET

from .load_demo_city import DEMO_PARTS


class Command(BaseCommand):
    help = "Print the portal's URLs and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        base = f"http://127.0.0.1:{options['port']}"
        lines = [
            "",
            "政策找企业 · demo city of Zhengzhou",
            f"  portal          {base}/",
            f"  admin           {base}/admin/",
            f"  API docs        {base}/api/docs/",
            "",
            "demo logins (username / password / role):",
        ]
        for module in DEMO_PARTS:
            for login in module.DEMO_LOGINS:
                lines.append("  " + "  /  ".join(login))
        lines += [
            "",
            "officials (admin, official, reviewer, policy-drafter, ...) also type a 6-digit code after the password:",
            "  python manage.py demo_otp      prints their current codes",
            f"  or add the secret {DEMO_OTP_SECRET} to an authenticator app (TOTP, 30 s)",
        ]
        self.stdout.write("\n".join(lines) + "\n")
