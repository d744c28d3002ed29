"""Error shapes and bad input (docs/http-api.md): every refusal is JSON, changes nothing, and the
server keeps serving afterwards."""

from __future__ import annotations

import http.client
import json
import socket
import threading

import pytest
import requests

from compat_helpers import assert_error, assert_json_content_type
from conftest import CofferProcess

CANARY = "canary/value"


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    process = CofferProcess.dev(tmp_path_factory.mktemp("errors"))
    process.request("POST", f"secret/data/{CANARY}", json={"data": {"v": "unchanged"}}).raise_for_status()
    yield process
    process.stop()


def snapshot(server: CofferProcess) -> dict:
    def data(method: str, path: str, **kwargs) -> object:
        response = server.request(method, path, **kwargs)
        return response.status_code, response.json().get("data") if response.content else None

    return {
        "mounts": sorted(server.request("GET", "sys/mounts").json()["data"]),
        "auth": sorted(server.request("GET", "sys/auth").json()["data"]),
        "policies": data("GET", "sys/policy"),
        "keys": data("LIST", "secret/metadata"),
        "canary": server.request("GET", f"secret/data/{CANARY}").json()["data"],
        "accessors": len(server.request("LIST", "auth/token/accessors").json()["data"]["keys"]),
    }


@pytest.fixture(autouse=True)
def unchanged(target):
    """Every test in this module sends only bad input: state must be identical afterwards."""
    before = snapshot(target)
    yield
    health = requests.get(f"{target.url}/v1/sys/health", timeout=30)
    assert health.status_code == 200, "server stopped serving"
    assert snapshot(target) == before


def test_unknown_mount_is_404_no_handler(target):
    assert_error(target.request("GET", "nosuch/path"), 404,
                 ['no handler for route "nosuch/path". route entry not found.'])


def test_unknown_path_inside_backend_is_404(target):
    assert_error(target.request("GET", "sys/no-such-endpoint"), 404, contains="unsupported path")
    assert_error(target.request("GET", "auth/token/no-such-endpoint"), 404, contains="unsupported path")


def test_paths_outside_v1_are_404(target):
    response = requests.get(f"{target.url}/v2/secret/data/x", timeout=30)
    assert_error(response, 404, [])


def test_unsupported_operation_is_405(target):
    assert_error(target.request("DELETE", "auth/token/lookup-self"), 405, contains="unsupported operation")


def test_unknown_http_method_is_405(target):
    assert_error(target.request("BREW", "secret/data/x"), 405, [])


def test_malformed_json_is_400(target):
    for body in ('{"data": {"v": "changed"', "not json", "[1,2]", '"scalar"', "42"):
        response = target.request("POST", f"secret/data/{CANARY}", data=body,
                                  headers={"Content-Type": "application/json"})
        assert_error(response, 400, ["error parsing JSON"])
    response = target.request("POST", "sys/mounts/fromjunk", data="{type:kv}")
    assert_error(response, 400, ["error parsing JSON"])


def test_wrong_field_types_are_400(target):
    cases = [
        ("POST", f"secret/data/{CANARY}", {"data": "not-an-object"}),
        ("POST", f"secret/data/{CANARY}", {"data": {"v": "x"}, "options": {"cas": "NaN"}}),
        ("POST", f"secret/delete/{CANARY}", {"versions": "one,two"}),
        ("POST", f"secret/metadata/{CANARY}", {"max_versions": "many"}),
        ("POST", "auth/token/create", {"ttl": "forever"}),
        ("POST", "auth/token/create", {"num_uses": "abc"}),
        ("POST", "auth/token/create", {"ttl": "-5s"}),
        ("POST", "sys/mounts/typed-ttl", {"type": "kv", "config": {"default_lease_ttl": "soon"}}),
        ("POST", "sys/mounts/typed-config", {"type": "kv", "config": "not-a-map"}),
        ("POST", "sys/mounts/typed-options", {"type": "kv", "options": ["version", "2"]}),
        ("POST", "sys/mounts/typed-empty", {}),
        ("POST", "sys/auth/typed-empty", {"type": ""}),
        ("POST", "sys/capabilities-self", {"paths": {"a": 1}}),
    ]
    deviations = []
    for method, path, body in cases:
        response = target.request(method, path, json=body)
        ok = (response.status_code == 400
              and response.headers.get("Content-Type") == "application/json"
              and isinstance(response.json().get("errors"), list) and response.json()["errors"])
        if not ok:
            deviations.append(f"{method} {path} {json.dumps(body)} -> {response.status_code} {response.text[:200]!r}")
        if response.status_code < 300 and path.startswith(("sys/mounts/", "sys/auth/")):
            target.request("DELETE", path)  # keep the state check below meaningful for the next cases
    assert not deviations, "wrong field types not refused with 400:\n" + "\n".join(deviations)


