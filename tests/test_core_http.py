"""core.http.client_ip: the one reading of the client's address, shared by the login
lockout and DRF throttling (NUM_PROXIES from the same TRUSTED_PROXY_COUNT)."""

import pytest
from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from core.http import client_ip

CASES = [
    # trusted proxies, X-Forwarded-For, expected client
    (0, None, "192.0.2.1"),
    (0, "10.0.0.1", "192.0.2.1"),
    (0, "10.0.0.1, 10.0.0.2", "192.0.2.1"),
    (1, None, "192.0.2.1"),
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
    (1, " 6.6.6.6 ,203.0.113.5 ", "203.0.113.5"),
    (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
    (2, "203.0.113.5", "203.0.113.5"),
    (1, "2001:db8::1", "2001:db8::1"),
]


def make_request(forwarded: str | None):
    extra = {"REMOTE_ADDR": "192.0.2.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


@pytest.mark.parametrize(("hops", "forwarded", "expected"), CASES)
def test_client_ip_reads_only_trusted_hops(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops

    assert client_ip(make_request(forwarded)) == expected


@pytest.mark.parametrize(("hops", "forwarded", "expected"), CASES)
def test_drf_throttling_identifies_the_same_client(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": hops}

    assert SimpleRateThrottle.get_ident(None, make_request(forwarded)) == expected


def test_a_hop_that_is_not_an_address_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(make_request("not-an-ip")) == "192.0.2.1"


def test_the_settings_read_one_variable():
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.http.client_ip"
