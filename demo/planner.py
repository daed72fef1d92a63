"""Draws every demo file's story from one seeded generator: who, when, what, in which order.

No database access: the planner only returns plans (`demo.plans`), so the same seed and the
same day always give the same people and records (tests/demo checks it without a database).
"""

import random
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import pairwise
from types import SimpleNamespace

from django.utils import timezone

from accounts.enums import OrganizationKind
from cases.diagnostics import suggested_step_codes
from cases.enums import (
    OPEN_STEP_STATUSES,
    ApplicationSource,
    ApplicationStatus,
    FollowUpChannel,
    Situation,
    StepStatus,
    YoungPersonStatus,
)
from demo import data
from demo.documents import CvExperience
from demo.plans import (
    APPLICATION_STATUS_WEIGHTS,
    CHANNEL_WEIGHTS,
    CV_PROBABILITY,
    HISTORY_DAYS,
    PROFILE_WEIGHTS,
    PROFILES,
    PROGRESS,
    QUESTIONS,
    SITUATION_WEIGHTS,
    ApplicationPlan,
    FollowUpPlan,
    StepPlan,
    YoungPersonPlan,
)


class Planner:
    """Draws every young person's story from one seeded generator, in a fixed order."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        names = [(first, last) for first in data.FIRST_NAMES for last in data.LAST_NAMES]
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
            f"{data.ascii_slug(first_name, '.')}.{data.ascii_slug(last_name, '.')}".lower()
            + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
            + f"@{data.YOUNG_PERSON_EMAIL_DOMAIN}"
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
            city=rng.choice(data.CITIES[org_key]),
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
                else rng.choice(data.CLOSING_NOTES)
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
            [newest, *rng.sample(range(newest + 4, HISTORY_DAYS + 1), count - 1)],
            reverse=True,
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
                    notes=rng.choice(data.FOLLOW_UP_NOTES),
                    next_action=rng.choice(data.NEXT_ACTIONS),
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
            CvExperience(
                period=period.format(y=year - rng.randint(1, 4)),
                role=role,
                place=place.format(city=plan.city),
            )
            for period, role, place in rng.sample(data.EXPERIENCES, rng.randint(1, 3))
        ]
        return {
            "headline": rng.choice(data.JOBS)[0],
            "experiences": experiences,
            "education": rng.sample(data.EDUCATION, rng.randint(1, 2)),
            "skills": rng.sample(data.SKILLS, rng.randint(3, 4)),
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
            position, employers = rng.choice(data.JOBS)
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
                    notes=data.APPLICATION_NOTES[status],
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
                evidence = data.STEP_EVIDENCE.get(code, "")
                if roll < 0.6:
                    due_date = self.days_ago(rng.randint(5, 60))
            else:
                evidence = rng.choice(
                    ("Pas nécessaire pour le moment.", "Déjà pris en charge par un partenaire.")
                )
            result.append(StepPlan(code=code, status=status, due_date=due_date, evidence=evidence))
        return result
