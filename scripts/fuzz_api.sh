#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against the OpenAPI schema Relais serves itself.
#
# A throwaway SQLite database gets the demo data (seed_demo), `runserver` serves it with
# DEBUG off (over plain http: SECURE_SSL_REDIRECT=0), and schemathesis tests every operation
# of /api/schema/ (fetched with a token: outside DEBUG it needs a login) in three passes, each
# pinned to one demo account and with a second account of another organisation as its
# "peer" for the object-level authorization check (a peer must never get an object that
# the pinned user owns):
#
#   1. conseiller.nord  (sender of most referrals)        peer conseiller.sud
#   2. conseiller.sud   (the other mission locale)        peer conseiller.nord
#   3. conseiller.emmaus (receives referrals: accept, shared file, complete)
#                                                          peer partenaire.formation
#
# Checks: every schemathesis check except the two that judge how strict input validation
# is (positive_data_acceptance: a schema-valid id of somebody else's file is rightly a
# 400; negative_data_rejection: an empty filter is rightly ignored). So: no server error,
# documented status codes, content types and headers, responses that match the schema,
# 405 with Allow for other methods, credentials not ignored, no object-level leak.
#
# Exits non-zero on any failure and prints, per pass, the operations tested, the test
# cases generated and the failures. Tune with FUZZ_MAX_EXAMPLES (default 20), FUZZ_SEED,
# FUZZ_WORKERS; keep the work directory with FUZZ_KEEP=1.
#
# Usage (from anywhere): scripts/fuzz_api.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
PY="$repo/.venv/bin/python"
SCHEMATHESIS="$repo/.venv/bin/schemathesis"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-20}"
SEED="${FUZZ_SEED:-2026}"
WORKERS="${FUZZ_WORKERS:-2}"
PASSWORD="fuzz-$$-relais-demo"

for tool in "$PY" "$SCHEMATHESIS"; do
    if [ ! -x "$tool" ]; then
        echo "error: $tool is missing; run 'make install' first." >&2
        exit 2
    fi
done

workdir="$(mktemp -d "${TMPDIR:-/tmp}/relais-fuzz-$$.XXXXXX")"
server_pid=""
cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] || [ "${FUZZ_KEEP:-0}" = 1 ]; then
        echo "Work directory kept for inspection: $workdir (server.log, pass-*.log)"
    else
        rm -rf "$workdir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The whole environment of the run: nothing reads the developer's database or media.
# IMMEDIATE transactions: concurrent requests queue for SQLite's write lock instead of
# failing with "database is locked" (a property of SQLite, not of the API under test).
export DATABASE_URL="sqlite:///$workdir/db.sqlite3?transaction_mode=IMMEDIATE&timeout=30"
export PRIVATE_MEDIA_ROOT="$workdir/private_media"
export EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"
export TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend"
export API_THROTTLE_ANON="1000000/min"
export API_THROTTLE_USER="1000000/min"
export API_THROTTLE_TOKEN="1000000/min"
# Each login makes a new token (schemathesis logs in again whenever one is revoked).
export API_TOKEN_LIMIT_PER_USER=100000
unset RELAIS_TESTING

echo "==> Database: $DATABASE_URL"
DEBUG=1 "$PY" manage.py migrate --noinput >"$workdir/migrate.log"
echo "==> Demo data (seed_demo)"
DEBUG=1 "$PY" manage.py seed_demo --password "$PASSWORD" >"$workdir/seed.log" 2>&1
tail -n 3 "$workdir/seed.log" | head -n 2

# Before each pass: the ids of every record (every organisation's), drawn half of the time
# for ids in paths, bodies and filters, so that requests reach real objects (the caller's:
# 2xx; other people's: 404) rather than mostly missing ones. With --accepted-for USER, a
# fresh referral to USER's organisation, accepted by USER and sharing every section, so
# that the shared file can be read (earlier passes may have closed the seeded ones).
cat >"$workdir/prepare.py" <<'EOF'
import json
import os
import sys

sys.path.insert(0, os.getcwd())  # the repository: this file lives in the work directory
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django

django.setup()
from accounts.models import Organization, User
from cases.models import Application, DigitalDiagnostic, Document, FollowUp, Step, StepType
from cases.models import YoungPerson
from referrals import services
from referrals.enums import SharedSection
from referrals.models import Referral
from referrals.workflow import OPEN_STATUSES

