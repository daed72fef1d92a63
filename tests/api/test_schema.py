"""The contract: an OpenAPI 3 schema and interactive docs served by Relais itself (no CDN),
covering every /api/v1 operation with its error answers, and valid without a warning.
Outside DEBUG they are for signed-in users and tokens only (tests/test_deploy_settings.py
tries the anonymous side)."""

import io
import json
import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver

from config import api_urls
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _api_paths(patterns, prefix: str = "") -> set[str]:
    """Every URL of config/api_urls.py, written the OpenAPI way ({id} for a primary key)."""
    paths = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            paths |= _api_paths(entry.url_patterns, prefix + str(entry.pattern))
            continue
        assert isinstance(entry, URLPattern)
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if "(?P<format>" in route or entry.name == "api-root":
            continue  # ".json" suffixes and the browsable root are not operations
        route = GROUP.sub(lambda m: "{id}" if m[1] == "pk" else "{" + m[1] + "}", route)
        paths.add("/api/v1/" + route.replace("^", ""))
    return paths


@pytest.fixture
def client() -> Client:
    """A signed-in advisor: outside DEBUG the schema and the docs need a login."""
    client = Client()
    client.force_login(member(OrganizationFactory()))
    return client


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_openapi_3_yaml_for_any_signed_in_user(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Relais API"


def test_every_api_url_is_in_the_schema(schema):
    expected = _api_paths(api_urls.urlpatterns)

    assert len(expected) >= 25
    assert set(schema["paths"]) == expected


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            label = f"{method.upper()} {path}"
            assert "429" in responses, label
            if not (path == "/api/v1/auth/token/" and method == "post"):
                assert "401" in responses, label
                assert "WWW-Authenticate" in responses["401"]["headers"], label
            if "{" in path:
                assert "404" in responses, label
            if method in ("post", "patch"):
                assert "400" in responses, label
            for code, answer in responses.items():
                if code.startswith("4"):
                    content = answer["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/Error"}, (label, code)


def test_posts_take_an_idempotency_key(schema):
    for path, operations in schema["paths"].items():
        if "post" not in operations or path == "/api/v1/auth/token/":
            continue
        operation = operations["post"]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert "422" in operation["responses"], path
        assert "409" in operation["responses"], path


def test_optimistic_locking_is_in_the_contract(schema):
    detail = schema["paths"]["/api/v1/young-people/{id}/"]

    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    patch = detail["patch"]
    assert {"409", "412"} <= set(patch["responses"])
    assert "If-Match" in {p["name"] for p in patch["parameters"]}


def test_lists_of_one_referral_are_plain_arrays(schema):
    for path in ("/api/v1/referrals/{id}/events/", "/api/v1/referrals/{id}/messages/"):
        answer = schema["paths"][path]["get"]["responses"]["200"]
        assert answer["content"]["application/json"]["schema"]["type"] == "array"
        assert [p["name"] for p in schema["paths"][path]["get"]["parameters"]] == ["id"]


def test_id_filters_are_bounded_integers(schema):
    parameters = schema["paths"]["/api/v1/young-people/"]["get"]["parameters"]
    referent = next(p for p in parameters if p["name"] == "referent")

    assert referent["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_downloads_declare_the_document_types(schema):
    for path in (
        "/api/v1/documents/{id}/download/",
        "/api/v1/referrals/{id}/shared-file/documents/{document_id}/",
    ):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/pdf", "image/png", "image/jpeg"} <= set(content), path


def test_the_docs_are_served_by_relais_without_any_cdn(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert not EXTERNAL.search(html), html
    assets = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert "/api/docs/?script=" in assets
    static = [a for a in assets if a.startswith("/static/")]
    assert any(a.endswith("swagger-ui-bundle.js") for a in static)
    assert any(a.endswith("swagger-ui.css") for a in static)
    for asset in static:
        assert "drf_spectacular_sidecar" in asset
        assert finders.find(asset.removeprefix("/static/")), asset
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert not re.search(r"https?://", script.content.decode())


def test_the_schema_validates_without_any_warning(tmp_path):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=out,
        stderr=err,
    )

    assert err.getvalue() == ""
    assert "Warning" not in out.getvalue()
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]


def test_path_ids_are_integers(schema):
    # The URLs take any segment (a malformed id gets a JSON 404, not Django's HTML page),
    # but the contract says what a valid id is.
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["type"] == "integer", (path, parameter)
