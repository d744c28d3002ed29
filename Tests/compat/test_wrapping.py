"""Response wrapping through hvac 2.4.0, plain HTTP and the CLI (docs/response-wrapping.md).

hvac 2.4.0 has `sys.wrap`, `sys.unwrap`, `auth_cubbyhole` and `wrap_ttl=` on token create; it has no
`read_wrapping_info` or `rewrap` helpers any more, so those go through its adapter (the same HTTP calls its older
releases made: `POST sys/wrapping/lookup` and `POST sys/wrapping/rewrap` with `{"token": …}`).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import tempfile

import hvac
import pytest
import requests

from conftest import coffer_binary, unique

INVALID = "wrapping token is not valid or does not exist"


def run_cli(server, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    # A HOME of its own: no token helper file (~/.vault-token) left by another test's dev server may supply a
    # client token the test did not give.
    environment = {**os.environ, "VAULT_ADDR": server.url, "HOME": tempfile.mkdtemp(prefix="coffer-cli-home-")}
    environment.pop("VAULT_TOKEN", None)
    environment.pop("VAULT_WRAP_TTL", None)
    if token:
        environment["VAULT_TOKEN"] = token
    return subprocess.run(
        [str(coffer_binary()), *args], env=environment, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir())


def test_hvac_wrap_lookup_unwrap_and_a_second_unwrap_refused(client, server):
    wrapped = client.sys.wrap({"secret": "s3cr3t", "n": 1}, ttl=60)
    info = wrapped["wrap_info"]
    assert wrapped["data"] is None and wrapped["auth"] is None and wrapped["request_id"] == ""
    assert info["ttl"] == 60 and info["creation_path"] == "sys/wrapping/wrap"
    assert info["token"].startswith("hvs.") and info["accessor"] and "wrapped_accessor" not in info
    assert "s3cr3t" not in json.dumps(wrapped)

    anonymous = hvac.Client(url=server.url)
    lookup = anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})
    assert lookup["data"]["creation_ttl"] == 60
    assert lookup["data"]["creation_path"] == "sys/wrapping/wrap"
    assert lookup["data"]["creation_time"] == info["creation_time"]

    unwrapped = client.sys.unwrap(info["token"])
    assert unwrapped["data"] == {"secret": "s3cr3t", "n": 1}
    with pytest.raises(hvac.exceptions.InvalidRequest) as refused:
        client.sys.unwrap(info["token"])
    assert INVALID in str(refused.value)
    with pytest.raises(hvac.exceptions.InvalidRequest):
        anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})


def test_hvac_unwrap_with_the_wrapping_token_as_client_token(client, server):
    info = client.sys.wrap({"k": "v"}, ttl="5m")["wrap_info"]
    assert info["ttl"] == 300
    holder = hvac.Client(url=server.url, token=info["token"])
    assert holder.sys.unwrap()["data"] == {"k": "v"}
    with pytest.raises(hvac.exceptions.InvalidRequest) as refused:
        holder.sys.unwrap()
    assert INVALID in str(refused.value)


def test_rewrap_moves_the_payload_to_a_new_token(client):
    first = client.sys.wrap({"k": "v"}, ttl=120)["wrap_info"]
    rewrapped = client.adapter.post("/v1/sys/wrapping/rewrap", json={"token": first["token"]})
    second = rewrapped["wrap_info"]
    assert second["token"] != first["token"]
    assert second["ttl"] == 120 and second["creation_path"] == "sys/wrapping/wrap"
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.sys.unwrap(first["token"])
    assert client.sys.unwrap(second["token"])["data"] == {"k": "v"}


def test_token_create_wrapped_then_auth_cubbyhole_logs_in(client, server):
    created = client.auth.token.create(policies=["default"], ttl="1h", wrap_ttl="2m")
    info = created["wrap_info"]
    assert created["auth"] is None and info["ttl"] == 120
    assert info["creation_path"] == "auth/token/create" and info["wrapped_accessor"]
    receiver = hvac.Client(url=server.url)
    answer = receiver.auth_cubbyhole(info["token"])
    assert answer["auth"]["accessor"] == info["wrapped_accessor"]
    assert receiver.token == answer["auth"]["client_token"]
    assert receiver.lookup_token()["data"]["accessor"] == info["wrapped_accessor"]


def test_a_kv_read_is_wrapped_by_the_header(client, server):
    path = unique("wrapped")
    client.secrets.kv.v2.create_or_update_secret(path, {"password": "hunter2"})
    response = requests.get(
        f"{server.url}/v1/secret/data/{path}",
        headers={"X-Vault-Token": server.root_token, "X-Vault-Wrap-TTL": "1m0s"}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["wrap_info"]["ttl"] == 60 and body["wrap_info"]["creation_path"] == f"secret/data/{path}"
    assert "hunter2" not in response.text
    assert client.sys.unwrap(body["wrap_info"]["token"])["data"]["data"] == {"password": "hunter2"}


@pytest.mark.parametrize("header,message", [
    ("abc", "error parsing X-Vault-Wrap-TTL header"),
    ("-5", "requested wrap ttl cannot be negative"),
])
def test_bad_wrap_ttl_headers_are_400(server, header, message):
    response = requests.get(
        f"{server.url}/v1/sys/mounts",
        headers={"X-Vault-Token": server.root_token, "X-Vault-Wrap-TTL": header}, timeout=30)
    assert response.status_code == 400 and message in response.json()["errors"][0]


def test_wrap_without_ttl_and_unwrap_without_token_answer_vaults_errors(server):
    response = requests.post(
        f"{server.url}/v1/sys/wrapping/wrap", json={"a": "b"}, headers={"X-Vault-Token": server.root_token},
        timeout=30)
    assert response.status_code == 400
    assert response.json()["errors"] == ["endpoint requires response wrapping to be used"]
    anonymous = requests.post(f"{server.url}/v1/sys/wrapping/unwrap", json={}, timeout=30)
    assert anonymous.status_code == 403
    assert anonymous.json()["errors"] == ["error validating wrapping token: token is empty"]


def test_two_racing_unwraps_exactly_one_succeeds(client, server):
    for _ in range(10):
        token = client.sys.wrap({"k": "v"}, ttl=60)["wrap_info"]["token"]

        def unwrap(_: int) -> int:
            return requests.post(
                f"{server.url}/v1/sys/wrapping/unwrap", json={}, headers={"X-Vault-Token": token},
                timeout=30).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(unwrap, range(2)))
        assert statuses == [200, 400]


def test_cli_wrap_ttl_and_unwrap(client, server):
    root = server.root_token
    path = unique("cli-wrap")
    client.secrets.kv.v2.create_or_update_secret(path, {"password": "pw"})
    read = run_cli(server, "read", "-wrap-ttl=5m", "-format=json", f"secret/data/{path}", token=root)
    assert read.returncode == 0, read.stderr
    info = json.loads(read.stdout)["wrap_info"]
    assert info["ttl"] == 300 and info["creation_path"] == f"secret/data/{path}"
    unwrapped = run_cli(server, "unwrap", "-format=json", info["token"], token=root)
    assert unwrapped.returncode == 0, unwrapped.stderr
    assert json.loads(unwrapped.stdout)["data"]["data"] == {"password": "pw"}
    again = run_cli(server, "unwrap", info["token"], token=root)
    assert again.returncode == 2 and INVALID in again.stderr

    table = run_cli(server, "token", "create", "-policy=default", "-wrap-ttl=90s", token=root)
    assert table.returncode == 0, table.stderr
    rows = dict(line.split(None, 1) for line in table.stdout.splitlines()[2:] if line.strip())
    assert rows["wrapping_token_ttl:"].strip() == "1m30s"
    assert rows["wrapping_token_creation_path:"].strip() == "auth/token/create"
    assert rows["wrapped_accessor:"].strip()
    # No client token: the wrapping token itself is the client token of the unwrap.
    login = run_cli(server, "unwrap", "-field=token_accessor", rows["wrapping_token:"].strip())
    assert login.returncode == 0, login.stderr
    assert login.stdout.strip() == rows["wrapped_accessor:"].strip()

    written = run_cli(server, "write", "-wrap-ttl=1m", "-format=json", "sys/wrapping/wrap", "x=y", token=root)
    assert written.returncode == 0, written.stderr
    token = json.loads(written.stdout)["wrap_info"]["token"]
    data = run_cli(server, "unwrap", "-field=x", token)
    assert data.returncode == 0 and data.stdout == "y", data.stderr


def test_a_wrapped_approle_secret_id_is_unwrapped_and_logs_in(client):
    mount = unique("approle-wrap")
    client.sys.enable_auth_method("approle", path=mount)
    client.auth.approle.create_or_update_approle("web", token_policies=["default"], mount_point=mount)
    generated = client.auth.approle.generate_secret_id("web", wrap_ttl="5m", mount_point=mount)
    info = generated["wrap_info"]
    assert info["ttl"] == 300 and info["creation_path"] == f"auth/{mount}/role/web/secret-id"
    # Vault Agent compares the creation path exactly before it unwraps.
    lookup = client.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})
    assert lookup["data"]["creation_path"] == info["creation_path"]
    unwrapped = client.sys.unwrap(info["token"])["data"]
    assert unwrapped["secret_id_accessor"] == info["wrapped_accessor"]
    role_id = client.auth.approle.read_role_id("web", mount_point=mount)["data"]["role_id"]
    login = hvac.Client(url=client.url).auth.approle.login(role_id, unwrapped["secret_id"], mount_point=mount)
    assert login["auth"]["client_token"]
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.sys.unwrap(info["token"])