if "--accepted-for" in sys.argv:
    handler = User.objects.get(username=sys.argv[sys.argv.index("--accepted-for") + 1])
    destination = handler.memberships.get().organization
    young_person = (
        YoungPerson.objects.exclude(organization=destination)
        .filter(organization__kind="mission_locale", status="active")
        .exclude(referrals__to_organization=destination, referrals__status__in=OPEN_STATUSES)
        .select_related("referent")
        .order_by("pk")
        .first()
    )
    referral = services.referral_send(
        actor=young_person.referent,
        young_person=young_person,
        to_organization=destination,
        reason="equipment",
        message="Fuzzing: every section shared.",
        shared_sections=list(SharedSection.values),
        consent_method="oral",
        consent_given=True,
    )
    services.referral_accept(actor=handler, referral=referral)
    print(f"    referral {referral.pk} accepted by {handler.username}")

ids = {
    "young_people": YoungPerson.objects.values_list("pk", flat=True),
    "referrals": Referral.objects.values_list("pk", flat=True),
    "documents": Document.objects.values_list("pk", flat=True),
    "steps": Step.objects.values_list("pk", flat=True),
    "follow_ups": FollowUp.objects.values_list("pk", flat=True),
    "diagnostics": DigitalDiagnostic.objects.values_list("pk", flat=True),
    "applications": Application.objects.values_list("pk", flat=True),
    "organizations": Organization.objects.values_list("pk", flat=True),
    "users": User.objects.values_list("pk", flat=True),
    "step_types": StepType.objects.values_list("code", flat=True).distinct(),
}
paths = {
    "young-people": "young_people",
    "referrals": "referrals",
    "documents": "documents",
    "steps": "steps",
    "follow-ups": "follow_ups",
    "diagnostics": "diagnostics",
    "applications": "applications",
    "organizations": "organizations",
}
fields = {
    "body.young_person": "young_people",
    "body.to_organization": "organizations",
    "body.handler": "users",
    "body.cv": "documents",
    "body.step_type": "step_types",
    "query.young_person": "young_people",
    "query.referent": "users",
}


def bind(name):
    return f'{{ dictionary = "{name}", probability = 0.5 }}'


lines = []
for name, values in ids.items():
    lines += [f"[dictionaries.{name}]", f"values = {json.dumps(sorted(values))}", ""]
lines.append("[parameters]")
lines += [f'"{key}" = {bind(name)}' for key, name in fields.items()]
for prefix, name in paths.items():
    bindings = {"path.id": name}
    if prefix == "referrals":
        bindings["path.document_id"] = "documents"  # shared-file/documents/{document_id}/
    table = ", ".join(f'"{key}" = {bind(value)}' for key, value in bindings.items())
    lines += ["", "[[operations]]", f'include-path-regex = "^/api/v1/{prefix}/{{id}}/"']
    lines.append(f"parameters = {{ {table} }}")
with open(sys.argv[1], "w") as handle:
    handle.write("\n".join(lines) + "\n")
print("    ids: " + ", ".join(f"{len(list(v))} {k}" for k, v in ids.items()))
EOF

port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
echo "==> Server: $base (DEBUG off)"
# runserver, plus the traceback of any 500 in server.log (with DEBUG off Django only mails
# them to ADMINS).
DEBUG=0 SECRET_KEY=fuzz ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 "$PY" -c '
import logging, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
logging.getLogger("django.request").addHandler(logging.StreamHandler())
from django.core.management import call_command
call_command("runserver", sys.argv[1], use_reloader=False)
' "127.0.0.1:$port" >"$workdir/server.log" 2>&1 &
server_pid=$!

"$PY" - "$base" <<'EOF'
import sys
import time
import urllib.request

deadline = time.monotonic() + 90
while True:
    try:
        with urllib.request.urlopen(f"{sys.argv[1]}/accounts/login/", timeout=5) as answer:
            if answer.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("error: the server did not answer within 90 s (see server.log)")
    time.sleep(0.5)
EOF

# Every account logs in through the API itself; schemathesis logs in again whenever a
# token stops working (the fuzzer also calls DELETE /api/v1/auth/token/). The first token
# fetches the schema (it needs a login with DEBUG off) into schema.json.
"$PY" - "$base" "$PASSWORD" "$workdir/auth.json" "$workdir/schema.json" \
    conseiller.nord conseiller.sud conseiller.emmaus partenaire.formation <<'EOF'
import json
import sys
import urllib.request