def test_bad_policy_text_is_400(target):
    for text in ('path "secret/*" { capabilities = ["read"', 'path "x" { capabilities = ["teleport"] }',
                 'unknown_key = 1', ""):
        response = target.request("PUT", "sys/policy/broken", json={"policy": text})
        errors = assert_error(response, 400)
        if text:
            assert errors[0].startswith("failed to parse policy"), errors
        else:
            assert errors == ["'policy' parameter not supplied or empty"]
    assert_error(target.request("PUT", "sys/policy/root", json={"policy": 'path "x" { capabilities = ["read"] }'}),
                 400, contains='cannot update "root" policy')
    assert_error(target.request("DELETE", "sys/policy/default"), 400, contains="cannot delete default policy")


def test_huge_body_is_413(target):
    size = 32 * 1024 * 1024 + 1024
    status, body, content_type = send_large_body(target, f"/v1/secret/data/{CANARY}", size)
    assert status == 413, f"expected 413, got {status}"
    assert content_type == "application/json"
    assert json.loads(body) == {"errors": ["error parsing JSON"]}


def send_large_body(server: CofferProcess, path: str, size: int) -> tuple[int, bytes, str]:
    """Sends `size` bytes of JSON-ish body on a raw socket while reading the reply concurrently,
    because a server may answer 413 before the body has been fully sent."""
    host, port = server.address.split(":")
    sock = socket.create_connection((host, int(port)), timeout=60)
    head = (f"POST {path} HTTP/1.1\r\nHost: {server.address}\r\nX-Vault-Token: {server.root_token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n").encode()
    chunk = b'{"data":{"v":"' + b"x" * (1024 * 1024)

    def sender() -> None:
        try:
            sock.sendall(head)
            sent = 0
            while sent < size:
                part = chunk[: min(len(chunk), size - sent)]
                sock.sendall(part)
                sent += len(part)
        except OSError:
            pass  # the server stopped reading after answering; the reply is still read below

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    received = b""
    try:
        while True:
            part = sock.recv(65536)
            if not part:
                break
            received += part
            if b"\r\n\r\n" in received:
                header_blob, _, rest = received.partition(b"\r\n\r\n")
                length = _content_length(header_blob)
                if length is not None and len(rest) >= length:
                    break
    except OSError:
        pass
    finally:
        sock.close()
        thread.join(timeout=60)
    assert received, "connection closed without any HTTP response"
    header_blob, _, rest = received.partition(b"\r\n\r\n")
    lines = header_blob.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    length = _content_length(header_blob)
    return status, rest[:length] if length is not None else rest, headers.get("content-type", "")


def _content_length(header_blob: bytes) -> int | None:
    for line in header_blob.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value.strip())
    return None


def test_empty_and_null_bodies(target):
    assert_error(target.request("POST", f"secret/data/{CANARY}", data=b""), 400, ["no data provided"])
    assert_error(target.request("POST", f"secret/data/{CANARY}", data=b"null"), 400, ["no data provided"])
    assert_error(target.request("POST", "sys/capabilities-self", data=b""), 400, contains="paths must be supplied")
    assert_error(target.request("POST", "sys/policy/emptybody", data=b""), 400,
                 ["'policy' parameter not supplied or empty"])


def test_body_without_content_type_is_parsed_as_json(target):
    # Go clients send JSON without Content-Type (docs/http-api.md § Request headers); a bad cas proves the
    # body was read.
    response = requests.post(f"{target.url}/v1/secret/data/{CANARY}",
                             data=b'{"data":{"v":"changed"},"options":{"cas":99}}',
                             headers={"X-Vault-Token": target.root_token}, timeout=30)
    assert "Content-Type" not in response.request.headers
    assert_error(response, 400, ["check-and-set parameter did not match the current version"])


def test_writes_to_trailing_slash_and_parent_references(target):
    assert_error(target.request("POST", "secret/data/canary/", json={"data": {"v": "x"}}), 400,
                 ["cannot write to a path ending in '/'"])
    # http.client sends the path verbatim; `requests` would remove the dot segments itself.
    connection = http.client.HTTPConnection(target.address, timeout=30)
    connection.request("GET", "/v1/secret/data/a/../canary/value", headers={"X-Vault-Token": target.root_token})
    raw = connection.getresponse()
    raw.read()
    connection.close()
    assert raw.status in (301, 400), f"parent reference accepted with {raw.status}"


def test_invalid_tokens_are_403_with_invalid_token(target):
    for token in ("compat-unknown-token", "hvs.AAAAAAAAAAAAAAAAAAAAAAAA"):
        response = target.request("GET", f"secret/data/{CANARY}", token=token)
        errors = assert_error(response, 403)
        joined = " ".join(errors)
        assert "permission denied" in joined and "invalid token" in joined, errors


def test_every_error_is_json(target):
    responses = [
        target.request("GET", "nosuch/x"),
        target.request("GET", "secret/data/never-there"),
        target.request("GET", "sys/mounts", token=""),
        target.request("POST", f"secret/data/{CANARY}", data="{"),
        target.request("GET", "sys/policy/never-there"),
        target.request("LIST", "secret/metadata/never-there"),
    ]
    for response in responses:
        where = f"{response.request.method} {response.url} -> {response.status_code} {response.text[:200]!r}"
        assert response.status_code >= 400, where
        assert_json_content_type(response)
        assert isinstance(response.json()["errors"], list), where
        assert response.headers.get("Cache-Control") == "no-store", where
