from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from history.context import recording
from history.enums import Channel


def channel_of(request: HttpRequest) -> str:
    # The path decides, never a header the client could forge.
    path = request.path_info
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/admin/"):
        return Channel.ADMIN
    return Channel.WEB


class HistoryMiddleware:
    """Changes made while answering a request are the request user's, through the web
    pages, the API or the Django admin. The user is read lazily, when (and if) an entry
    is written: no query on requests that change nothing, and the API's token user, whom
    DRF authenticates inside the view, is the one recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with recording(channel=channel_of(request), actor=lambda: getattr(request, "user", None)):
            return self.get_response(request)
