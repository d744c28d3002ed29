"""System backend through hvac 2.4.0 and raw requests (docs/system.md, docs/http-api.md § Status endpoints)."""

from __future__ import annotations

import re

import pytest
import requests
from hvac import exceptions

from compat_helpers import assert_error, assert_json_content_type, assert_rfc3339

MOUNT_INFO_KEYS = {"type", "description", "accessor", "local", "seal_wrap", "external_entropy_access",
                   "options", "uuid", "plugin_version", "running_plugin_version", "running_sha256", "config"}


def test_dev_mount_table(fresh_server):
    mounts = fresh_server.client().sys.list_mounted_secrets_engines()
    data = mounts["data"]
    assert set(data) == {"sys/", "cubbyhole/", "identity/", "secret/"}
    for path, info in data.items():
        assert MOUNT_INFO_KEYS <= set(info), f"{path} lacks {MOUNT_INFO_KEYS - set(info)}"
        assert mounts[path] == info, "sys/mounts data must be injected at top level"
    assert data["sys/"]["type"] == "system"
    assert data["sys/"]["description"] == "system endpoints used for control, policy and debugging"
    assert data["cubbyhole/"]["type"] == "cubbyhole" and data["cubbyhole/"]["local"] is True
    assert data["identity/"]["type"] == "identity"
    secret = data["secret/"]
    assert secret["type"] == "kv" and secret["options"] == {"version": "2"}
    assert secret["description"] == "key/value secret storage"
    assert re.fullmatch(r"kv_[0-9a-f]{8}", secret["accessor"]), secret["accessor"]
    assert secret["config"]["default_lease_ttl"] == 0 and secret["config"]["max_lease_ttl"] == 0


def test_enable_tune_and_disable_secrets_engine(fresh_server):
    client = fresh_server.client()
    client.sys.enable_secrets_engine("kv", path="tuned", options={"version": "2"}, description="for tuning")
    info = client.sys.list_mounted_secrets_engines()["data"]["tuned/"]
    assert info["description"] == "for tuning"

    tune = client.sys.read_mount_configuration("tuned")["data"]
    assert tune["default_lease_ttl"] == 2764800 and tune["max_lease_ttl"] == 2764800

    response = client.sys.tune_mount_configuration("tuned", default_lease_ttl="1h", max_lease_ttl="2h",
                                                  description="retuned")
    assert response.status_code == 204
    tune = client.sys.read_mount_configuration("tuned")["data"]
    assert tune["default_lease_ttl"] == 3600 and tune["max_lease_ttl"] == 7200
    assert tune["description"] == "retuned"
    listed = client.sys.list_mounted_secrets_engines()["data"]["tuned/"]["config"]
    assert listed["default_lease_ttl"] == 3600 and listed["max_lease_ttl"] == 7200

    with pytest.raises(exceptions.InvalidRequest) as in_use:
        client.sys.enable_secrets_engine("kv", path="tuned", options={"version": "2"})
    assert any("path is already in use at tuned/" in e for e in in_use.value.errors)

    assert client.sys.disable_secrets_engine("tuned").status_code == 204
    assert "tuned/" not in client.sys.list_mounted_secrets_engines()["data"]
    # Disabling what is not mounted is still a 204 (docs/system.md § Secrets engines: `sys/mounts`).
    assert client.sys.disable_secrets_engine("tuned").status_code == 204

    with pytest.raises(exceptions.InvalidRequest) as builtin:
        client.sys.disable_secrets_engine("sys")
    assert any('cannot unmount "sys/"' in e for e in builtin.value.errors)
    with pytest.raises(exceptions.InvalidRequest) as unknown:
        client.sys.enable_secrets_engine("no-such-engine", path="x")
    assert any("plugin not found in the catalog: no-such-engine" in e for e in unknown.value.errors)
    with pytest.raises(exceptions.InvalidRequest) as versioned:
        client.sys.enable_secrets_engine("cubbyhole", path="cub2", options={"version": "2"})
    assert any('does not allow setting a version' in e for e in versioned.value.errors)


