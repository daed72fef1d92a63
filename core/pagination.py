"""What paginated lists share."""

from django.http import HttpRequest


def querystring_without_page(request: HttpRequest) -> str:
    """The list's query string for its page links: the filters, never the page itself."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
