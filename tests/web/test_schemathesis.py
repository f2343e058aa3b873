"""Property-based API tests generated from the app's own OpenAPI schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from rotation.web import create_app


@pytest.fixture(scope="module")
def api_schema(store_path, thesis_dir):
    app = create_app(store_path, thesis_dir=thesis_dir)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


class TestSchema:
    def test_every_endpoint_is_documented_with_error_models(self, api_schema):
        raw = api_schema.raw_schema
        paths = raw["paths"]
        expected = {
            "/api/health",
            "/api/coverage",
            "/api/thesis/status",
            "/api/thesis/history",
            "/api/indicators/{name}",
            "/api/regimes",
            "/api/backtest",
            "/api/risk",
            "/api/sections/{section_id}",
            "/api/report",
            "/api/data/update",
        }
        assert expected <= set(paths)
        for path, ops in paths.items():
            for op in ops.values():
                if path != "/api/health":
                    assert "422" in op["responses"], path
        # Pages are HTML, not part of the JSON API.
        assert "/" not in paths and "/section/{section_id}" not in paths


OPERATIONS = [
    ("GET", "/api/health"),
    ("GET", "/api/coverage"),
    ("GET", "/api/thesis/status"),
    ("GET", "/api/thesis/history"),
    ("GET", "/api/indicators/{name}"),
    ("GET", "/api/regimes"),
    ("GET", "/api/backtest"),
    ("GET", "/api/risk"),
    ("GET", "/api/sections/{section_id}"),
    ("GET", "/api/report"),
    ("POST", "/api/data/update"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_errors_on_generated_input(api_schema, method, path):
    """Generated requests (valid and invalid) never get a 500 or a trace."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        response = case.call()
        assert response.status_code < 500 or response.status_code == 503, response.text
        assert "Traceback" not in response.text
        # Every other built-in check runs (status codes, content types,
        # response schemas, negative data rejected). positive_data_acceptance
        # is left out: a schema-valid as_of or symbol may still lie outside
        # the store's range or list, which is a documented 4xx, not a bug.
        case.validate_response(
            response, excluded_checks=[schemathesis.checks.positive_data_acceptance]
        )

    check()
