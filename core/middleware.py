import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

from core.database import is_database_busy

logger = logging.getLogger(__name__)


class DatabaseBusyMiddleware:
    """A write that could not get the database in time answers a 409 page asking to try
    again, not a 500. The page is rendered without the request's context processors: they
    would query the busy database again."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        return HttpResponse(loader.render_to_string("409.html"), status=409)
