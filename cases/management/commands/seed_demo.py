"""`manage.py seed_demo`: a deterministic demo data set for trying Relais out.

Everything is written through the services (accounts.services, cases.services), as a user
of the application would, inside one transaction. A fixed random seed and dates relative to
today make every run produce the same organisations, accounts, young people and records.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import pairwise
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.enums import OrganizationKind, Role
from accounts.models import Organization, User
from accounts.selectors import forget_memberships
from cases import demo, services
from cases.diagnostics import suggested_step_codes
from cases.enums import (
    OPEN_STEP_STATUSES,
    ApplicationSource,
    ApplicationStatus,
    DocumentKind,
    FollowUpChannel,
    Situation,
    StepStatus,
    YoungPersonStatus,
)
from cases.models import (
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
)
from cases.selectors import step_types_for

DEFAULT_DEMO_PASSWORD = "relais-demo-2026"
SEED = 2026
STAFF_EMAIL_DOMAIN = "demo.relais.invalid"
YOUNG_PERSON_EMAIL_DOMAIN = "exemple.invalid"
FILES_PER_ADVISOR = 32
FILES_PER_SUPERVISOR = 3
HISTORY_DAYS = 120

# key, name, kind, territory
ORGANIZATIONS = (
    (
        "nord",
        "Mission Locale Demo Nord",
        OrganizationKind.MISSION_LOCALE,
        "Métropole lilloise (59)",
    ),
    ("sud", "Mission Locale Demo Sud", OrganizationKind.MISSION_LOCALE, "Marseille — Aubagne (13)"),
    ("emmaus", "Emmaüs Connect Demo", OrganizationKind.EMMAUS_CONNECT, "Seine-Saint-Denis (93)"),
    ("formation", "Partenaire Formation Demo", OrganizationKind.PARTNER, "Hauts-de-France"),
)
DEMO_ORGANIZATION_NAMES = tuple(name for _key, name, _kind, _territory in ORGANIZATIONS)

# username, first name, last name, organisation key, role, number of own files
ACCOUNTS = (
    ("conseiller.nord", "Camille", "Lefebvre", "nord", Role.ADVISOR, FILES_PER_ADVISOR),
    ("conseiller2.nord", "Julien", "Roussel", "nord", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.nord", "Nathalie", "Dubreuil", "nord", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("admin.nord", "Olivier", "Marchand", "nord", Role.ORG_ADMIN, 0),
    ("conseiller.sud", "Sophie", "Martinez", "sud", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.sud", "Karim", "Benali", "sud", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("conseiller.emmaus", "Élise", "Morvan", "emmaus", Role.ADVISOR, FILES_PER_ADVISOR),
    ("superviseur.emmaus", "Mehdi", "Cherki", "emmaus", Role.SUPERVISOR, FILES_PER_SUPERVISOR),
    ("partenaire.formation", "Claire", "Vautrin", "formation", Role.PARTNER, 0),
)
SUPERUSER = ("admin", "Équipe", "Plateforme")
DEMO_USERNAMES = (*(row[0] for row in ACCOUNTS), SUPERUSER[0])

QUESTIONS = DigitalDiagnostic.QUESTION_FIELDS
# Digital profiles: the answers that are True. The order of PROGRESS is the order in which
# an accompanied young person typically closes the gaps (equipment first, then e-mail…).
PROFILES = {
    "offline": set(),
    "phone_only": {"has_smartphone", "has_mobile_data"},
    "lost_access": {"has_smartphone", "has_email"},
    "email_basic": {
        "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
        "can_create_online_account",
    },
    "almost": {
        "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
        "can_send_attachment", "can_create_online_account",
    },
    "autonomous": set(QUESTIONS),
}  # fmt: skip
PROFILE_WEIGHTS = {
    OrganizationKind.MISSION_LOCALE: {
        "offline": 2, "phone_only": 5, "lost_access": 3, "email_basic": 3, "almost": 2,
        "autonomous": 2,
    },
    OrganizationKind.EMMAUS_CONNECT: {
        "offline": 3, "phone_only": 4, "lost_access": 3, "email_basic": 2, "almost": 1,
        "autonomous": 0,
    },
}  # fmt: skip
PROGRESS = (
    "has_smartphone", "has_mobile_data", "has_email", "can_log_in_email",
    "can_send_attachment", "can_create_online_account", "can_scan_upload",
)  # fmt: skip
CV_PROBABILITY = {
    "offline": 0.6, "phone_only": 0.8, "lost_access": 0.8, "email_basic": 0.9,
    "almost": 0.95, "autonomous": 1.0,
}  # fmt: skip
SITUATION_WEIGHTS = {
    Situation.NEET: 4, Situation.JOB_SEEKING: 4, Situation.TRAINING: 1.5,
    Situation.EMPLOYED: 0.5, Situation.OTHER: 0.5,
}  # fmt: skip
CHANNEL_WEIGHTS = {
    FollowUpChannel.IN_PERSON: 6, FollowUpChannel.PHONE: 3, FollowUpChannel.VIDEO: 1,
    FollowUpChannel.SMS: 1, FollowUpChannel.EMAIL: 1,
}  # fmt: skip
APPLICATION_STATUS_WEIGHTS = {
    ApplicationStatus.DRAFT: 1, ApplicationStatus.SENT: 3, ApplicationStatus.INTERVIEW: 2,
    ApplicationStatus.HIRED: 1, ApplicationStatus.REJECTED: 3,
}  # fmt: skip
APPLICATION_NOTES = {
    ApplicationStatus.DRAFT: "Lettre de motivation à relire ensemble.",
    ApplicationStatus.SENT: "Relance prévue dans dix jours.",
    ApplicationStatus.INTERVIEW: "Entretien obtenu : préparation faite en rendez-vous.",
    ApplicationStatus.HIRED: "Embauche confirmée.",
    ApplicationStatus.REJECTED: "Réponse négative reçue par e-mail.",
}
CLOSING_NOTES = (
    "Clôture du dossier : entrée en formation qualifiante.",
    "Clôture du dossier : déménagement hors du territoire.",
    "Clôture du dossier : plus de nouvelles malgré les relances.",
)


# --- The plan: pure data drawn from the seeded generator, no database access ---------------


@dataclass
class FollowUpPlan:
    occurred_at: datetime
    channel: str
    duration_minutes: int
    notes: str
    next_action: str
    next_appointment: datetime | None = None


@dataclass
class StepPlan:
    code: str
    status: str
    due_date: date | None
    evidence: str = ""


@dataclass
class ApplicationPlan:
    employer: str
    position: str
    source: str
    status: str
    applied_on: date | None
    response_on: date | None
    with_cv: bool
    notes: str


@dataclass
class YoungPersonPlan:
    first_name: str
    last_name: str
    birth_date: date
    email: str
    phone: str
    city: str
    situation: str
    status: str
    email_recorded_later: str = ""
    diagnostics: list[tuple[datetime, dict[str, bool], str]] = field(default_factory=list)
    follow_ups: list[FollowUpPlan] = field(default_factory=list)
    steps: list[StepPlan] = field(default_factory=list)
    cv: dict | None = None
    applications: list[ApplicationPlan] = field(default_factory=list)


class Planner:
    """Draws every young person's story from one seeded generator, in a fixed order."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        names = [(first, last) for first in demo.FIRST_NAMES for last in demo.LAST_NAMES]
        rng.shuffle(names)
        self.names = iter(names)
        self.phone_counter = 0

    def weighted(self, weights: dict):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def at(self, day: date, hour: int | None = None) -> datetime:
        hour = self.rng.choice((9, 10, 11, 14, 15, 16)) if hour is None else hour
        minute = self.rng.choice((0, 15, 30, 45))
        return timezone.make_aware(datetime.combine(day, clock(hour, minute)))

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def young_person(self, org_key: str, org_kind: str) -> YoungPersonPlan:
        rng = self.rng
        first_name, last_name = next(self.names)
        # 16 to 25 years old: between 16 and 26 years of days, with a margin for leap years.
        birth_date = self.today - timedelta(days=rng.randint(5850, 9490))
        profile = self.weighted(PROFILE_WEIGHTS[org_kind])
        answers = {name: name in PROFILES[profile] for name in QUESTIONS}
        if profile not in ("offline", "autonomous"):
            answers["has_computer"] = rng.random() < 0.25
            answers["has_home_internet"] = rng.random() < 0.4
        elif profile == "autonomous":
            answers["has_computer"] = rng.random() < 0.6
            answers["has_home_internet"] = rng.random() < 0.7

        self.phone_counter += 1
        # 06 39 98 xx xx is the ARCEP range reserved for fiction.
        phone = (
            f"06 39 98 {self.phone_counter // 100 % 100:02d} {self.phone_counter % 100:02d}"
            if rng.random() < (0.6 if profile == "offline" else 0.92)
            else ""
        )
        address = (
            f"{demo.ascii_slug(first_name, '.')}.{demo.ascii_slug(last_name, '.')}".lower()
            + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
            + f"@{YOUNG_PERSON_EMAIL_DOMAIN}"
        )
        knows_address = answers["has_email"] and (answers["can_log_in_email"] or rng.random() < 0.3)
        email = address if knows_address else ""

        roll = rng.random()
        status = (
            YoungPersonStatus.ACTIVE
            if roll < 0.8
            else YoungPersonStatus.PAUSED
            if roll < 0.9
            else YoungPersonStatus.CLOSED
        )
        rhythm = {
            YoungPersonStatus.PAUSED: "paused",
            YoungPersonStatus.CLOSED: "closed",
        }.get(status)
        if rhythm is None:
            roll = rng.random()
            rhythm = "new" if roll < 0.08 else "stale" if roll < 0.23 else "regular"

        plan = YoungPersonPlan(
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            email=email,
            phone=phone,
            city=rng.choice(demo.CITIES[org_key]),
            situation=self.weighted(SITUATION_WEIGHTS),
            status=status,
        )

        plan.follow_ups = self.follow_ups(rhythm, has_email=bool(email))
        first_diagnostic = latest = None
        if plan.follow_ups:
            first_diagnostic = answers
            plan.diagnostics.append(
                (plan.follow_ups[0].occurred_at, answers, "Premier diagnostic à l'accueil.")
            )
            gap = plan.follow_ups[-1].occurred_at - plan.follow_ups[0].occurred_at
            if profile != "autonomous" and gap.days >= 20 and rng.random() < 0.5:
                better = dict(answers)
                for name in [q for q in PROGRESS if not better[q]][: rng.randint(1, 3)]:
                    better[name] = True
                plan.diagnostics.append(
                    (plan.follow_ups[-1].occurred_at, better, "Nouveau point : progrès nets.")
                )
                if better["has_email"] and better["can_log_in_email"] and not email:
                    plan.email_recorded_later = address
                latest = better
        latest = latest or first_diagnostic

        has_cv = rhythm != "new" and rng.random() < CV_PROBABILITY[profile]
        if has_cv:
            plan.cv = self.cv(plan)
            plan.applications = self.applications(plan)
        if any(a.status == ApplicationStatus.HIRED for a in plan.applications):
            plan.situation = Situation.EMPLOYED
        elif status == YoungPersonStatus.CLOSED and plan.situation == Situation.NEET:
            plan.situation = Situation.TRAINING
        if status == YoungPersonStatus.CLOSED and plan.follow_ups:
            plan.follow_ups[-1].notes = (
                "Clôture du dossier : entrée en emploi."
                if plan.situation == Situation.EMPLOYED
                else rng.choice(CLOSING_NOTES)
            )
            plan.follow_ups[-1].next_action = ""
        plan.steps = self.steps(plan, org_kind, rhythm, first_diagnostic, latest)
        return plan

    def follow_ups(self, rhythm: str, *, has_email: bool) -> list[FollowUpPlan]:
        rng = self.rng
        if rhythm == "new":
            newest, count = rng.randint(1, 10), rng.choice((0, 1))
        else:
            newest, count = {
                "regular": (rng.randint(1, 25), rng.randint(2, 6)),
                "stale": (rng.randint(61, 100), rng.randint(1, 3)),
                "paused": (rng.randint(35, 80), rng.randint(1, 3)),
                "closed": (rng.randint(15, 90), rng.randint(2, 5)),
            }[rhythm]
        if count == 0:
            return []
        days = sorted(
            [newest, *rng.sample(range(newest + 4, HISTORY_DAYS + 1), count - 1)], reverse=True
        )
        channels = dict(CHANNEL_WEIGHTS)
        if not has_email:
            del channels[FollowUpChannel.EMAIL]
        plans = []
        for index, days_ago in enumerate(days):
            channel = FollowUpChannel.IN_PERSON if index == 0 else self.weighted(channels)
            duration = {
                FollowUpChannel.IN_PERSON: rng.choice((30, 45, 45, 60)),
                FollowUpChannel.PHONE: rng.choice((10, 15, 20)),
                FollowUpChannel.VIDEO: rng.choice((20, 30)),
            }.get(channel, 5)
            plans.append(
                FollowUpPlan(
                    occurred_at=self.at(self.days_ago(days_ago)),
                    channel=channel,
                    duration_minutes=duration,
                    notes=rng.choice(demo.FOLLOW_UP_NOTES),
                    next_action=rng.choice(demo.NEXT_ACTIONS),
                )
            )
        for previous, following in pairwise(plans):
            if rng.random() < 0.6:
                previous.next_appointment = following.occurred_at
        last = plans[-1]
        if rhythm in ("regular", "new") and rng.random() < 0.6:
            last.next_appointment = self.at(self.today + timedelta(days=rng.randint(1, 21)))
        elif rhythm == "stale" and rng.random() < 0.5:
            # An appointment that never happened: the file went quiet.
            last.next_appointment = last.occurred_at + timedelta(days=14)
        return plans

    def cv(self, plan: YoungPersonPlan) -> dict:
        rng = self.rng
        year = self.today.year
        experiences = [
            demo.CvExperience(
                period=period.format(y=year - rng.randint(1, 4)),
                role=role,
                place=place.format(city=plan.city),
            )
            for period, role, place in rng.sample(demo.EXPERIENCES, rng.randint(1, 3))
        ]
        return {
            "headline": rng.choice(demo.JOBS)[0],
            "experiences": experiences,
            "education": rng.sample(demo.EDUCATION, rng.randint(1, 2)),
            "skills": rng.sample(demo.SKILLS, rng.randint(3, 4)),
        }

    def applications(self, plan: YoungPersonPlan) -> list[ApplicationPlan]:
        rng = self.rng
        if plan.status == YoungPersonStatus.CLOSED or rng.random() < 0.6:
            count = rng.randint(1, 3)
        else:
            return []
        statuses = dict(APPLICATION_STATUS_WEIGHTS)
        result = []
        for _index in range(count):
            status = self.weighted(statuses)
            if status == ApplicationStatus.HIRED:
                del statuses[ApplicationStatus.HIRED]
            position, employers = rng.choice(demo.JOBS)
            applied_on = response_on = None
            if status != ApplicationStatus.DRAFT:
                applied_on = self.days_ago(rng.randint(3, 90))
            if status in (
                ApplicationStatus.INTERVIEW,
                ApplicationStatus.HIRED,
                ApplicationStatus.REJECTED,
            ):
                response_on = min(applied_on + timedelta(days=rng.randint(4, 21)), self.today)
            result.append(
                ApplicationPlan(
                    employer=rng.choice(employers),
                    position=position,
                    source=self.weighted(
                        {
                            ApplicationSource.FRANCE_TRAVAIL: 3,
                            ApplicationSource.JOB_BOARD: 3,
                            ApplicationSource.COMPANY_SITE: 1,
                            ApplicationSource.SPONTANEOUS: 2,
                            ApplicationSource.NETWORK: 1,
                            ApplicationSource.OTHER: 0.3,
                        }
                    ),
                    status=status,
                    applied_on=applied_on,
                    response_on=response_on,
                    with_cv=rng.random() < 0.7,
                    notes=APPLICATION_NOTES[status],
                )
            )
        return result

    def steps(
        self,
        plan: YoungPersonPlan,
        org_kind: str,
        rhythm: str,
        first: dict | None,
        latest: dict | None,
    ) -> list[StepPlan]:
        rng = self.rng
        needed = suggested_step_codes(SimpleNamespace(**first)) if first else []
        resolved = (
            set(needed) - set(suggested_step_codes(SimpleNamespace(**latest))) if first else set()
        )
        codes = [*needed, "write_cv"]
        if org_kind == OrganizationKind.MISSION_LOCALE and rng.random() < 0.7:
            codes.append("register_france_travail")
        if plan.situation in (Situation.NEET, Situation.JOB_SEEKING) and rng.random() < 0.7:
            codes.append("first_online_application")
        sent = any(a.status != ApplicationStatus.DRAFT for a in plan.applications)
        result = []
        for code in dict.fromkeys(codes):
            if rhythm == "new":
                status = StepStatus.TODO
            elif (
                code in resolved
                or (code in ("write_cv", "upload_cv") and plan.cv)
                or (code == "first_online_application" and sent)
            ):
                status = StepStatus.DONE
            elif code in needed:
                # The latest diagnostic still shows the gap: the step cannot be done yet.
                status = self.weighted(
                    {StepStatus.TODO: 4, StepStatus.IN_PROGRESS: 4, StepStatus.NOT_APPLICABLE: 1}
                )
            else:
                status = self.weighted(
                    {
                        StepStatus.TODO: 3,
                        StepStatus.IN_PROGRESS: 3,
                        StepStatus.DONE: 2,
                        StepStatus.NOT_APPLICABLE: 1,
                    }
                )
            due_date, evidence, roll = None, "", rng.random()
            if rhythm == "new":
                pass
            elif status in OPEN_STEP_STATUSES:
                if roll < 0.35:
                    due_date = self.days_ago(rng.randint(1, 40))  # overdue
                elif roll < 0.85:
                    due_date = self.today + timedelta(days=rng.randint(2, 45))
            elif status == StepStatus.DONE:
                evidence = demo.STEP_EVIDENCE.get(code, "")
                if roll < 0.6:
                    due_date = self.days_ago(rng.randint(5, 60))
            else:
                evidence = rng.choice(
                    ("Pas nécessaire pour le moment.", "Déjà pris en charge par un partenaire.")
                )
            result.append(StepPlan(code=code, status=status, due_date=due_date, evidence=evidence))
        return result


