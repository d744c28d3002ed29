"""ACL policies and the token store through hvac 2.4.0 (docs/policies.md, docs/tokens.md, docs/system.md
§ Policies and § Capabilities)."""

from __future__ import annotations

import json
import time

import pytest
import requests
from hvac import exceptions

from compat_helpers import assert_envelope, assert_error, assert_json_content_type, assert_rfc3339
from conftest import unique

APP_POLICY_HCL = """
# read app secrets, list their names
path "secret/data/{app}/*" {{
  capabilities = ["read"]
}}
path "secret/metadata/{app}/*" {{
  capabilities = ["list"]
}}
path "secret/data/{app}/rw/*" {{
  capabilities = ["create", "read", "update"]
}}
path "secret/data/{app}/create-only/*" {{
  capabilities = ["create"]
}}
"""


@pytest.fixture
def creator_policy(client):
    """A policy that lets a non-root token create child tokens."""
    name = unique("creator")
    client.sys.create_or_update_policy(name, 'path "auth/token/create" { capabilities = ["update"] }')
    return name


@pytest.fixture
def app(client):
    """A policy over `secret/data/<app>/…`, a seeded secret, and a token holding the policy."""
    name = unique("app")
    policy = unique("pol")
    client.sys.create_or_update_policy(policy, APP_POLICY_HCL.format(app=name))
    client.secrets.kv.v2.create_or_update_secret(f"{name}/creds", {"password": "p"})
    created = client.auth.token.create(policies=[policy], ttl="1h")
    return {"name": name, "policy": policy, "token": created["auth"]["client_token"], "created": created}


def test_policy_hcl_roundtrip_and_listing(client, server):
    name = unique("hcl")
    text = APP_POLICY_HCL.format(app="x")
    assert client.sys.create_or_update_policy(name, text).status_code == 204

    read = client.sys.read_policy(name)
    assert read["data"] == {"name": name, "rules": text}
    assert read["rules"] == text, "sys/policy/<name> data must be injected at top level"
    assert client.get_policy(name) == text
    assert client.sys.read_acl_policy(name)["data"] == {"name": name, "policy": text}

    listing = client.sys.list_policies()
    assert name in listing["data"]["policies"] and "default" in listing["data"]["policies"]
    assert listing["data"]["keys"] == listing["data"]["policies"]
    assert listing["policies"] == listing["data"]["policies"]
    assert listing["data"]["policies"][-1] == "root"

    acl_keys = client.sys.list_acl_policies()["data"]["keys"]
    assert name in acl_keys and "default" in acl_keys
    listed_with_get = server.request("GET", "sys/policies/acl", params={"list": "True"})
    assert listed_with_get.status_code == 200 and name in listed_with_get.json()["data"]["keys"]

    assert client.sys.delete_policy(name).status_code == 204
    assert client.get_policy(name) is None
    with pytest.raises(exceptions.InvalidPath):
        client.sys.read_acl_policy(name)


def test_dict_policy_is_sent_as_json_and_enforced(client, server):
    name = unique("jsonpol")
    app = unique("japp")
    policy = {"path": {f"secret/data/{app}/*": {"capabilities": ["read"]}}}
    client.sys.create_or_update_policy(name, policy)
    assert json.loads(client.get_policy(name)) == policy

    client.secrets.kv.v2.create_or_update_secret(f"{app}/a", {"k": "v"})
    token = client.auth.token.create(policies=[name], ttl="1h")["auth"]["client_token"]
    limited = server.client(token)
    got = limited.secrets.kv.v2.read_secret_version(f"{app}/a", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"k": "v"}
    with pytest.raises(exceptions.Forbidden):
        limited.secrets.kv.v2.create_or_update_secret(f"{app}/a", {"k": "w"})