def test_auth_methods_list_and_token_mount(fresh_server):
    client = fresh_server.client()
    methods = client.sys.list_auth_methods()
    assert set(methods["data"]) == {"token/"}
    token = methods["data"]["token/"]
    assert methods["token/"] == token, "sys/auth data must be injected at top level"
    assert token["type"] == "token"
    assert token["description"] == "token based credentials"
    assert re.fullmatch(r"auth_token_[0-9a-f]{8}", token["accessor"]), token["accessor"]
    assert token["config"]["token_type"] == "default-service"

    with pytest.raises(exceptions.InvalidRequest) as token_disable:
        client.sys.disable_auth_method("token")
    assert any("token credential backend cannot be disabled" in e for e in token_disable.value.errors)
    with pytest.raises(exceptions.InvalidRequest) as unknown:
        client.sys.enable_auth_method("no-such-method")
    assert any("plugin not found in the catalog: no-such-method" in e for e in unknown.value.errors)
    # Disabling what is not mounted is a 204 (Vault hides whether the mount existed).
    assert client.sys.disable_auth_method("never-mounted").status_code == 204

    tuning = client.sys.read_auth_method_tuning("token")["data"]
    assert tuning["default_lease_ttl"] == 2764800 and tuning["max_lease_ttl"] == 2764800


def test_enable_tune_disable_azure_auth_method(fresh_server):
    client = fresh_server.client()
    assert client.sys.enable_auth_method("azure", path="azure-team", description="team login").status_code == 204
    methods = client.sys.list_auth_methods()["data"]
    assert methods["azure-team/"]["type"] == "azure"
    assert methods["azure-team/"]["description"] == "team login"
    assert re.fullmatch(r"auth_azure_[0-9a-f]{8}", methods["azure-team/"]["accessor"])

    with pytest.raises(exceptions.InvalidRequest) as in_use:
        client.sys.enable_auth_method("azure", path="azure-team")
    assert any("path is already in use at azure-team/" in e for e in in_use.value.errors)

    assert client.sys.tune_auth_method("azure-team", default_lease_ttl="30m", max_lease_ttl="1h").status_code == 204
    tuning = client.sys.read_auth_method_tuning("azure-team")["data"]
    assert tuning["default_lease_ttl"] == 1800 and tuning["max_lease_ttl"] == 3600
    assert tuning["token_type"] == "default-service"

    assert client.sys.disable_auth_method("azure-team").status_code == 204
    assert set(client.sys.list_auth_methods()["data"]) == {"token/"}
    assert client.sys.disable_auth_method("azure-team").status_code == 204


def test_tune_token_auth_mount_changes_default_token_ttl(fresh_server):
    client = fresh_server.client()
    client.sys.tune_auth_method("token", default_lease_ttl="1h", max_lease_ttl="2h")
    created = client.auth.token.create(policies=["default"])
    assert created["auth"]["lease_duration"] == 3600
    capped = client.auth.token.create(policies=["default"], ttl="5h")
    assert capped["auth"]["lease_duration"] == 7200
    assert any("capped accordingly" in w for w in capped["warnings"] or [])


def test_health_head_and_get(server, client):
    head = client.sys.read_health_status()
    assert head.status_code == 200
    assert head.content == b""

    body = client.sys.read_health_status(method="GET")
    assert body["initialized"] is True and body["sealed"] is False and body["standby"] is False
    assert isinstance(body["server_time_utc"], int)
    assert isinstance(body["version"], str) and body["version"]
    assert isinstance(body["cluster_name"], str) and isinstance(body["cluster_id"], str)

    url = f"{server.url}/v1/sys/health"
    raw = requests.get(url, timeout=30)
    assert raw.status_code == 200
    assert_json_content_type(raw)
    assert "request_id" not in raw.json(), "sys/health is raw JSON, not an envelope"

    custom = requests.get(url, params={"activecode": "299"}, timeout=30)
    assert custom.status_code == 299
    assert custom.json()["sealed"] is False
    assert requests.head(url, params={"activecode": "299"}, timeout=30).status_code == 299

    # What the Go client sends, including its misspelled parameter (docs/http-api.md § Status endpoints).
    go_client = requests.get(url, params={"standbycode": "299", "drsecondarycode": "299",
                                          "performancestandbycode": "299", "sealedcode": "299",
                                          "uninitcode": "299", "haunhealhty": "299"}, timeout=30)
    assert go_client.status_code == 200

    via_hvac = client.sys.read_health_status(method="GET", active_code=299, standby_ok=True)
    assert via_hvac.status_code == 299

    assert_error(requests.get(url, params={"activecode": "abc"}, timeout=30), 400, [])
    # A bad token on an unauthenticated endpoint is ignored.
    assert requests.get(url, headers={"X-Vault-Token": "compat-bogus"}, timeout=30).status_code == 200


