"""The default guides: real product content written for Relais, kept as Markdown files in
guides/content/ (one per guide, a short header then the text) and loaded into the
database by the data migration 0002 — so every installation, production included, has
them — and by `manage.py load_guides` (idempotent).

Loading never overwrites: a guide whose address already exists is left as the editors
made it. A new default guide shipped later comes with a migration that calls
`load_default_guides` again. The default guides belong to the platform
(organisation NULL), are published, and link to the default steps named in their
`step_types` header (codes of the default catalogue)."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import timezone

from guides.search import index_terms

CONTENT_DIR = Path(__file__).resolve().parent / "content"
HEADER_FIELDS = {"title", "topic", "summary", "reviewed_on", "step_types"}


@dataclass(frozen=True)
class GuideFile:
    slug: str
    title: str
    topic: str
    summary: str
    reviewed_on: date
    step_types: tuple[str, ...]
    body: str


def parse(path: Path) -> GuideFile:
    """A guide file: `---`, `key: value` lines, `---`, then the Markdown text."""
    text = path.read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    fields: dict[str, str] = {}
    for line in header.strip().splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    missing = (HEADER_FIELDS - {"step_types"}) - set(fields)
    if missing or set(fields) - HEADER_FIELDS:
        raise ValueError(f"{path.name}: header fields {sorted(fields)}")
    return GuideFile(
        slug=path.stem,
        title=fields["title"],
        topic=fields["topic"],
        summary=fields["summary"],
        reviewed_on=date.fromisoformat(fields["reviewed_on"]),
        step_types=tuple(
            code.strip() for code in fields.get("step_types", "").split(",") if code.strip()
        ),
        body=body.strip() + "\n",
    )


def default_guide_files() -> list[GuideFile]:
    return [parse(path) for path in sorted(CONTENT_DIR.glob("*.md"))]


def load_default_guides(apps) -> int:
    """Create the default guides that do not exist yet; returns how many were created.

    `apps` is a migration's historical registry or `django.apps.apps`: only model classes
    are used, never services, so that this keeps working from the migration."""
    Guide = apps.get_model("guides", "Guide")
    GuideRevision = apps.get_model("guides", "GuideRevision")
    GuideStepType = apps.get_model("guides", "GuideStepType")
    GuideTerm = apps.get_model("guides", "GuideTerm")
    StepType = apps.get_model("cases", "StepType")

    existing = set(Guide.objects.values_list("slug", flat=True))
    created = 0
    now = timezone.now()
    for item in default_guide_files():
        if item.slug in existing:
            continue
        guide = Guide.objects.create(
            organization=None,
            slug=item.slug,
            title=item.title,
            topic=item.topic,
            summary=item.summary,
            body=item.body,
            status="published",
            reviewed_on=item.reviewed_on,
            created_at=now,
            updated_at=now,
        )
        GuideRevision.objects.create(
            guide=guide,
            number=1,
            action="published",
            created_at=now,
            title=guide.title,
            topic=guide.topic,
            summary=guide.summary,
            body=guide.body,
            status=guide.status,
            reviewed_on=guide.reviewed_on,
        )
        terms = index_terms(title=guide.title, summary=guide.summary, body=guide.body)
        GuideTerm.objects.bulk_create(
            GuideTerm(guide=guide, term=term, weight=weight) for term, weight in terms.items()
        )
        for step_type in StepType.objects.filter(
            organization__isnull=True, code__in=item.step_types, guide_link__isnull=True
        ).order_by("pk"):
            GuideStepType.objects.create(guide=guide, step_type=step_type)
        created += 1
    return created
