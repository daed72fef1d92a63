"""The shape of the house, checked (README, "How the code is laid out"):

- `core` at the bottom imports no other Relais app; `accounts` imports only `core`;
- `guides` (public guides) stands on `cases` (a guide links to step types; `history` for
  its command's channel) and nothing but `config` imports it: cases and referrals join a
  step's guide by relation name only;
- `config` is the top floor: no app imports it;
- apps import downwards only: no cycle between apps, and no cycle between modules,
  including imports hidden inside functions;
- views, API views, serializers, forms and commands never read a case model's manager:
  they go through the `access` and `selectors` modules.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR).resolve()


def project_apps() -> list[str]:
    return sorted(
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(BASE)
    )


def module_name(path: Path) -> str:
    parts = path.relative_to(BASE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_sources() -> dict[str, Path]:
    sources = {}
    for package in [*project_apps(), "config"]:
        for path in (BASE / package).rglob("*.py"):
            if "migrations" not in path.parts:
                sources[module_name(path)] = path
    return sources


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from cases import selectors` imports the module cases.selectors.
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in known or name.split(".")[0] in known)
    return {name for name in found if name.split(".")[0] in {m.split(".")[0] for m in known}}


def import_graph() -> dict[str, set[str]]:
    sources = project_sources()
    known = set(sources)
    return {module: imports_of(path, known) for module, path in sources.items()}


def top(module: str) -> str:
    return module.split(".")[0]


def test_the_graph_sees_the_apps() -> None:
    graph = import_graph()
    assert {"core", "accounts", "cases", "guides", "referrals", "reports", "supervision"} <= set(
        project_apps()
    )
    assert "cases.selectors" in graph["cases.views"]
    assert "core.exceptions" in graph["referrals.exceptions"]


def test_no_app_imports_config() -> None:
    offenders = sorted(
        f"{module} imports {imported}"
        for module, imported_set in import_graph().items()
        if top(module) != "config"
        for imported in imported_set
        if top(imported) == "config"
    )
    assert offenders == []


def test_core_and_accounts_stay_at_the_bottom() -> None:
    allowed = {"core": {"core"}, "accounts": {"accounts", "core"}}
    offenders = sorted(
        f"{module} imports {imported}"
        for module, imported_set in import_graph().items()
        if top(module) in allowed
        for imported in imported_set
        if top(imported) not in allowed[top(module)]
    )
    assert offenders == []


def test_guides_stand_on_cases_and_nothing_stands_on_guides() -> None:
    graph = import_graph()
    assert "cases.models" in graph["guides.models"]
    offenders = sorted(
        f"{module} imports {imported}"
        for module, imported_set in graph.items()
        for imported in imported_set
        if (
            top(module) == "guides"
            and top(imported) not in {"core", "accounts", "history", "cases", "guides"}
        )
        or (top(imported) == "guides" and top(module) not in {"guides", "config"})
    )
    assert offenders == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph`, as a path, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_cycle_between_apps() -> None:
    app_graph: dict[str, set[str]] = defaultdict(set)
    for module, imported_set in import_graph().items():
        for imported in imported_set:
            if top(imported) != top(module):
                app_graph[top(module)].add(top(imported))
    assert _cycle(app_graph) is None


def test_no_cycle_between_modules() -> None:
    graph = import_graph()
    # A package's __init__ importing its own submodules is how packages are built.
    graph = {
        module: {imported for imported in imported_set if not module.startswith(imported + ".")}
        for module, imported_set in graph.items()
    }
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


CASE_MODELS = (
    "YoungPerson",
    "Step",
    "StepType",
    "DigitalDiagnostic",
    "FollowUp",
    "Application",
    "Document",
    "AccessLog",
    "YoungPersonUserObjectPermission",
    "Referral",
    "ReferralEvent",
    "ReferralMessage",
    "ReferralUserObjectPermission",
)
MANAGER_READ = re.compile(
    r"\b(?:" + "|".join(CASE_MODELS) + r"|self\.model|model)\.(?:objects|_default_manager)\b"
)


def entry_points() -> list[Path]:
    """Where requests and commands come in: views, API packages, forms, commands."""
    found = []
    for app in project_apps():
        if app == "demo":  # development data, never installed in production
            continue
        root = BASE / app
        found += [root / name for name in ("views.py", "forms.py") if (root / name).exists()]
        found += list((root / "api").rglob("*.py")) if (root / "api").exists() else []
        found += list((root / "management" / "commands").rglob("*.py"))
    return found


def test_entry_points_do_not_read_case_managers() -> None:
    points = entry_points()
    assert BASE / "cases" / "views.py" in points
    assert BASE / "cases" / "api" / "views.py" in points
    offenders = sorted(
        f"{path.relative_to(BASE)}:{number}: {line.strip()}"
        for path in points
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if MANAGER_READ.search(line)
    )
    assert offenders == []


def test_the_manager_pattern_matches_what_it_must() -> None:
    assert MANAGER_READ.search("qs = Step.objects.filter(young_person=yp)")
    assert MANAGER_READ.search("return self.model.objects.all()")
    assert not MANAGER_READ.search("qs = selectors.file_records(Step, user)")
