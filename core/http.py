"""Who is asking: the client's address, read the same way by the login lockout
(django-axes' AXES_CLIENT_IP_CALLABLE) and by DRF throttling (NUM_PROXIES)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """`REMOTE_ADDR`, unless `TRUSTED_PROXY_COUNT` proxies stand in front of Relais: then
    the address the outermost of them saw, read that many hops from the right of
    `X-Forwarded-For` (what DRF's `get_ident` does with `NUM_PROXIES`).

    With no trusted proxy a forged `X-Forwarded-For` is ignored; with some, the entries a
    client wrote itself are left of the ones the proxies appended, so they are never read.
    A hop that is not an address (a misconfigured proxy) falls back to `REMOTE_ADDR`."""
    remote_addr = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if hops <= 0 or not forwarded:
        return remote_addr
    addresses = forwarded.split(",")
    candidate = addresses[-min(hops, len(addresses))].strip()
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote_addr
    return candidate