def test_list_form_of_json_policy(client, server):
    name = unique("jsonlist")
    app = unique("lapp")
    client.sys.create_or_update_policy(name, {"path": [{f"secret/data/{app}/*": {"capabilities": ["read"]}}]})
    client.secrets.kv.v2.create_or_update_secret(f"{app}/a", {"k": "v"})
    token = client.auth.token.create(policies=[name], ttl="1h")["auth"]["client_token"]
    assert server.client(token).secrets.kv.v2.read_secret_version(
        f"{app}/a", raise_on_deleted_version=True)["data"]["data"] == {"k": "v"}


def test_token_create_auth_block(app):
    created = app["created"]
    assert_envelope(created)
    assert created["data"] is None
    assert created["lease_duration"] == 0 and created["lease_id"] == ""
    auth = created["auth"]
    assert auth["client_token"] and auth["accessor"]
    assert auth["policies"] == sorted(["default", app["policy"]])
    assert auth["token_policies"] == sorted(["default", app["policy"]])
    assert auth["lease_duration"] == 3600
    assert auth["renewable"] is True
    assert auth["token_type"] == "service"
    assert auth["orphan"] is False
    assert auth["entity_id"] == ""
    assert auth["metadata"] is None
    assert auth["num_uses"] == 0


def test_policy_token_reads_what_is_allowed_and_is_forbidden_elsewhere(server, app):
    limited = server.client(app["token"])
    kv = limited.secrets.kv.v2
    name = app["name"]

    assert kv.read_secret_version(f"{name}/creds", raise_on_deleted_version=True)["data"]["data"] == {"password": "p"}
    assert kv.list_secrets(name)["data"]["keys"] == ["creds"]

    with pytest.raises(exceptions.Forbidden) as denied:
        kv.create_or_update_secret(f"{name}/creds", {"password": "changed"})
    assert "permission denied" in str(denied.value) and "invalid token" not in str(denied.value)

    with pytest.raises(exceptions.Forbidden):
        kv.read_secret_version(unique("other-app") + "/creds", raise_on_deleted_version=True)
    # Denial must not reveal existence: a missing key outside the policy is 403, not 404.
    with pytest.raises(exceptions.Forbidden):
        kv.read_secret_version(f"{name}-not-mine/missing", raise_on_deleted_version=True)
    with pytest.raises(exceptions.Forbidden):
        limited.sys.list_mounted_secrets_engines()
    with pytest.raises(exceptions.Forbidden):
        limited.sys.create_or_update_policy(unique("evil"), 'path "*" { capabilities = ["sudo"] }')

    raw = server.request("GET", "sys/mounts", token=app["token"])
    assert_error(raw, 403, ["1 error occurred:\n\t* permission denied\n\n"])

    # Nothing was changed by the denied write.
    root_view = server.client().secrets.kv.v2.read_secret_version(f"{name}/creds", raise_on_deleted_version=True)
    assert root_view["data"]["data"] == {"password": "p"}


def test_create_versus_update_capability(server, app):
    kv = server.client(app["token"]).secrets.kv.v2
    rw = f"{app['name']}/rw/x"
    assert kv.create_or_update_secret(rw, {"a": "1"})["data"]["version"] == 1
    assert kv.create_or_update_secret(rw, {"a": "2"})["data"]["version"] == 2

    create_only = f"{app['name']}/create-only/x"
    assert kv.create_or_update_secret(create_only, {"a": "1"})["data"]["version"] == 1
    with pytest.raises(exceptions.Forbidden):
        kv.create_or_update_secret(create_only, {"a": "2"})


def test_lookup_self_of_created_token(server, app):
    before = int(time.time())
    info = server.client(app["token"]).auth.token.lookup_self()["data"]
    assert info["id"] == app["token"]
    assert info["accessor"] == app["created"]["auth"]["accessor"]
    assert info["policies"] == sorted(["default", app["policy"]])
    assert info["path"] == "auth/token/create"
    assert info["display_name"] == "token"
    assert info["meta"] is None
    assert info["num_uses"] == 0
    assert info["orphan"] is False
    assert info["renewable"] is True
    assert info["type"] == "service"
    assert info["entity_id"] == ""
    assert info["creation_ttl"] == 3600
    assert info["explicit_max_ttl"] == 0
    assert isinstance(info["ttl"], int) and 3500 <= info["ttl"] <= 3600
    assert isinstance(info["creation_time"], int) and abs(info["creation_time"] - before) < 60
    assert_rfc3339(info["expire_time"])
    assert_rfc3339(info["issue_time"])