# --- Writing the plan through the services -------------------------------------------------


DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    requires_migrations_checks = True

    @property
    def help(self) -> str:
        # A property so that the text is translated when it is shown (argparse needs a str).
        return _(
            "Create demo organisations, accounts and about 140 young people's files with "
            "diagnostics, steps, follow-ups, applications and PDF CVs. The data are the same "
            "on every run. If the demo organisations already exist, nothing is changed and "
            "nothing is duplicated: to start again, use an empty database (for example after "
            "'manage.py flush'). Refuses to run when DEBUG is off unless --force is given."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_DEMO_PASSWORD,
            help=_("Password of every demo account (default: %(default)s)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even when DEBUG is off (never on a production database)."),
        )

    def handle(self, *args, password: str, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Refusing to create demo data while DEBUG is off: this looks like a "
                    "production setting. Use --force if you really mean it."
                )
            )
        if not password:
            raise CommandError(_("The password cannot be empty."))
        existing = list(
            Organization.objects.filter(name__in=DEMO_ORGANIZATION_NAMES).values_list(
                "name", flat=True
            )
        )
        if existing:
            self.stdout.write(
                _("Demo data already present (%(names)s): nothing was changed.")
                % {"names": ", ".join(sorted(existing))}
            )
            return
        taken = sorted(
            User.objects.filter(username__in=DEMO_USERNAMES)
            .exclude(username=SUPERUSER[0])
            .values_list("username", flat=True)
        )
        if taken:
            raise CommandError(
                _("These accounts already exist, so the demo cannot be created: %(names)s.")
                % {"names": ", ".join(taken)}
            )

        started = time.monotonic()
        self.stored_files: list[tuple] = []
        try:
            # Demo accounts have .invalid addresses: referral notifications go nowhere.
            with (
                override_settings(MAILERS={"default": {"BACKEND": DUMMY_MAIL}}),
                transaction.atomic(),
            ):
                self.seed(password)
        except Exception:
            # Nothing was written to the database: do not leave the CV files behind.
            for storage, name in self.stored_files:
                storage.delete(name)
            raise
        self.summary(password, time.monotonic() - started)

    def seed(self, password: str) -> None:
        today = timezone.localdate()
        planner = Planner(random.Random(SEED), today)
        hashed_password = make_password(password)  # one costly hash for every account

        organizations = {
            key: account_services.organization_create(name=name, kind=kind, territory=territory)
            for key, name, kind, territory in ORGANIZATIONS
        }
        users: dict[str, User] = {}
        for username, first_name, last_name, org_key, role, _files in ACCOUNTS:
            user = self.create_user(username, first_name, last_name, hashed_password)
            account_services.membership_grant(
                user=user, organization=organizations[org_key], role=role
            )
            forget_memberships(user)
            users[username] = user
        username, first_name, last_name = SUPERUSER
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                _("The account %(username)s already exists: left unchanged.")
                % {"username": username}
            )
        else:
            self.create_user(username, first_name, last_name, hashed_password, superuser=True)

        self.step_types = {
            key: {st.code: st for st in step_types_for(org.pk)}
            for key, org in organizations.items()
        }
        files: dict[str, list[YoungPerson]] = {}
        for username, _first, _last, org_key, _role, count in ACCOUNTS:
            organization = organizations[org_key]
            files[username] = [
                self.create_file(
                    planner.young_person(org_key, organization.kind),
                    actor=users[username],
                    organization=organization,
                    org_key=org_key,
                )
                for _index in range(count)
            ]

        # Camille is on leave: the supervisor lets Julien cover two of her files.
        for young_person in [
            yp for yp in files["conseiller.nord"] if yp.status == YoungPersonStatus.ACTIVE
        ][:2]:
            services.delegation_grant(
                actor=users["superviseur.nord"],
                young_person=young_person,
                grantee=users["conseiller2.nord"],
                ends_on=today + timedelta(days=21),
            )
        self.seed_referrals(users, organizations, files)

    def seed_referrals(self, users: dict, organizations: dict, files: dict) -> None:
        """Referrals in every status, from both missions locales."""
        from referrals import services as referrals

        emmaus = next(
            o for o in organizations.values() if o.kind == OrganizationKind.EMMAUS_CONNECT
        )
        partner = next(o for o in organizations.values() if o.kind == OrganizationKind.PARTNER)
        nord, sud = users["conseiller.nord"], users["conseiller.sud"]
        active = {
            username: [yp for yp in people if yp.status == YoungPersonStatus.ACTIVE]
            for username, people in files.items()
        }
        # Keep the first two active files of conseiller.nord free: they are delegated.
        candidates = iter(active["conseiller.nord"][2:])

        def send(actor, young_person, to, reason, sections, message):
            return referrals.referral_send(
                actor=actor,
                young_person=young_person,
                to_organization=to,
                reason=reason,
                message=message,
                shared_sections=sections,
                consent_method="oral",
                consent_given=True,
            )

        identity_diag = ["identity", "diagnostic", "steps"]
        send(
            nord,
            next(candidates),
            emmaus,
            "equipment",
            identity_diag,
            "Pas de smartphone ni d'ordinateur : a besoin d'un équipement reconditionné.",
        )
        send(
            nord,
            next(candidates),
            partner,
            "training",
            ["identity", "applications"],
            "Souhaite une formation aux métiers de la logistique.",
        )
        accepted = send(
            nord,
            next(candidates),
            emmaus,
            "connectivity",
            identity_diag,
            "Forfait épuisé chaque mois : une carte SIM solidaire l'aiderait.",
        )
        referrals.referral_accept(
            actor=users["conseiller.emmaus"], referral=accepted, note="Rendez-vous proposé jeudi."
        )
        referrals.referral_message_post(
            actor=users["conseiller.emmaus"],
            referral=accepted,
            body="Pouvez-vous confirmer son numéro de téléphone ?",
        )
        referrals.referral_message_post(
            actor=nord, referral=accepted, body="Oui, il est à jour dans la fiche partagée."
        )
        completed = send(
            nord,
            next(candidates),
            emmaus,
            "digital_skills",
            identity_diag,
            "Ne sait pas envoyer une pièce jointe.",
        )
        referrals.referral_accept(
            actor=users["superviseur.emmaus"],
            referral=completed,
            handler=users["conseiller.emmaus"],
        )
        referrals.referral_complete(
            actor=users["conseiller.emmaus"],
            referral=completed,
            outcome_code="skills_workshop",
            outcome_note="A suivi trois ateliers « premiers pas ».",
        )
        declined = send(
            nord, next(candidates), partner, "training", ["identity"], "Formation cariste ?"
        )
        referrals.referral_decline(
            actor=users["partenaire.formation"],
            referral=declined,
            reason="no_capacity",
            note="Session complète, rappeler en mars.",
        )
        cancelled = send(nord, next(candidates), partner, "training", ["identity"], "")
        referrals.referral_cancel(actor=nord, referral=cancelled, note="A trouvé un emploi.")
        expired = send(nord, next(candidates), emmaus, "equipment", ["identity"], "")
        referrals.referral_expire(referral=expired)
        send(
            sud,
            active["conseiller.sud"][0],
            emmaus,
            "equipment",
            identity_diag,
            "Téléphone cassé, pas de moyen d'en racheter un.",
        )

    def create_user(
        self,
        username: str,
        first_name: str,
        last_name: str,
        hashed_password: str,
        superuser: bool = False,
    ) -> User:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(
            username=username,
            email=f"{username}@{STAFF_EMAIL_DOMAIN}",
            password=None,
            first_name=first_name,
            last_name=last_name,
        )
        user.password = hashed_password
        user.save(update_fields=["password"])
        return user

    def create_file(
        self, plan: YoungPersonPlan, *, actor: User, organization: Organization, org_key: str
    ) -> YoungPerson:
        young_person = services.young_person_create(
            actor=actor,
            organization=organization,
            first_name=plan.first_name,
            last_name=plan.last_name,
            birth_date=plan.birth_date,
            email=plan.email,
            phone=plan.phone,
            city=plan.city,
            situation=plan.situation,
        )
        for performed_at, answers, notes in plan.diagnostics:
            services.diagnostic_record(
                actor=actor,
                young_person=young_person,
                answers=answers,
                notes=notes,
                performed_at=performed_at,
            )
        for follow_up in plan.follow_ups:
            services.follow_up_create(
                actor=actor,
                young_person=young_person,
                occurred_at=follow_up.occurred_at,
                channel=follow_up.channel,
                duration_minutes=follow_up.duration_minutes,
                notes=follow_up.notes,
                next_action=follow_up.next_action,
                next_appointment=follow_up.next_appointment,
            )

        catalogue = self.step_types[org_key]
        # Steps still to do are added with their due date (one call per date); the others
        # are added without one and then moved to their status.
        groups: dict[date | None, list[StepType]] = {}
        for step_plan in plan.steps:
            due_date = step_plan.due_date if step_plan.status == StepStatus.TODO else None
            groups.setdefault(due_date, []).append(catalogue[step_plan.code])
        for due_date, step_types in groups.items():
            services.steps_add(
                actor=actor, young_person=young_person, step_types=step_types, due_date=due_date
            )
        by_code = {s.step_type.code: s for s in young_person.steps.select_related("step_type")}
        for step_plan in plan.steps:
            if step_plan.status == StepStatus.TODO:
                continue
            services.step_update(
                actor=actor,
                step=by_code[step_plan.code],
                status=step_plan.status,
                due_date=step_plan.due_date,
                evidence=step_plan.evidence,
            )

        cv = None
        if plan.cv:
            pdf = demo.build_cv_pdf(
                first_name=plan.first_name,
                last_name=plan.last_name,
                email=plan.email or plan.email_recorded_later,
                phone=plan.phone,
                city=plan.city,
                **plan.cv,
            )
            file_name = f"CV-{demo.ascii_slug(plan.first_name)}-{demo.ascii_slug(plan.last_name)}"
            cv = services.document_upload(
                actor=actor,
                young_person=young_person,
                kind=DocumentKind.CV,
                title=f"CV {plan.first_name} {plan.last_name}",
                upload=SimpleUploadedFile(
                    name=f"{file_name}.pdf", content=pdf, content_type="application/pdf"
                ),
            )
            self.stored_files.append((cv.file.storage, cv.file.name))
        for application in plan.applications:
            services.application_save(
                actor=actor,
                young_person=young_person,
                employer=application.employer,
                position=application.position,
                source=application.source,
                status=application.status,
                applied_on=application.applied_on,
                response_on=application.response_on,
                cv=cv if application.with_cv else None,
                notes=application.notes,
            )

        changes = {}
        if plan.email_recorded_later:
            changes["email"] = plan.email_recorded_later
        if plan.status != YoungPersonStatus.ACTIVE:
            changes["status"] = plan.status
        if changes:
            young_person = services.young_person_update(
                actor=actor, young_person=young_person, version=young_person.version, **changes
            )
        return young_person

    def summary(self, password: str, seconds: float) -> None:
        orgs = Organization.objects.filter(name__in=DEMO_ORGANIZATION_NAMES)
        people = YoungPerson.objects.filter(organization__in=orgs)
        steps = Step.objects.filter(young_person__in=people)
        follow_ups = FollowUp.objects.filter(young_person__in=people)
        now, today = timezone.now(), timezone.localdate()
        counts = {
            "organizations": orgs.count(),
            "accounts": User.objects.filter(
                Q(memberships__organization__in=orgs) | Q(username=SUPERUSER[0])
            )
            .distinct()
            .count(),
            "young_people": people.count(),
            "without_email": people.filter(email="").count(),
            "paused": people.filter(status=YoungPersonStatus.PAUSED).count(),
            "closed": people.filter(status=YoungPersonStatus.CLOSED).count(),
            "diagnostics": DigitalDiagnostic.objects.filter(young_person__in=people).count(),
            "steps": steps.count(),
            "overdue": steps.filter(status__in=OPEN_STEP_STATUSES, due_date__lt=today).count(),
            "follow_ups": follow_ups.count(),
            "upcoming": people.filter(follow_ups__next_appointment__gte=now).distinct().count(),
            "stale": people.exclude(follow_ups__occurred_at__gte=now - timedelta(days=60)).count(),
            "applications": Application.objects.filter(young_person__in=people).count(),
            "documents": Document.objects.filter(young_person__in=people).count(),
        }
        self.stdout.write(
            self.style.SUCCESS(_("Demo data created in %(seconds).1f s.") % {"seconds": seconds})
        )
        self.stdout.write(
            _(
                "%(organizations)d organisations, %(accounts)d accounts, %(young_people)d "
                "young people (%(without_email)d without an e-mail address, %(paused)d "
                "paused, %(closed)d closed)."
            )
            % counts
        )
        self.stdout.write(
            _(
                "%(diagnostics)d diagnostics, %(steps)d steps (%(overdue)d overdue), "
                "%(follow_ups)d follow-ups (%(upcoming)d files with an upcoming appointment, "
                "%(stale)d without a follow-up for 60 days), %(applications)d applications, "
                "%(documents)d documents."
            )
            % counts
        )
        self.stdout.write(
            _("Log in as %(usernames)s or %(superuser)s with the password “%(password)s”.")
            % {
                "usernames": ", ".join(row[0] for row in ACCOUNTS),
                "superuser": SUPERUSER[0],
                "password": password,
            }
        )