def test_seal_status_init_and_leader(server, client):
    status = client.sys.read_seal_status()
    # Vault's dev server says "shamir"; Coffer's static-key seal may name itself, clients ignore it.
    assert isinstance(status["type"], str) and status["type"]
    assert status["initialized"] is True and status["sealed"] is False
    assert isinstance(status["t"], int) and isinstance(status["n"], int)
    assert status["progress"] == 0 and status["nonce"] == ""
    assert isinstance(status["version"], str)
    assert isinstance(status["cluster_name"], str) and isinstance(status["cluster_id"], str)
    assert client.sys.is_sealed() is False
    assert client.sys.is_initialized() is True
    assert client.sys.read_init_status() == {"initialized": True}

    leader = client.sys.read_leader_status()
    assert leader["ha_enabled"] is False
    assert isinstance(leader["is_self"], bool)
    assert_rfc3339(leader["active_time"])
    assert isinstance(leader["leader_address"], str)

    assert_error(server.request("DELETE", "sys/seal-status"), 405)


def test_internal_ui_mounts_preflight(fresh_server):
    client = fresh_server.client()
    client.sys.enable_secrets_engine("kv", path="team-kv", options={"version": 2})
    for path, mount in [("secret/creds", "secret/"), ("secret/a/b/c", "secret/"), ("team-kv/x", "team-kv/"),
                        ("secret", "secret/")]:
        response = fresh_server.request("GET", f"sys/internal/ui/mounts/{path}")
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        assert_json_content_type(response)
        data = response.json()["data"]
        assert data["path"] == mount
        assert data["type"] == "kv"
        assert isinstance(data["options"]["version"], str) and data["options"]["version"] == "2"

    token_mount = fresh_server.request("GET", "sys/internal/ui/mounts/auth/token/lookup-self").json()["data"]
    assert token_mount["type"] == "token" and token_mount["path"] == "token/"

    assert_error(fresh_server.request("GET", "sys/internal/ui/mounts/secret/creds", token=""), 403,
                 contains="permission denied")
    assert_error(fresh_server.request("GET", "sys/internal/ui/mounts/nowhere/x"), 403,
                 ['preflight capability check returned 403, please ensure client\'s policies grant access to path "nowhere/x/"'])

    # A token whose policy grants nothing under secret/ gets the same preflight 403.
    client.sys.create_or_update_policy("only-team", 'path "team-kv/data/*" { capabilities = ["read"] }')
    token = client.auth.token.create(policies=["only-team"], ttl="1h")["auth"]["client_token"]
    allowed = fresh_server.request("GET", "sys/internal/ui/mounts/team-kv/x", token=token)
    assert allowed.status_code == 200 and allowed.json()["data"]["path"] == "team-kv/"
    assert_error(fresh_server.request("GET", "sys/internal/ui/mounts/secret/creds", token=token), 403,
                 contains="preflight capability check returned 403")


def test_list_verbs_on_sys_and_token_paths(server):
    for method, params in (("LIST", None), ("GET", {"list": "True"})):
        accessors = server.request(method, "auth/token/accessors", params=params)
        assert accessors.status_code == 200, accessors.text
        assert isinstance(accessors.json()["data"]["keys"], list) and accessors.json()["data"]["keys"]
        policies = server.request(method, "sys/policies/acl", params=params)
        assert "default" in policies.json()["data"]["keys"]


def test_response_headers(server):
    response = server.request("GET", "sys/mounts")
    assert response.headers.get("Cache-Control") == "no-store"
    assert_json_content_type(response)