def test_root_token_lookup_self(server, client):
    info = client.auth.token.lookup_self()["data"]
    assert info["id"] == server.root_token
    assert info["policies"] == ["root"]
    assert info["ttl"] == 0 and info["creation_ttl"] == 0
    assert info["expire_time"] is None
    assert info["renewable"] is False
    assert info["orphan"] is True
    assert client.is_authenticated() is True
    assert server.client("compat-not-a-token").is_authenticated() is False


def test_renew_self(server, app):
    limited = server.client(app["token"])
    renewed = limited.auth.token.renew_self(increment="30m")
    assert renewed["auth"]["client_token"] == app["token"]
    assert renewed["auth"]["lease_duration"] == 1800
    assert renewed["auth"]["renewable"] is True
    assert renewed["data"] is None
    info = limited.auth.token.lookup_self()["data"]
    assert 1700 <= info["ttl"] <= 1800
    assert_rfc3339(info["last_renewal"])
    assert isinstance(info["last_renewal_time"], int)

    integer_increment = limited.auth.token.renew_self(increment=600)
    assert integer_increment["auth"]["lease_duration"] == 600


def test_root_token_is_not_renewable(client):
    with pytest.raises(exceptions.InvalidRequest) as refused:
        client.auth.token.renew_self()
    assert any("lease is not renewable" in e for e in refused.value.errors)


def test_revoke_self_then_token_is_invalid(server, client):
    token = client.auth.token.create(policies=["default"], ttl="1h")["auth"]["client_token"]
    own = server.client(token)
    response = own.auth.token.revoke_self()
    assert response.status_code == 204

    with pytest.raises(exceptions.Forbidden) as refused:
        own.auth.token.lookup_self()
    message = str(refused.value)
    assert "permission denied" in message and "invalid token" in message

    raw = server.request("GET", "auth/token/lookup-self", token=token)
    assert_error(raw, 403, contains="invalid token")
    assert own.is_authenticated() is False


def test_revoking_parent_revokes_children(server, client, creator_policy):
    parent = client.auth.token.create(policies=[creator_policy], ttl="1h")["auth"]["client_token"]
    child = server.client(parent).auth.token.create(ttl="1h")["auth"]["client_token"]
    assert server.client(child).auth.token.lookup_self()["data"]["id"] == child
    client.auth.token.revoke(parent)
    raw = server.request("GET", "auth/token/lookup-self", token=child)
    assert_error(raw, 403, contains="invalid token")


def test_short_ttl_token_and_its_child_expire_without_client_action(server, client, creator_policy):
    parent = client.auth.token.create(policies=[creator_policy], ttl="2s")
    parent_token = parent["auth"]["client_token"]
    assert parent["auth"]["lease_duration"] == 2
    child_token = server.client(parent_token).auth.token.create(ttl="1h")["auth"]["client_token"]
    # Issue 10: a child's TTL is capped at what its parent has left.
    assert server.client(child_token).auth.token.lookup_self()["data"]["ttl"] <= 2

    time.sleep(3.5)
    for token in (parent_token, child_token):
        raw = server.request("GET", "auth/token/lookup-self", token=token)
        assert_error(raw, 403, contains="invalid token")
        with pytest.raises(exceptions.Forbidden):
            server.client(token).secrets.kv.v2.read_secret_version("anything", raise_on_deleted_version=True)


def test_child_policies_must_be_subset_of_parent(server, client, creator_policy):
    token = client.auth.token.create(policies=[creator_policy], ttl="1h")["auth"]["client_token"]
    with pytest.raises(exceptions.InvalidRequest) as refused:
        server.client(token).auth.token.create(policies=["root"], ttl="1h")
    assert any("child policies must be subset of parent" in e or "root tokens may not be created" in e
               for e in refused.value.errors)
    with pytest.raises(exceptions.InvalidRequest) as refused:
        server.client(token).auth.token.create(policies=[unique("other")], ttl="1h")
    assert refused.value.errors == ["child policies must be subset of parent"]


