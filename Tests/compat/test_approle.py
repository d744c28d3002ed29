"""The AppRole auth method through hvac 2.4.0 and the CLI (docs/approle.md)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from hvac import exceptions

from compat_helpers import assert_error
from conftest import coffer_binary, unique


@pytest.fixture
def mount(client):
    path = unique("approle")
    client.sys.enable_auth_method("approle", path=path)
    yield path
    client.sys.disable_auth_method(path)


def credentials(client, mount, role="ci", **role_fields):
    client.auth.approle.create_or_update_approle(role, mount_point=mount, **role_fields)
    role_id = client.auth.approle.read_role_id(role, mount_point=mount)["data"]["role_id"]
    generated = client.auth.approle.generate_secret_id(role, mount_point=mount)["data"]
    return role_id, generated


def login_body(role_id, secret_id):
    return {"role_id": role_id, "secret_id": secret_id}


def test_role_crud_and_role_id(client, mount):
    client.auth.approle.create_or_update_approle(
        "Web", token_policies=["dev", "ops"], token_ttl="1h", secret_id_num_uses=4, mount_point=mount)
    role = client.auth.approle.read_role("web", mount_point=mount)["data"]
    assert role["token_policies"] == ["dev", "ops"]
    assert role["token_ttl"] == 3600
    assert role["secret_id_num_uses"] == 4
    assert role["bind_secret_id"] is True
    assert role["token_type"] == "default"
    assert role["secret_id_bound_cidrs"] is None
    assert client.auth.approle.list_roles(mount_point=mount)["data"]["keys"] == ["web"]
    role_id = client.auth.approle.read_role_id("web", mount_point=mount)["data"]["role_id"]
    assert len(role_id) == 36
    client.auth.approle.update_role_id("web", "my-role-id", mount_point=mount)
    assert client.auth.approle.read_role_id("web", mount_point=mount)["data"]["role_id"] == "my-role-id"
    client.auth.approle.delete_role("web", mount_point=mount)
    with pytest.raises(exceptions.InvalidPath):
        client.auth.approle.read_role("web", mount_point=mount)


def test_role_errors_are_vaults(server, mount):
    refused = server.request("POST", f"auth/{mount}/role/r", json={"bind_secret_id": False})
    assert_error(refused, 500, contains="at least one constraint should be enabled on the role")
    assert_error(server.request("POST", f"auth/{mount}/role/r", json={"secret_id_num_uses": -1}), 400,
                 ["secret_id_num_uses cannot be negative"])
    assert_error(server.request("POST", f"auth/{mount}/role/r", json={"secret_id_bound_cidrs": "1.2.3.4/99"}),
                 400, ["invalid CIDR blocks"])
    assert_error(server.request("POST", f"auth/{mount}/role/nope/secret-id"), 404, ['role "nope" does not exist'])


def test_login_and_secret_id_lifecycle(server, client, mount):
    role_id, generated = credentials(client, mount, token_policies=["dev"])
    secret_id, accessor = generated["secret_id"], generated["secret_id_accessor"]
    fresh = server.client(token="")
    answer = fresh.auth.approle.login(role_id, secret_id, mount_point=mount)
    assert answer["auth"]["policies"] == ["default", "dev"]
    assert answer["auth"]["metadata"] == {"role_name": "ci"}
    assert fresh.lookup_token()["data"]["display_name"] == mount  # mount path, "/" as "-"

    assert client.auth.approle.list_secret_id_accessors("ci", mount_point=mount)["data"]["keys"] == [accessor]
    looked_up = client.auth.approle.read_secret_id("ci", secret_id, mount_point=mount)["data"]
    assert looked_up["secret_id_accessor"] == accessor
    assert looked_up["expiration_time"] == "0001-01-01T00:00:00Z"
    by_accessor = client.auth.approle.read_secret_id_accessor("ci", accessor, mount_point=mount)["data"]
    assert by_accessor["secret_id_num_uses"] == 0
    client.auth.approle.destroy_secret_id_accessor("ci", accessor, mount_point=mount)
    with pytest.raises(exceptions.InvalidPath):
        client.auth.approle.read_secret_id_accessor("ci", accessor, mount_point=mount)
    assert_error(server.request("POST", f"auth/{mount}/role/ci/secret-id-accessor/lookup",
                                json={"secret_id_accessor": accessor}),
                 404, [f'failed to find accessor entry for secret_id_accessor: "{accessor}"'])
    # A destroyed secret id: lookup answers 204, login is refused.
    assert server.request("POST", f"auth/{mount}/role/ci/secret-id/lookup",
                          json={"secret_id": secret_id}).status_code == 204
    assert_error(server.request("POST", f"auth/{mount}/login", token="", json=login_body(role_id, secret_id)),
                 400, ["invalid role or secret ID"])

    second = client.auth.approle.generate_secret_id("ci", metadata={"host": "runner"}, mount_point=mount)["data"]
    assert client.auth.approle.read_secret_id("ci", second["secret_id"], mount_point=mount)["data"][
        "metadata"] == {"host": "runner"}
    client.auth.approle.destroy_secret_id("ci", second["secret_id"], mount_point=mount)
    with pytest.raises(exceptions.InvalidPath):
        client.auth.approle.list_secret_id_accessors("ci", mount_point=mount)


def test_custom_secret_id(server, client, mount):
    client.auth.approle.create_or_update_approle("ci", mount_point=mount)
    role_id = client.auth.approle.read_role_id("ci", mount_point=mount)["data"]["role_id"]
    made = client.auth.approle.create_custom_secret_id("ci", "hand-picked-secret", mount_point=mount)["data"]
    assert made["secret_id"] == "hand-picked-secret"
    again = server.request("POST", f"auth/{mount}/role/ci/custom-secret-id", json={"secret_id": "hand-picked-secret"})
    assert_error(again, 500, contains="failed to store secret_id: SecretID is already registered")
    assert "auth" in server.request("POST", f"auth/{mount}/login", token="",
                                    json=login_body(role_id, "hand-picked-secret")).json()


def test_login_errors_are_vaults(server, client, mount):
    role_id, generated = credentials(client, mount)
    login = f"auth/{mount}/login"
    assert_error(server.request("POST", login, token="", json={"role_id": "", "secret_id": None}), 400,
                 ["missing role_id"])
    assert_error(server.request("POST", login, token="", json={"role_id": role_id, "secret_id": None}), 400,
                 ["missing secret_id"])
    assert_error(server.request("POST", login, token="", json=login_body("nope", generated["secret_id"])), 400,
                 ["invalid role or secret ID"])
    with pytest.raises(exceptions.InvalidRequest) as refused:
        server.client(token="").auth.approle.login(role_id, "wrong", mount_point=mount)
    assert refused.value.errors == ["invalid role or secret ID"]


def test_num_uses_limit(server, client, mount):
    role_id, generated = credentials(client, mount, secret_id_num_uses=2)
    body = login_body(role_id, generated["secret_id"])
    for _ in range(2):
        assert server.request("POST", f"auth/{mount}/login", token="", json=body).status_code == 200
    assert_error(server.request("POST", f"auth/{mount}/login", token="", json=body), 400,
                 ["invalid role or secret ID"])
    assert_error(server.request("POST", f"auth/{mount}/role/ci/secret-id", json={"num_uses": 5}), 400,
                 ["num_uses cannot be higher than the role's secret_id_num_uses"])


def test_cidr_limits(server, client, mount):
    role_id, _ = credentials(client, mount, secret_id_bound_cidrs=["127.0.0.0/8"])
    with pytest.raises(exceptions.InvalidRequest):
        client.auth.approle.generate_secret_id("ci", cidr_list=["10.0.0.0/8"], mount_point=mount)
    narrow = client.auth.approle.generate_secret_id("ci", cidr_list=["127.0.0.2/32"], mount_point=mount)["data"]
    assert_error(server.request("POST", f"auth/{mount}/login", token="",
                                json=login_body(role_id, narrow["secret_id"])),
                 400, ['source address "127.0.0.1" unauthorized through CIDR restrictions on the secret ID'])

    client.auth.approle.create_or_update_approle("far", secret_id_bound_cidrs=["10.0.0.0/8"], mount_point=mount)
    far_id = client.auth.approle.read_role_id("far", mount_point=mount)["data"]["role_id"]
    far_secret = client.auth.approle.generate_secret_id("far", mount_point=mount)["data"]["secret_id"]
    assert_error(server.request("POST", f"auth/{mount}/login", token="", json=login_body(far_id, far_secret)),
                 400, ['source address "127.0.0.1" unauthorized by CIDR restrictions on the role: <nil>'])

    client.auth.approle.create_or_update_approle("bound", token_bound_cidrs=["10.0.0.0/8"], mount_point=mount)
    bound_id = client.auth.approle.read_role_id("bound", mount_point=mount)["data"]["role_id"]
    bound_secret = client.auth.approle.generate_secret_id("bound", mount_point=mount)["data"]["secret_id"]
    token = server.request("POST", f"auth/{mount}/login", token="",
                           json=login_body(bound_id, bound_secret)).json()["auth"]["client_token"]
    assert server.request("GET", "auth/token/lookup-self", token=token).status_code == 403


def test_tidy_answers_202(server, client, mount):
    credentials(client, mount)
    tidy = server.request("POST", f"auth/{mount}/tidy/secret-id")
    assert tidy.status_code == 202
    assert tidy.json()["warnings"]


def test_cli_login(server, client, mount, tmp_path):
    role_id, generated = credentials(client, mount, token_policies=["dev"])
    environment = {**os.environ, "VAULT_ADDR": server.url, "HOME": str(tmp_path)}
    environment.pop("VAULT_TOKEN", None)

    def cli(*args, stdin=None):
        return subprocess.run([str(coffer_binary()), *args], cwd=tmp_path, env=environment, input=stdin,
                              capture_output=True, text=True, timeout=60)

    done = cli("login", "-method=approle", f"mount={mount}", f"role_id={role_id}", "secret_id=-",
               stdin=generated["secret_id"] + "\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success! You are now authenticated." in done.stdout
    token = (tmp_path / ".vault-token").read_text().strip()
    assert server.client(token=token).auth.token.lookup_self()["data"]["meta"] == {"role_name": "ci"}

    as_json = cli("login", "-method=approle", f"mount={mount}", f"role_id={role_id}",
                  f"secret_id={generated['secret_id']}", "-format=json", "-no-store")
    assert as_json.returncode == 0, as_json.stdout + as_json.stderr
    assert json.loads(as_json.stdout)["auth"]["policies"] == ["default", "dev"]

    wrong = cli("login", "-method=approle", f"mount={mount}", f"role_id={role_id}", "secret_id=wrong")
    assert wrong.returncode != 0
    assert "invalid role or secret ID" in wrong.stderr
    missing = cli("login", "-method=approle", f"mount={mount}")
    assert missing.returncode != 0
    assert "'role_id' must be specified" in missing.stderr


def test_wrapped_secret_id_unwrapped_and_used(server, client, mount):
    client.auth.approle.create_or_update_approle("ci", mount_point=mount)
    role_id = client.auth.approle.read_role_id("ci", mount_point=mount)["data"]["role_id"]
    wrapped = client.auth.approle.generate_secret_id("ci", wrap_ttl="5m", mount_point=mount)
    assert wrapped["wrap_info"]["ttl"] == 300
    wrapping_token = wrapped["wrap_info"]["token"]
    unwrapped = server.client(token=wrapping_token).sys.unwrap()["data"]
    assert unwrapped["secret_id_accessor"] == wrapped["wrap_info"]["wrapped_accessor"]
    assert server.client(token="").auth.approle.login(role_id, unwrapped["secret_id"], mount_point=mount)["auth"]
    with pytest.raises(exceptions.VaultError):
        server.client(token=wrapping_token).sys.unwrap()
