"""Password reset requests are limited per client address (5 an hour) and per email
address (3 an hour); beyond, the page answers exactly as before but no email leaves, and
whether an account exists is never told."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")


@pytest.fixture
def org():
    return OrganizationFactory()


def request_reset(client: Client, email: str):
    return client.post(RESET, {"email": email})


def test_three_requests_an_hour_per_email_address(org, caplog):
    member(org, Role.ADVISOR, email="camille@example.org")
    # From three different clients: the per-address limit is not what stops the fourth.
    answers = [
        request_reset(Client(REMOTE_ADDR=f"203.0.113.{n}"), "Camille@example.org ")
        for n in range(4)
    ]

    assert [(a.status_code, a.url) for a in answers] == [(302, DONE)] * 4
    assert len(mail.outbox) == 3
    assert "too many requests for one email address" in caplog.text
    assert "camille@example.org" not in caplog.text.lower()


def test_five_requests_an_hour_per_client(org, caplog):
    emails = [f"user{n}@example.org" for n in range(7)]
    for email in emails:
        member(org, Role.ADVISOR, email=email)
    client = Client(REMOTE_ADDR="198.51.100.66")

    answers = [request_reset(client, email) for email in emails[:6]]

    assert [(a.status_code, a.url) for a in answers] == [(302, DONE)] * 6
    assert sorted(m.to[0] for m in mail.outbox) == emails[:5]
    assert "too many requests from 198.51.100.66" in caplog.text
    # Another client is not held back by this one.
    request_reset(Client(REMOTE_ADDR="203.0.113.20"), emails[6])
    assert mail.outbox[-1].to == [emails[6]]


def test_a_forged_x_forwarded_for_does_not_reset_the_count(org):
    member(org, Role.ADVISOR, email="camille@example.org")
    client = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(6):
        client.post(RESET, {"email": f"nobody{n}@example.org"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    request_reset(client, "camille@example.org")

    assert mail.outbox == []


def test_the_answer_is_the_same_whether_the_account_exists_or_not(org, caplog):
    caplog.set_level(logging.WARNING, logger="relais.security")
    member(org, Role.ADVISOR, email="camille@example.org")
    known, unknown = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")

    for _ in range(5):  # within and beyond the per-email limit
        a = request_reset(known, "camille@example.org")
        b = request_reset(unknown, "personne@example.org")
        assert (a.status_code, a.url) == (b.status_code, b.url) == (302, DONE)
        assert known.get(a.url).content == unknown.get(b.url).content

    assert len(mail.outbox) == 3