def test_lookup_by_token_and_accessor(server, client, app):
    by_token = client.auth.token.lookup(app["token"])["data"]
    assert by_token["id"] == app["token"]
    by_accessor = client.auth.token.lookup_accessor(app["created"]["auth"]["accessor"])["data"]
    assert by_accessor["id"] == ""
    assert by_accessor["policies"] == by_token["policies"]
    with pytest.raises(exceptions.Forbidden) as unknown:
        client.auth.token.lookup("compat-no-such-token")
    assert unknown.value.errors == ["bad token"]


def test_capabilities_self(server, client, app):
    limited = server.client(app["token"])
    name = app["name"]
    single = limited.sys.get_capabilities([f"secret/data/{name}/x"])
    assert single["data"]["capabilities"] == ["read"]
    assert single["data"][f"secret/data/{name}/x"] == ["read"]
    assert single["capabilities"] == ["read"], "capabilities-self data must be injected at top level"

    many = limited.sys.get_capabilities([f"secret/data/{name}/rw/y", "sys/mounts"])["data"]
    assert many[f"secret/data/{name}/rw/y"] == ["create", "read", "update"]
    assert many["sys/mounts"] == ["deny"]

    assert client.sys.get_capabilities(["secret/data/anything"])["data"]["capabilities"] == ["root"]
    missing = server.request("POST", "sys/capabilities-self", json={})
    assert_error(missing, 400, contains="paths must be supplied")


def test_authorization_bearer_header(server, app):
    url = f"{server.url}/v1/auth/token/lookup-self"
    bearer = requests.get(url, headers={"Authorization": f"Bearer {app['token']}"}, timeout=30)
    assert bearer.status_code == 200, bearer.text
    assert bearer.json()["data"]["id"] == app["token"]

    # X-Vault-Token wins over Authorization.
    both = requests.get(url, headers={"Authorization": "Bearer compat-bogus", "X-Vault-Token": app["token"]}, timeout=30)
    assert both.status_code == 200 and both.json()["data"]["id"] == app["token"]

    # Other schemes and a lower-case "bearer" are not token carriers.
    for header in (f"Basic {app['token']}", f"bearer {app['token']}"):
        refused = requests.get(url, headers={"Authorization": header}, timeout=30)
        assert_error(refused, 403)


def test_missing_token_is_permission_denied(server):
    assert_error(server.request("GET", "secret/data/x", token=""), 403, ["permission denied"])


def test_bad_policy_hcl_is_400_and_stores_nothing(client, server):
    name = unique("badpol")
    before = client.sys.list_policies()["data"]["policies"]
    for text in ('path "secret/*" { capabilities = ["read"', 'bogus "x" {}',
                 'path "secret/*" { capabilities = ["fly"] }'):
        with pytest.raises(exceptions.InvalidRequest) as refused:
            client.sys.create_or_update_policy(name, text)
        assert refused.value.errors[0].startswith("failed to parse policy"), refused.value.errors
    assert client.sys.list_policies()["data"]["policies"] == before
    assert client.get_policy(name) is None
    raw = server.request("PUT", f"sys/policy/{name}", json={"policy": "path {"})
    assert_error(raw, 400)
    assert raw.json()["errors"][0].startswith("failed to parse policy")


def test_token_tidy_answers_202_and_runs_in_the_background(server, client):
    # As Vault: `POST auth/token/tidy` starts a background pass and says so (docs/expiration.md).
    response = client.auth.token.tidy()
    assert response.status_code == 202
    assert_json_content_type(response)
    body = response.json()
    assert_envelope(body)
    assert body["warnings"] == [
        "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
    ]
    plain = client.auth.token.create(policies=["default"], ttl="1h")["auth"]["client_token"]
    with pytest.raises(exceptions.Forbidden):
        server.client(plain).auth.token.tidy()
