"""The userpass auth method through hvac (`client.auth.userpass.*`) and the CLI (docs/userpass-auth.md).

Each test mounts userpass at a path of its own on the session's dev server, so lockout counts never leak
between tests.
"""

from __future__ import annotations

import os
import subprocess

import hvac
import pytest

from compat_helpers import assert_error
from conftest import coffer_binary, unique


@pytest.fixture
def mount(client) -> str:
    path = unique("up")
    client.sys.enable_auth_method("userpass", path=path)
    yield path
    client.sys.disable_auth_method(path)


def test_users_crud_and_login(server, client, mount):
    up = client.auth.userpass
    created = up.create_or_update_user("Alice", password="s3cret-pw", policies="dev,ops", mount_point=mount,
                                       token_ttl="1h")
    assert created.status_code == 204
    assert up.list_user(mount_point=mount)["data"]["keys"] == ["alice"]
    read = up.read_user("alice", mount_point=mount)["data"]
    assert "password" not in read and "password_hash" not in read
    assert read["token_policies"] == ["dev", "ops"] and read["policies"] == ["dev", "ops"]
    assert read["token_ttl"] == 3600 and read["token_type"] == "default"

    login_client = server.client(token="")
    answer = login_client.auth.userpass.login("alice", "s3cret-pw", mount_point=mount)
    auth = answer["auth"]
    assert auth["metadata"] == {"username": "alice"}
    assert auth["token_policies"] == ["default", "dev", "ops"]
    assert auth["lease_duration"] == 3600 and auth["renewable"] is True
    assert auth["entity_id"]
    assert login_client.token == auth["client_token"]
    looked_up = login_client.auth.token.lookup_self()["data"]
    assert looked_up["display_name"] == f"{mount}-alice"

    assert up.update_password_on_user("alice", "n3w-pw", mount_point=mount).status_code == 204
    assert_error(server.request("POST", f"auth/{mount}/login/alice", token="", json={"password": "s3cret-pw"}),
                 400, ["invalid username or password"])
    assert server.client(token="").auth.userpass.login("alice", "n3w-pw", mount_point=mount)["auth"]["client_token"]

    assert up.delete_user("alice", mount_point=mount).status_code == 204
    with pytest.raises(hvac.exceptions.InvalidPath):
        up.read_user("alice", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidPath):
        up.list_user(mount_point=mount)


def test_vault_error_answers(server, client, mount):
    up = client.auth.userpass
    with pytest.raises(hvac.exceptions.InvalidRequest, match="missing password"):
        up.create_or_update_user("bob", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid 'token_type' value"):
        up.create_or_update_user("bob", password="pw", token_type="default-service", mount_point=mount)
    up.create_or_update_user("bob", password="pw", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid username or password"):
        server.client(token="").auth.userpass.login("bob", "wrong", mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="invalid username or password"):
        server.client(token="").auth.userpass.login("nobody", "pw", mount_point=mount)
    assert_error(server.request("POST", f"auth/{mount}/login/bob", token="", json={}), 500, ["missing password"])
    assert_error(server.request("POST", f"auth/{mount}/users/nobody/password", json={"password": "x"}), 500,
                 ["username does not exist"])
    assert_error(server.request("POST", f"auth/{mount}/users/bob/policies", json={}), 400,
                 ["no token_policies provided"])
    # Policies change through their own endpoint; logins get the new ones.
    assert server.request("POST", f"auth/{mount}/users/bob/policies",
                          json={"token_policies": "admin"}).status_code == 204
    auth = server.client(token="").auth.userpass.login("bob", "pw", mount_point=mount)["auth"]
    assert auth["token_policies"] == ["admin", "default"]


def test_lockout_after_five_failures(server, client, mount):
    client.auth.userpass.create_or_update_user("carol", password="pw", mount_point=mount)
    for _ in range(5):
        assert_error(server.request("POST", f"auth/{mount}/login/carol", token="", json={"password": "no"}),
                     400, ["invalid username or password"])
    assert_error(server.request("POST", f"auth/{mount}/login/carol", token="", json={"password": "pw"}),
                 403, ["permission denied"])


def run_cli(server, tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "VAULT_ADDR": server.url, "HOME": str(tmp_path)}
    environment.pop("VAULT_TOKEN", None)
    return subprocess.run([str(coffer_binary()), *args], cwd=tmp_path, env=environment, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_cli_login_prompts_for_the_password(server, client, mount, tmp_path):
    client.auth.userpass.create_or_update_user("dave", password="cli-pw", policies="dev", mount_point=mount)
    done = run_cli(server, tmp_path, "login", "-method=userpass", f"mount={mount}", "username=dave",
                   stdin="cli-pw\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Password (will be hidden):" in done.stderr
    assert "cli-pw" not in done.stdout + done.stderr
    assert "Success! You are now authenticated." in done.stdout
    token = (tmp_path / ".vault-token").read_text().strip()
    assert server.client(token=token).auth.token.lookup_self()["data"]["meta"] == {"username": "dave"}

    given = run_cli(server, tmp_path, "login", "-method=userpass", f"mount={mount}", "username=dave",
                    "password=cli-pw", "-format=json", "-no-store")
    assert given.returncode == 0, given.stdout + given.stderr
    assert '"client_token"' in given.stdout and "Password" not in given.stderr

    wrong = run_cli(server, tmp_path, "login", "-method=userpass", f"mount={mount}", "username=dave",
                    stdin="nope\n")
    assert wrong.returncode != 0
    assert "invalid username or password" in wrong.stderr


def test_cli_username_from_the_environment(server, client, mount, tmp_path):
    client.auth.userpass.create_or_update_user("erin", password="env-pw", mount_point=mount)
    environment = {**os.environ, "VAULT_ADDR": server.url, "HOME": str(tmp_path)}
    for name in ("VAULT_TOKEN", "LOGNAME", "USER", "USERNAME"):
        environment.pop(name, None)
    args = [str(coffer_binary()), "login", "-method=userpass", f"mount={mount}", "-no-store"]
    missing = subprocess.run(args, env=environment, input="env-pw\n", capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "'username' must be specified" in missing.stderr
    done = subprocess.run(args, env={**environment, "USER": "Erin"}, input="env-pw\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "token_meta_username" in done.stdout and "erin" in done.stdout


def test_password_never_reaches_the_audit_log_or_server_log(fresh_server, tmp_path):
    audit_path = tmp_path / "audit.log"
    root = fresh_server.client()
    root.sys.enable_audit_device("file", options={"file_path": str(audit_path)})
    root.sys.enable_auth_method("userpass")
    password = "Audit-" + unique("pw")
    root.auth.userpass.create_or_update_user("frank", password=password)
    assert fresh_server.client(token="").auth.userpass.login("frank", password)["auth"]["client_token"]
    wrong = fresh_server.request("POST", "auth/userpass/login/frank", token="", json={"password": password + "x"})
    assert_error(wrong, 400, ["invalid username or password"])
    audit = audit_path.read_text()
    assert '"password":"hmac-sha256:' in audit
    assert password not in audit and password not in fresh_server.log_text()
