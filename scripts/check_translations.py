"""Fail when the French catalogue misses a string that the code or templates use.

Refreshes locale/fr/LC_MESSAGES/django.po from the sources (`makemessages -l fr
--no-obsolete`), then lists every entry that is untranslated or fuzzy. Run from anywhere:

    .venv/bin/python scripts/check_translations.py
"""

import os
import sys
from pathlib import Path

import django
import polib
from django.core.management import call_command

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = REPO_ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IGNORED = [".venv", "node_modules", "staticfiles", "tests", "benchmarks"]


def refresh_catalogue() -> None:
    os.chdir(REPO_ROOT)  # makemessages walks the current directory
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("RELAIS_TESTING", "1")  # no SECRET_KEY needed to read sources
    django.setup()
    call_command(
        "makemessages",
        locale=["fr"],
        domain="django",
        no_obsolete=True,
        ignore_patterns=IGNORED,
        verbosity=0,
    )


def problems(po: polib.POFile) -> list[str]:
    # The header entry is not in the iteration (msgfmt keeps it even when marked fuzzy).
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid!r} ({_where(entry)})")
        elif not entry.translated():
            found.append(f"untranslated: {entry.msgid!r} ({_where(entry)})")
    return found


def _where(entry: polib.POEntry) -> str:
    places = [f"{path}:{line}" if line else path for path, line in entry.occurrences[:3]]
    if len(entry.occurrences) > 3:
        places.append("…")
    return ", ".join(places) or "no occurrence"


def main() -> int:
    refresh_catalogue()
    if not CATALOGUE.exists():
        print(f"{CATALOGUE.relative_to(REPO_ROOT)} was not created by makemessages.")
        return 1
    po = polib.pofile(str(CATALOGUE))
    found = problems(po)
    if found:
        print(f"{len(found)} problem(s) in {CATALOGUE.relative_to(REPO_ROOT)}:")
        for line in found:
            print(f"  {line}")
        return 1
    count = sum(1 for entry in po if not entry.obsolete)
    print(f"{count} messages, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
