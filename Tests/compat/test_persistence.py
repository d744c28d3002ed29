"""Crash durability and encryption at rest of the persistent (SQLite + static seal) server.

A client streams KV writes while the server is killed with SIGKILL; after a restart with the same
configuration every write that was acknowledged with a 2xx must be there, and the SQLite files must
contain neither secret values nor token ids in the clear. Likewise for bursts of token-issuing requests
from several threads (Azure logins against `coffer azure-sim`, `auth/token/create`): every token whose
2xx answer arrived before the kill must still work after the restart.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
import time

import hvac
import requests
from hvac import exceptions

from azure_sim import AzureSimulatorProcess
from conftest import REPO_ROOT, PersistentServer

MOUNT = "durable"
MIN_ACKED_BEFORE_KILL = 300
BURST_THREADS = 6
AZURE_FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
AZURE_RESOURCE = "https://management.azure.com/"


def secret_marker() -> str:
    return "sv" + secrets.token_hex(16)


class Writer(threading.Thread):
    """Writes `k<i>` keys and new versions of one counter key until the connection breaks."""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.session = requests.Session()
        self.session.headers.update({"X-Vault-Token": token})
        self.url = url
        self.acked: dict[str, str] = {}
        self.counter_acked: dict[int, str] = {}
        self.error: Exception | None = None

    def run(self) -> None:
        index = 0
        try:
            while index < 100_000:
                value = secret_marker()
                key = f"k{index}"
                response = self.session.post(f"{self.url}/v1/{MOUNT}/data/stream/{key}",
                                             json={"data": {"value": value}}, timeout=10)
                if 200 <= response.status_code < 300:
                    self.acked[key] = value
                counter_value = secret_marker()
                response = self.session.post(f"{self.url}/v1/{MOUNT}/data/counter",
                                             json={"data": {"value": counter_value}}, timeout=10)
                if 200 <= response.status_code < 300:
                    self.counter_acked[response.json()["data"]["version"]] = counter_value
                index += 1
        except requests.RequestException as error:
            self.error = error


def assert_not_in_storage(server: PersistentServer, needles: dict[str, str]) -> None:
    files = server.storage_files()
    assert files, f"no SQLite files at {server.db_path}"
    # Proves the scan reads real database bytes, so an absent needle means something.
    assert server.db_path.read_bytes().startswith(b"SQLite format 3\x00")
    for path in files:
        blob = path.read_bytes()
        for label, needle in needles.items():
            assert needle.encode() not in blob, f"{label} found in clear in {path.name}"


def test_acknowledged_writes_survive_kill_9_and_storage_is_encrypted(persistent_server):
    server = persistent_server
    server.start()
    root = server.client()
    root.sys.enable_secrets_engine("kv", path=MOUNT, options={"version": "2"})
    root.sys.create_or_update_policy("writer", f'path "{MOUNT}/data/*" {{ capabilities = ["create", "read", "update"] }}')
    created = root.auth.token.create(policies=["writer"], ttl="1h")
    writer_token = created["auth"]["client_token"]
    accessor = created["auth"]["accessor"]

    writer = Writer(server.url, writer_token)
    writer.start()
    deadline = time.monotonic() + 60
    while len(writer.acked) < MIN_ACKED_BEFORE_KILL and writer.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(writer.acked) >= MIN_ACKED_BEFORE_KILL, (
        f"only {len(writer.acked)} writes acknowledged before the kill ({writer.error}):\n{server.log_tail()}")
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    writer.join(timeout=30)
    assert not writer.is_alive()

    needles = {f"secret value of {key}": value for key, value in writer.acked.items()}
    needles.update({f"counter v{v}": value for v, value in writer.counter_acked.items()})
    needles.update({"root token": server.root_token, "writer token": writer_token})
    for label, token in (("root token", server.root_token), ("writer token", writer_token)):
        if "." in token:
            needles[f"{label} without prefix"] = token.split(".", 1)[1]
    assert_not_in_storage(server, needles)

    server.start()
    assert server.client().sys.is_sealed() is False
    kv = hvac.Client(url=server.url, token=writer_token, timeout=30).secrets.kv.v2
    missing = []
    for key, value in writer.acked.items():
        try:
            got = kv.read_secret_version(f"stream/{key}", mount_point=MOUNT, raise_on_deleted_version=True)
        except exceptions.InvalidPath:
            missing.append(key)
            continue
        assert got["data"]["data"] == {"value": value}, key
    assert not missing, f"{len(missing)} acknowledged writes lost after kill -9: {missing[:10]}"

    counter = kv.read_secret_version("counter", mount_point=MOUNT, raise_on_deleted_version=True)
    last_acked = max(writer.counter_acked)
    assert counter["data"]["metadata"]["version"] >= last_acked
    for version, value in sorted(writer.counter_acked.items())[-9:]:
        got = kv.read_secret_version("counter", version=version, mount_point=MOUNT, raise_on_deleted_version=True)
        assert got["data"]["data"] == {"value": value}

    # Tokens, policies and mounts survived too.
    assert root.auth.token.lookup_accessor(accessor)["data"]["policies"] == ["default", "writer"]
    assert f"{MOUNT}/" in root.sys.list_mounted_secrets_engines()["data"]

    server.stop()
    assert server.process.returncode is not None
    assert_not_in_storage(server, needles)


def test_restart_keeps_state_and_gives_the_root_token_only_once(persistent_server):
    server = persistent_server
    server.start()
    root_token = server.root_token
    server.client().sys.enable_secrets_engine("kv", path="kept", options={"version": "2"})
    server.client().secrets.kv.v2.create_or_update_secret("a", {"v": "1"}, mount_point="kept")
    server.stop()
    # The root token came once, in the sys/init answer; the server never prints it.
    assert root_token not in server.log_text()

    server.start()
    assert root_token not in server.log_text(), "root token printed on restart"
    again = requests.put(f"{server.url}/v1/sys/init", json={"recovery_shares": 1, "recovery_threshold": 1}, timeout=10)
    assert again.status_code == 400 and again.json() == {"errors": ["Vault is already initialized"]}
    assert server.root_token == root_token
    got = server.client().secrets.kv.v2.read_secret_version("a", mount_point="kept", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"v": "1"}
    status = server.client().sys.read_seal_status()
    assert status["storage_type"] == "sqlite"
    assert status["type"] == "static" and status["recovery_seal"] is True and status["sealed"] is False


class TokenBurst(threading.Thread):
    """POSTs one token-issuing request after another until the connection breaks or an answer is not a 2xx.

    `acked` holds `(client_token, accessor)` of every 2xx answer that arrived whole; `in_flight` says a
    request is out, so the killer can tell it struck mid-burst.
    """

    def __init__(self, url: str, path: str, body: dict, token: str | None = None):
        super().__init__(daemon=True)
        self.session = requests.Session()
        if token:
            self.session.headers.update({"X-Vault-Token": token})
        self.url = f"{url}/v1/{path}"
        self.body = body
        self.acked: list[tuple[str, str]] = []
        self.refused: str | None = None
        self.in_flight = False
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            while len(self.acked) < 100_000:
                self.in_flight = True
                response = self.session.post(self.url, json=self.body, timeout=10)
                self.in_flight = False
                if not 200 <= response.status_code < 300:
                    self.refused = f"{response.status_code} {response.text[:300]}"
                    return
                auth = response.json()["auth"]
                self.acked.append((auth["client_token"], auth["accessor"]))
        except requests.RequestException as error:
            self.error = error


def burst_then_kill_9(server: PersistentServer, bursts: list[TokenBurst]) -> list[tuple[str, str]]:
    """Runs `bursts` until MIN_ACKED_BEFORE_KILL tokens are acknowledged, SIGKILLs the server mid-burst, and
    returns every acknowledged `(token, accessor)`."""
    for burst in bursts:
        burst.start()
    deadline = time.monotonic() + 60
    while (sum(len(b.acked) for b in bursts) < MIN_ACKED_BEFORE_KILL and all(b.is_alive() for b in bursts)
           and time.monotonic() < deadline):
        time.sleep(0.01)
    problems = [b.refused or repr(b.error) for b in bursts if not b.is_alive()]
    assert sum(len(b.acked) for b in bursts) >= MIN_ACKED_BEFORE_KILL and not problems, (
        f"{sum(len(b.acked) for b in bursts)} tokens acknowledged before the kill; {problems}:\n{server.log_tail()}")
    in_flight = sum(b.in_flight for b in bursts)
    os.kill(server.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    for burst in bursts:
        burst.join(timeout=30)
        assert not burst.is_alive()
    assert in_flight >= 1, "no request was in flight when the server was killed"
    for burst in bursts:
        # Only the kill ends a burst: a refused request, a timeout or a malformed answer is a failure.
        assert burst.refused is None, burst.refused
        assert isinstance(burst.error, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)), (
            repr(burst.error))
        assert not isinstance(burst.error, requests.Timeout), repr(burst.error)
    return [token for burst in bursts for token in burst.acked]


def assert_tokens_work(server: PersistentServer, acked: list[tuple[str, str]], policies: list[str]) -> list[dict]:
    """Every acknowledged token answers `lookup-self` with 200, its accessor and `policies`, and its accessor
    answers `lookup-accessor`; returns the lookups. Failures name accessors, never tokens."""
    lost, wrong, lookups = [], [], []
    with requests.Session() as session:
        for token, accessor in acked:
            response = session.get(f"{server.url}/v1/auth/token/lookup-self", headers={"X-Vault-Token": token},
                                   timeout=10)
            if response.status_code != 200:
                lost.append(f"{accessor}: {response.status_code} {response.text[:120]}")
                continue
            data = response.json()["data"]
            lookups.append(data)
            if data["accessor"] != accessor or sorted(data["policies"]) != sorted(policies):
                wrong.append(f"{accessor}: accessor {data['accessor']}, policies {data['policies']}")
            by_accessor = session.post(f"{server.url}/v1/auth/token/lookup-accessor", json={"accessor": accessor},
                                       headers={"X-Vault-Token": server.root_token}, timeout=10)
            if by_accessor.status_code != 200:
                wrong.append(f"{accessor}: lookup-accessor {by_accessor.status_code} {by_accessor.text[:120]}")
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged tokens lost after kill -9: {lost[:5]}"
    assert not wrong, f"{len(wrong)} of {len(acked)} tokens changed after kill -9: {wrong[:5]}"
    return lookups


def expect_2xx(server: PersistentServer, method: str, path: str, body: dict | None = None) -> requests.Response:
    response = server.request(method, path, json=body)
    assert 200 <= response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:300]}"
    return response


def test_acknowledged_azure_logins_survive_kill_9(tmp_path):
    fixture = json.loads(AZURE_FIXTURE.read_text())
    principal = fixture["virtualMachines"][0]["systemAssignedIdentity"]["principalId"]
    app = fixture["tenants"][0]["applications"][0]
    sim = AzureSimulatorProcess.start(AZURE_FIXTURE, tmp_path)
    server = PersistentServer(tmp_path, {
        "AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"})
    try:
        server.start()
        expect_2xx(server, "POST", "sys/auth/azure", {"type": "azure"})
        expect_2xx(server, "POST", "auth/azure/config", {
            "tenant_id": sim.tenant_id, "resource": AZURE_RESOURCE, "environment": "AzureStackCloud",
            "client_id": app["appId"], "client_secret": app["passwordCredentials"][0]["secretText"]})
        expect_2xx(server, "PUT", "sys/policies/acl/login-reader",
                   {"policy": 'path "secret/*" { capabilities = ["read"] }'})
        # Bound to the VM's service principal only: no ARM call, so the login is JWT verification plus writes.
        expect_2xx(server, "POST", "auth/azure/role/sp-role", {
            "bound_service_principal_ids": principal, "token_policies": "login-reader"})
        jwt = sim.imds_token(AZURE_RESOURCE)
        bursts = [TokenBurst(server.url, "auth/azure/login", {"role": "sp-role", "jwt": jwt})
                  for _ in range(BURST_THREADS)]
        acked = burst_then_kill_9(server, bursts)
        needles = {"login JWT": jwt, "client secret": app["passwordCredentials"][0]["secretText"]}
        for token, accessor in acked[:20] + acked[-20:]:
            needles[f"token {accessor}"] = token
            needles[f"token {accessor} without prefix"] = token.split(".", 1)[-1]
        assert_not_in_storage(server, needles)

        server.start()
        lookups = assert_tokens_work(server, acked, ["default", "login-reader"])
        assert {lookup["meta"]["role"] for lookup in lookups} == {"sp-role"}
        # One principal, one entity: every login's entity survived with it.
        entity_ids = {lookup["entity_id"] for lookup in lookups}
        assert len(entity_ids) == 1 and "" not in entity_ids, entity_ids
        assert expect_2xx(server, "GET", f"identity/entity/id/{entity_ids.pop()}").json()["data"]["aliases"]
    finally:
        server.kill()
        sim.stop()


def test_acknowledged_child_tokens_survive_kill_9(persistent_server):
    server = persistent_server
    server.start()
    expect_2xx(server, "PUT", "sys/policies/acl/child", {"policy": 'path "secret/*" { capabilities = ["read"] }'})
    bursts = [TokenBurst(server.url, "auth/token/create", {"policies": ["child"], "ttl": "1h"}, server.root_token)
              for _ in range(BURST_THREADS)]
    acked = burst_then_kill_9(server, bursts)

    server.start()
    assert_tokens_work(server, acked, ["child", "default"])
    # The parent index survived too: revoking root revokes every acknowledged child with it.
    assert server.request("POST", "auth/token/revoke-self").status_code == 204
    with requests.Session() as session:
        alive = [accessor for token, accessor in acked
                 if session.get(f"{server.url}/v1/auth/token/lookup-self", headers={"X-Vault-Token": token},
                                timeout=10).status_code != 403]
    assert not alive, f"{len(alive)} of {len(acked)} children outlived their revoked parent: {alive[:5]}"
