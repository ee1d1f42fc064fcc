"""The two scripts ``web_load.py`` runs inside the platform's own process (with its settings and
database): ``SETUP`` makes the load test's people and finished run; ``COUNT`` counts afterwards
what the database holds (uploads audited, returns complete and submitted, the audit chain).
"""

from __future__ import annotations

SETUP = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from csceval.web.accounts.services import membership_grant
from pathlib import Path
from csceval.pipeline import run_project
from csceval.web.evaluation.models import AnalysisRun, LocalAuthority, Site
from csceval.web.evaluation.runs import runs_folder
from csceval.web.permissions import MFA_REQUIRED_ROLES

password, n, shares, project = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
pilots = list(Site.objects.filter(role="pilot").order_by("la_code")
              .values_list("la_code", flat=True))
counts = {role: round(n * share) for role, share in shares.items()}
counts["viewer"] = n - sum(counts.values())
taken = set(Site.objects.values_list("la_code", flat=True))
free = [la for la in LocalAuthority.objects.order_by("la_code") if la.la_code not in taken]
coordinator_las = pilots[: counts["la_coordinator"]]
for la in free[: counts["la_coordinator"] - len(coordinator_las)]:
    Site.objects.create(la_code=la.la_code, name=la.la_name, role="comparator")
    coordinator_las.append(la.la_code)
users = []
User = get_user_model()
admin = User.objects.create_superuser("load-admin", password=None)
for role, count in counts.items():
    for i in range(count):
        la = "*" if role == "evaluator" else (
            coordinator_las[i] if role == "la_coordinator" else pilots[i % len(pilots)])
        user = User.objects.create_user(f"{role}{i:02d}", password=password)
        membership_grant(actor=None, user=user, la_code=la, role=role,
                         expires_at=timezone.now() + timedelta(days=1))
        key = ""
        if role in MFA_REQUIRED_ROLES:
            key = TOTPDevice.objects.create(user=user, name="app", confirmed=True).key
        users.append({"username": user.username, "role": role, "la": la, "key": key})
# The finished run the report pages and benchmarks come from: the pipeline on the imported
# project folder, recorded as the platform records its runs.
run = AnalysisRun.objects.create(status=AnalysisRun.Status.RUNNING, started_by=admin)
folder = runs_folder() / str(run.pk)
run_project(Path(project), folder / "output", command="web_load setup")
AnalysisRun.objects.filter(pk=run.pk).update(
    status=AnalysisRun.Status.DONE, folder=str(folder), progress=1.0, finished_at=timezone.now())
print(json.dumps({"users": users, "pilots": pilots, "run": run.pk}))
"""

COUNT = """
import json
import django
django.setup()
from django.db.models import Count
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.returns.models import PilotReturn

uploads = {}
for event in AuditEvent.objects.filter(action="return.upload"):
    uploads[event.actor] = uploads.get(event.actor, 0) + 1
returns = list(PilotReturn.objects.filter(year=2026).annotate(n=Count("indicator_values"))
               .values_list("site__la_code", "status", "n"))
print(json.dumps({"uploads": uploads, "returns": returns, "chain_problems": len(verify_chain()),
                  "events": AuditEvent.objects.count()}))
"""
