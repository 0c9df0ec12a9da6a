"""Confirming a 免申即享 batch on the embedded default while other requests write.

Run in a fresh process on a database file (tests/test_embedded_default_locking.py does):
``DATABASE_URL=sqlite:////tmp/x.sqlite3 python tests/embedded_batch_confirm.py ENTERPRISES SECONDS [old]``.
It migrates, makes a 免申即享 policy with ENTERPRISES proposals, then confirms the batch in
one thread while another writes enterprise profiles (each re-matched eagerly) for SECONDS, and
prints ``OUTCOME {json}``. ``old`` uses the SQLite options of before (a busy timeout alone):
the confirmation then fails with "database is locked".
"""

import json
import os
import sys
import threading
import time

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()

if len(sys.argv) > 3 and sys.argv[3] == "old":  # the options used before: a busy timeout alone
    from django.conf import settings

    settings.DATABASES["default"]["OPTIONS"].clear()
    settings.DATABASES["default"]["OPTIONS"]["timeout"] = 30

from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402

call_command("migrate", verbosity=0)

from applications import services  # noqa: E402
from applications.models import Grant  # noqa: E402
from enterprises.services import enterprise_upsert  # noqa: E402
from tests.factories.applications import match_create  # noqa: E402
from tests.factories.enterprises import EnterpriseFactory, credit_code  # noqa: E402
from tests.factories.policies import DepartmentFactory, OfficialFactory, PolicyFactory  # noqa: E402

department = DepartmentFactory(code="gxj", name="郑州市工业和信息化局")
official = OfficialFactory(username="gxj-official", departments=[department])
policy = PolicyFactory(department=department, status="published", auto_grant=True, award={"amount": "100000"})
for _ in range(int(sys.argv[1])):
    match_create(policy=policy, enterprise=EnterpriseFactory())
services.grant_proposals_generate(policy_id=policy.pk, period="2026")
connection.close()

outcome = {"writes": 0, "write_errors": [], "confirm": None}
writing = threading.Event()
stop = time.monotonic() + float(sys.argv[2])


def other_requests():
    """Officials and feeds writing profiles meanwhile (each write re-matches eagerly)."""
    n = 0
    try:
        while time.monotonic() < stop:
            n += 1
            try:
                enterprise_upsert(
                    data={"credit_code": credit_code(900000 + n % 20), "name": f"并发写入{n}有限公司",
                          "district": "410105", "industry": "C3411",
                          "indicators": {"revenue": {"2025": str(1000000 + n)}}},
                    source="concurrency",
                )  # fmt: skip
                outcome["writes"] += 1
            except OperationalError as exc:
                outcome["write_errors"].append(str(exc))
            writing.set()
    finally:
        writing.set()
        connection.close()


def confirm():
    writing.wait(10)
    try:
        batch = services.grant_batch_confirm(policy=policy, period="2026", actor=official, sms=False)
        outcome["confirm"] = "confirmed" if batch.pk else "not saved"
    except OperationalError as exc:
        outcome["confirm"] = str(exc)
    finally:
        connection.close()


threads = [threading.Thread(target=other_requests), threading.Thread(target=confirm)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
outcome["grants"] = Grant.objects.filter(policy=policy).count()
print("OUTCOME " + json.dumps(outcome, ensure_ascii=False))