base, password, path, schema_path, *usernames = sys.argv[1:]
entries = []
for username in usernames:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        token = json.load(answer)["token"]
        assert token, username
    print(f"    token for {username}: ok")
    if not entries:
        schema = urllib.request.Request(
            f"{base}/api/schema/?format=json", headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(schema, timeout=60) as answer, open(schema_path, "wb") as out:
            out.write(answer.read())
    entries.append(
        {
            "name": username,
            "loginEndpointAuth": {
                "endpoint": "/api/v1/auth/token/",
                "verb": "POST",
                "contentType": "application/json",
                "payloadUserPwd": {
                    "username": username,
                    "password": password,
                    "usernameField": "username",
                    "passwordField": "password",
                },
                "token": {
                    "extractFrom": "body",
                    "extractSelector": "/token",
                    "sendIn": "header",
                    "sendName": "Authorization",
                    "sendTemplate": "Token {token}",
                },
            },
        }
    )
with open(path, "w") as handle:
    json.dump({"auth": entries}, handle, indent=2)
EOF

# Keys the fuzzer draws ("0", "a"...) repeat across cases with different bodies, and the
# API rightly refuses a reused key with 422 before reading the body: a fresh key per call
# lets every body reach validation. Keys the API must refuse (too long, unprintable) are
# sent as drawn.
cat >"$workdir/hooks.py" <<'EOF'
import uuid

import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    key = case.headers.get("Idempotency-Key") if case.headers else None
    if key is not None and 0 < len(key) <= 200 and key.isprintable():
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
EOF
export SCHEMATHESIS_HOOKS="$workdir/hooks.py"

failed=()
summary=()
run_pass() {
    local number="$1" user="$2" peer="$3" phases="$4"
    local config="$workdir/pass-$number.toml" log="$workdir/pass-$number.log"
    echo
    echo "==> Pass $number: as $user, peer $peer; phases $phases, at most $MAX_EXAMPLES examples per operation"
    DEBUG=1 "$PY" "$workdir/prepare.py" "$workdir/ids.toml" "${@:5}" 2>>"$workdir/prepare.log" || {
        tail -n 20 "$workdir/prepare.log" >&2
        exit 1
    }
    {
        printf '[auth.wfc]\npath = "%s"\nuser = "%s"\npeers = ["%s", "%s"]\n\n' \
            "$workdir/auth.json" "$user" "$user" "$peer"
        cat "$workdir/ids.toml"
    } >"$config"
    local status=0
    # Run inside the work directory: schemathesis keeps its caches in the current one.
    (
        cd "$workdir"
        "$SCHEMATHESIS" --config-file "$config" run "$workdir/schema.json" --url "$base" \
            --phases "$phases" \
            --checks all \
            --exclude-checks positive_data_acceptance,negative_data_rejection \
            --max-examples "$MAX_EXAMPLES" \
            --seed "$SEED" \
            --workers "$WORKERS" \
            --request-timeout 30 \
            --no-color
    ) >"$log" 2>&1 || status=$?
    sed -n '/=== SUMMARY ===/,$p' "$log"
    local operations cases failures
    operations="$(sed -n 's/^ *Tested: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)"
    cases="$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$log" | tail -n 1)"
    failures="$(sed -n 's/^ *[0-9]* generated, \(.*\)/\1/p' "$log" | tail -n 1)"
    summary+=("pass $number ($user): ${operations:-?} operations tested, ${cases:-?} test cases generated; ${failures:-?}")
    if [ "$status" -ne 0 ]; then
        failed+=("pass $number ($user)")
        echo "--- failures of pass $number:"
        sed -n '/=== FAILURES ===/,/=== WARNINGS ===\|=== SUMMARY ===/p' "$log" | head -n 300
    fi
}

# The coverage phase (schema edge cases, the same for every caller) runs once.
run_pass 1 conseiller.nord conseiller.sud examples,coverage,fuzzing,stateful
run_pass 2 conseiller.sud conseiller.nord fuzzing,stateful
run_pass 3 conseiller.emmaus partenaire.formation fuzzing,stateful \
    --accepted-for conseiller.emmaus

server_errors="$(grep -c '" 5[0-9][0-9] ' "$workdir/server.log" || true)"
echo
echo "==> Figures"
printf '    %s\n' "${summary[@]}"
echo "    HTTP 5xx answers in the server log: $server_errors"
if [ "$server_errors" != 0 ]; then
    failed+=("server errors")
    grep -B 1 -A 40 '^Traceback' "$workdir/server.log" | head -n 200 || true
fi
if [ "${#failed[@]}" -gt 0 ]; then
    echo "API fuzzing FAILED: ${failed[*]}"
    exit 1
fi
echo "API fuzzing passed"
