"""Password reset requests, counted per client address and per email address in Django's
cache (fixed windows): beyond the limits the request is answered as usual but no email
leaves, so the page says nothing about which accounts exist."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.http import client_ip

logger = logging.getLogger("relais.security")


def _count(key: str, *, period: int) -> int:
    """One more hit on `key`; the number of hits in the current window."""
    cache.add(key, 0, timeout=period)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=period)
        return 1


def _digest(value: str) -> str:
    # Fixed-length keys that any cache backend accepts and that hold no address in clear.
    return hashlib.sha256(value.encode()).hexdigest()


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Counts this request against both limits; False when either is exceeded."""
    period = settings.PASSWORD_RESET_LIMIT_PERIOD
    ip = client_ip(request) or "unknown"
    per_ip = _count(f"password-reset:ip:{_digest(ip)}", period=period)
    per_email = _count(f"password-reset:email:{_digest(email.strip().lower())}", period=period)
    if per_ip > settings.PASSWORD_RESET_LIMIT_PER_IP:
        logger.warning("Password reset refused: too many requests from %s.", ip)
        return False
    if per_email > settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
        logger.warning(
            "Password reset refused: too many requests for one email address (from %s).", ip
        )
        return False
    return True
