"""The demo app stays out of production: installed only when asked, imported by no app."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings


def production_packages() -> list[Path]:
    """The project's own apps (whatever they are called), `demo` excepted, and `config`."""
    base = Path(settings.BASE_DIR).resolve()
    own = [
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and config.name != "demo"
    ]
    return [*own, base / "config"]


def imported_modules(source: Path) -> set[str]:
    """Every module a file imports, including imports hidden inside functions."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_production_app_imports_demo() -> None:
    packages = production_packages()
    assert {path.name for path in packages} >= {
        "accounts",
        "cases",
        "referrals",
        "reports",
        "supervision",
        "config",
    }
    offenders = sorted(
        f"{source.relative_to(settings.BASE_DIR)} imports {module}"
        for package in packages
        for source in package.rglob("*.py")
        for module in imported_modules(source)
        if module == "demo" or module.startswith("demo.")
    )
    assert offenders == []


def manage_seed_demo(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`manage.py seed_demo` in a fresh process, so that the settings are read again."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "RELAIS_TESTING", "RELAIS_DEMO"}
    }
    environ |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("debug", ["", "0"])
def test_seed_demo_is_unknown_in_production(tmp_path: Path, debug: str) -> None:
    result = manage_seed_demo(tmp_path, DEBUG=debug)
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr


def test_relais_demo_installs_the_command_which_still_wants_force(tmp_path: Path) -> None:
    result = manage_seed_demo(tmp_path, RELAIS_DEMO="1")
    assert result.returncode == 1
    assert "Unknown command" not in result.stderr
    # The refusal (English or French, depending on the compiled catalogue) names the way out.
    assert "CommandError" in result.stderr
    assert "DEBUG" in result.stderr and "--force" in result.stderr
