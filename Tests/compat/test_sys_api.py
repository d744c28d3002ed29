"""Leases, remount, tune rules and the OpenAPI document through hvac 2.4.0, the CLI and raw requests
(docs/leases.md, docs/system.md § Moving a mount and § Tuning, docs/openapi.md)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from hvac import exceptions
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from compat_helpers import assert_error, assert_rfc3339
from conftest import coffer_binary, unique


def login_userpass(server, mount: str, user: str) -> str:
    client = server.client(token="")
    return client.auth.userpass.login(user, "pw-" + user, mount_point=mount)["auth"]["client_token"]


def token_alive(server, token: str) -> bool:
    return server.request("GET", "auth/token/lookup-self", token=token).status_code == 200


def test_move_backend_keeps_data(fresh_server):
    client = fresh_server.client()
    client.sys.enable_secrets_engine("kv", path="before", options={"version": "2"})
    client.secrets.kv.v2.create_or_update_secret("app", {"pw": "s3cr3t"}, mount_point="before")
    body = client.sys.move_backend("before", "after")
    migration = body["data"]["migration_id"]
    assert body["migration_id"] == migration, "sys/remount data is injected at top level"
    mounts = client.sys.list_mounted_secrets_engines()["data"]
    assert "after/" in mounts and "before/" not in mounts
    assert client.secrets.kv.v2.read_secret_version("app", mount_point="after")["data"]["data"] == {"pw": "s3cr3t"}
    status = fresh_server.request("GET", f"sys/remount/status/{migration}").json()["data"]
    assert status == {"migration_id": migration, "migration_info": {
        "source_mount": "before/", "target_mount": "after/", "status": "success"}}
    assert fresh_server.request("GET", "sys/remount/status/unknown").status_code == 404


def test_remount_errors(fresh_server):
    fresh_server.client().sys.enable_secrets_engine("kv", path="busy", options={"version": "2"})
    for body, message in [
        ({"from": "secret"}, "both 'from' and 'to' path must be specified as a string"),
        ({"from": "secret", "to": "busy"}, 'path already in use at "busy/"'),
        ({"from": "secret", "to": "secret"}, 'path already in use at "secret/"'),
        ({"from": "missing", "to": "x"}, 'no matching mount at "missing/"'),
        ({"from": "sys", "to": "x"}, 'cannot remount "sys/"'),
        ({"from": "auth/token", "to": "auth/t"}, 'cannot remount "auth/token/"'),
        ({"from": "secret", "to": "a//b"}, "invalid destination mount: path 'a//b/' does not match cleaned path 'a/b/'"),
    ]:
        assert_error(fresh_server.request("POST", "sys/remount", json=body), 400, [message])
    assert "secret/" in fresh_server.client().sys.list_mounted_secrets_engines()["data"]


def test_auth_move_revokes_its_tokens_and_logins_continue(fresh_server):
    client = fresh_server.client()
    client.sys.enable_auth_method("userpass", path="people")
    client.auth.userpass.create_or_update_user("alice", "pw-alice", mount_point="people")
    token = login_userpass(fresh_server, "people", "alice")
    assert client.sys.move_backend("auth/people", "auth/staff")["data"]["migration_id"]
    assert not token_alive(fresh_server, token), "leases under a moved mount are revoked"
    fresh = login_userpass(fresh_server, "staff", "alice")
    assert token_alive(fresh_server, fresh)
    assert_error(fresh_server.request("POST", "sys/remount", json={"from": "auth/staff", "to": "plain"}), 400,
                 ['cannot remount auth mount to non-auth mount "plain/"'])


def test_token_leases_lookup_renew_revoke(fresh_server):
    client = fresh_server.client()
    client.sys.enable_auth_method("userpass")
    client.auth.userpass.create_or_update_user("alice", "pw-alice")
    token = login_userpass(fresh_server, "userpass", "alice")
    keys = client.sys.list_leases("auth/userpass/login/alice")["data"]["keys"]
    assert len(keys) == 1 and keys[0].startswith("h") and len(keys[0]) == 65
    assert client.sys.list_leases("auth/userpass/")["data"]["keys"] == ["login/"]
    lease_id = "auth/userpass/login/alice/" + keys[0]
    lease = client.sys.read_lease(lease_id)["data"]
    assert lease["id"] == lease_id and lease["renewable"] is True and lease["last_renewal"] is None
    assert 0 < lease["ttl"] <= 2764800
    assert_rfc3339(lease["issue_time"])
    assert_rfc3339(lease["expire_time"])
    with pytest.raises(exceptions.InvalidRequest, match="tokens cannot be renewed through this endpoint"):
        client.sys.renew_lease(lease_id, increment=60)
    with pytest.raises(exceptions.InvalidRequest, match="invalid lease"):
        client.sys.read_lease("auth/userpass/login/alice/h" + "0" * 64)
    with pytest.raises(exceptions.InvalidRequest, match="lease not found"):
        client.sys.renew_lease("auth/userpass/login/alice/h" + "0" * 64)
    assert_error(fresh_server.request("PUT", "sys/leases/lookup", json={}), 400, ["lease_id must be specified"])
    assert client.sys.revoke_lease(lease_id).status_code == 204
    assert not token_alive(fresh_server, token)
    with pytest.raises(exceptions.InvalidRequest, match="invalid lease"):
        client.sys.read_lease(lease_id)
    tidy = fresh_server.request("POST", "sys/leases/tidy")
    assert tidy.status_code == 202 and tidy.json()["warnings"] == [
        "Tidy operation successfully started. Any information from the operation will be printed to Vault's "
        "server logs."]


def test_revoke_prefix_revokes_every_token_of_an_auth_mount(fresh_server):
    client = fresh_server.client()
    for mount in ("team", "other"):
        client.sys.enable_auth_method("userpass", path=mount)
    client.sys.create_or_update_policy("creator", 'path "auth/token/create" { capabilities = ["update"] }')
    tokens = []
    for user in ("alice", "bob", "carol"):
        client.auth.userpass.create_or_update_user(user, "pw-" + user, policies=["creator"], mount_point="team")
        tokens.append(login_userpass(fresh_server, "team", user))
        tokens.append(login_userpass(fresh_server, "team", user))
    client.auth.userpass.create_or_update_user("dave", "pw-dave", mount_point="other")
    survivor = login_userpass(fresh_server, "other", "dave")
    # A child of a team token goes with it.
    child = fresh_server.client(token=tokens[0]).auth.token.create(ttl="1h")["auth"]["client_token"]
    assert client.sys.revoke_prefix("auth/team/login/alice").status_code == 204
    assert not token_alive(fresh_server, tokens[0]) and not token_alive(fresh_server, tokens[1])
    assert not token_alive(fresh_server, child)
    assert token_alive(fresh_server, tokens[2])
    assert client.sys.revoke_prefix("auth/team").status_code == 204
    assert not any(token_alive(fresh_server, t) for t in tokens)
    assert token_alive(fresh_server, survivor)
    with pytest.raises(exceptions.InvalidPath):
        client.sys.list_leases("auth/team/")
    assert client.sys.revoke_force("auth/other").status_code == 204
    assert not token_alive(fresh_server, survivor)
    assert token_alive(fresh_server, fresh_server.root_token), "the root token has no lease"
    # Root-protected: a token without sudo is refused.
    client.sys.create_or_update_policy("leases", 'path "sys/leases/*" { capabilities = ["update", "list"] }')
    limited = client.auth.token.create(policies=["leases"])["auth"]["client_token"]
    assert_error(fresh_server.request("PUT", "sys/leases/revoke-prefix/auth/team", token=limited), 403)


def test_tune_max_lease_ttl_rules(fresh_server):
    client = fresh_server.client()
    client.sys.enable_auth_method("userpass", path="long")
    # Above the system max (768h) is accepted, and the mount's own max applies.
    assert client.sys.tune_auth_method("long", max_lease_ttl="9000h").status_code == 204
    assert client.sys.read_auth_method_tuning("long")["data"]["max_lease_ttl"] == 32400000
    client.sys.enable_secrets_engine("kv", path="tuned", options={"version": "2"})
    with pytest.raises(exceptions.InvalidRequest,
                       match="backend max lease TTL of 3600 would be less than backend default lease TTL of 7200"):
        client.sys.tune_mount_configuration("tuned", default_lease_ttl="2h", max_lease_ttl="1h")
    with pytest.raises(exceptions.InvalidRequest,
                       match="new backend default lease TTL of 3600000 greater than system max lease TTL of 2764800"):
        client.sys.tune_mount_configuration("tuned", default_lease_ttl="1000h")
    tuning = client.sys.read_mount_configuration("tuned")["data"]
    assert tuning["default_lease_ttl"] == 2764800 and tuning["max_lease_ttl"] == 2764800


def test_openapi_document_validates(fresh_server, tmp_path):
    client = fresh_server.client()
    client.sys.enable_auth_method("userpass")
    client.sys.enable_secrets_engine("kv", path="v1kv", options={"version": "1"})
    response = fresh_server.request("GET", "sys/internal/specs/openapi")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.0") and "request_id" not in document
    paths = document["paths"]
    for expected in ("/secret/data/{path}", "/auth/userpass/login/{username}", "/sys/remount",
                     "/sys/leases/revoke-prefix/{prefix}", "/auth/token/create", "/v1kv/{path}"):
        assert expected in paths, f"{expected} missing from {sorted(paths)[:20]}…"
    login = paths["/auth/userpass/login/{username}"]
    assert login.get("x-vault-unauthenticated") is True
    assert "password" in login["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    spec, _ = read_from_filename(str(path))
    validate(spec)  # raises OpenAPIValidationError when the document is not valid OpenAPI 3
    generic = fresh_server.request("GET", "sys/internal/specs/openapi?generic_mount_paths=true").json()
    assert "/auth/{userpass_mount_path}/login/{username}" in generic["paths"]
    assert "/{kv_v2_mount_path}/data/{path}" in generic["paths"] and "/sys/remount" in generic["paths"]
    validate(generic)
    # The validator does fail on an invalid document (so this test can fail).
    broken = dict(document, paths={"/sys/remount": {"post": {"summary": "no responses"}}})
    with pytest.raises(Exception):
        validate(broken)
    # Without a token only mounts listed as unauth contribute.
    anonymous = fresh_server.request("GET", "sys/internal/specs/openapi", token="").json()
    assert not any(p.startswith("/sys/") for p in anonymous["paths"])


def test_path_help_cli(fresh_server):
    env = {**os.environ, "VAULT_ADDR": fresh_server.url, "VAULT_TOKEN": fresh_server.root_token}
    result = subprocess.run([str(coffer_binary()), "path-help", "sys/remount"], env=env, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Move a mount" in result.stdout and "from (string)" in result.stdout
    as_json = subprocess.run([str(coffer_binary()), "path-help", "-format=json", "secret/data/x"], env=env,
                             capture_output=True, text=True, timeout=30)
    assert as_json.returncode == 0, as_json.stderr
    assert "/data/{path}" in json.loads(as_json.stdout)["openapi"]["paths"]
    missing = subprocess.run([str(coffer_binary()), "path-help", "nowhere/x"], env=env, capture_output=True,
                             text=True, timeout=30)
    assert missing.returncode == 2 and "Error retrieving help" in missing.stderr
