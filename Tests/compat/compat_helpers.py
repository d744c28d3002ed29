"""Assertions shared by the compatibility tests.

    from compat_helpers import assert_error, assert_rfc3339
    assert_error(response, 404, [])
"""

from __future__ import annotations

import re
from datetime import datetime

import requests

RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"
)
ENVELOPE_KEYS = {"request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth"}


def assert_rfc3339(value: object) -> datetime:
    """The value is an RFC3339 timestamp string; returns it parsed (fraction cut to microseconds)."""
    assert isinstance(value, str), f"expected an RFC3339 string, got {value!r}"
    assert RFC3339.match(value), f"not RFC3339: {value!r}"
    trimmed = re.sub(r"\.(\d{1,6})\d*", r".\1", value).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed)


def assert_json_content_type(response: requests.Response) -> None:
    # hvac only parses error bodies when the header is exactly this string (docs/http-api.md § Errors).
    assert response.headers.get("Content-Type") == "application/json", (
        f"Content-Type was {response.headers.get('Content-Type')!r} for {response.request.method} "
        f"{response.url} -> {response.status_code}"
    )


def assert_error(response: requests.Response, status: int, errors: list[str] | None = None,
                 contains: str | None = None) -> list[str]:
    """The response is `status` with a `{"errors":[...]}` JSON body; checks exact errors or a substring."""
    assert response.status_code == status, (
        f"{response.request.method} {response.url}: expected {status}, got {response.status_code} {response.text[:500]!r}"
    )
    assert_json_content_type(response)
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("errors"), list), f"not an errors body: {body!r}"
    if errors is not None:
        assert body["errors"] == errors
    if contains is not None:
        assert any(contains in message for message in body["errors"]), f"{contains!r} not in {body['errors']!r}"
    return body["errors"]


def assert_envelope(body: dict) -> None:
    missing = ENVELOPE_KEYS - body.keys()
    assert not missing, f"envelope lacks {sorted(missing)}: {body!r}"
