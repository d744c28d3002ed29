"""High availability on PostgreSQL, end to end (docs/ha.md): three `coffer server` nodes share one table and one
HA lock table, with a short `lock_ttl`, the static seal (one key file for all three) and `api_addr` each.

The database is the one test_postgresql.py uses (COFFER_TEST_POSTGRES_URL; skipped when unset, a failure when
COFFER_TEST_POSTGRES_REQUIRED=1), except for the database-restart test, which restarts a PostgreSQL server of its
own (see PrivatePostgres). Every cluster makes its own tables and drops them afterwards. The tests assert data and
HTTP answers, never log lines:

- kill -9 of the active node: a standby takes over within 2x the lock TTL and no acknowledged write is lost;
- SIGSTOP of the active node past its lease: its writes are fenced, and it comes back as a standby;
- a PostgreSQL restart under load: bounded errors, never a hang, an active node again, nothing lost;
- sys/step-down: the role moves, exactly one node is active at every poll, short-lived tokens expire;
- hvac through a standby gets the active's answers; redirects with X-Vault-No-Request-Forwarding and
  `disable_forwarding`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import hvac
import pytest
import requests
from hvac import exceptions

from azure_sim import AzureSimulatorProcess
from conftest import REPO_ROOT, CofferProcess, coffer_binary, free_port
from test_postgresql import TCPProxy, postgres_url, psql, url_through  # noqa: F401 (postgres_url is a fixture)

LOCK_TTL_S = 3
# A request that takes this long is a hang (the issue: 503s during an outage, never hangs).
REQUEST_TIMEOUT_S = 15.0
DATABASE_OUTAGE_S = 8
AZURE_FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
AZURE_RESOURCE = "https://management.azure.com/"


class HANode(CofferProcess):
    """One node of an ``HACluster``: `coffer server -config=…` on a free loopback port, `api_addr` its own URL."""

    # Uninitialised (501), sealed (503), standby (429) and active (200) all mean "listening".
    ready_statuses = (200, 429, 501, 503)

    def __init__(self, workdir: Path, name: str, config: dict, environment: dict[str, str]):
        address = f"127.0.0.1:{free_port()}"
        self.name = name
        self.api_addr = f"http://{address}"
        workdir.mkdir(parents=True, exist_ok=True)
        config_path = workdir / "coffer.json"
        config_path.write_text(json.dumps({
            **config,
            "listener": {"tcp": {"address": address, "tls_disable": True}},
            "api_addr": self.api_addr,
        }))
        super().__init__([str(coffer_binary()), "server", f"-config={config_path}"], address, None, workdir)
        self.environment = dict(environment)

    def health(self) -> int | None:
        try:
            return requests.get(f"{self.url}/v1/sys/health", timeout=2).status_code
        except requests.RequestException:
            return None

    def leader(self) -> dict | None:
        """`sys/leader`'s answer, or None when the node does not answer (dead, stopped) or answers an error."""
        try:
            response = requests.get(f"{self.url}/v1/sys/leader", timeout=2)
        except requests.RequestException:
            return None
        return response.json() if response.status_code == 200 else None

    def is_active(self) -> bool:
        leader = self.leader()
        return bool(leader and leader.get("is_self") is True)

    def __repr__(self) -> str:
        return f"<{self.name} {self.api_addr}>"


class HACluster:
    """Nodes sharing a table and an HA lock table; node 0 is started and initialised first, so it is active.

    ```python
    cluster = HACluster(tmp_path, postgres_url)
    cluster.start()
    active, took = cluster.wait_for_active(cluster.nodes[1:], timeout=10)
    cluster.kill_all(); cluster.drop(postgres_url)
    ```
    """

    def __init__(self, workdir: Path, database_url: str, size: int = 3, environment: dict[str, str] | None = None,
                 node_extra: dict[int, dict] | None = None):
        self.table = "coffer_h" + secrets.token_hex(6)
        self.ha_table = self.table + "_ha"
        key_path = workdir / "seal.key"
        key_path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        os.chmod(key_path, 0o600)
        config = {
            "storage": {"postgresql": {
                "table": self.table, "ha_table": self.ha_table, "ha_enabled": "true",
                "lock_ttl": f"{LOCK_TTL_S}s", "max_parallel": 8}},
            "seal": {"static": {"key_file": str(key_path)}},
            "default_lease_ttl": "768h", "max_lease_ttl": "768h",
            "telemetry": {"disable_hostname": True, "usage_gauge_period": "none"},
            "log_level": "info", "log_format": "standard",
        }
        # The password reaches the servers through the production fallback, never a file (test_postgresql.py).
        env = {"COFFER_PG_CONNECTION_URL": database_url, **(environment or {})}
        self.nodes = [HANode(workdir / f"node{index}", f"node{index}", {**config, **(node_extra or {}).get(index, {})},
                             env) for index in range(size)]
        self.root_token: str | None = None

    def start(self) -> None:
        first, rest = self.nodes[0], self.nodes[1:]
        first.start()
        response = requests.put(f"{first.url}/v1/sys/init", json={"recovery_shares": 1, "recovery_threshold": 1},
                                timeout=30)
        assert response.status_code == 200, f"sys/init: {response.status_code} {response.text[:300]}"
        self.root_token = response.json()["root_token"]
        for node in self.nodes:
            node.root_token = self.root_token
        wait_until(lambda: first.health() == 200, 30, lambda: f"node0 never became active:\n{first.log_tail()}")
        for node in rest:
            node.start()
        for node in rest:
            # Unsealed by the static seal, standing by, and knowing the active node (to forward to it).
            wait_until(lambda: node.health() == 429 and (node.leader() or {}).get("leader_address") == first.api_addr,
                       30, lambda: f"{node.name} never became a standby of node0: {node.leader()}\n{node.log_tail()}")

    def wait_for_active(self, candidates: list[HANode], timeout: float) -> tuple[HANode, float]:
        """The first of `candidates` that reports `is_self` in sys/leader, and the seconds that took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            for node in candidates:
                if node.is_active():
                    return node, time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"no active node among {candidates} after {timeout}s: "
                             f"{[(n.name, n.leader()) for n in candidates]}")

    def kill_all(self) -> None:
        for node in self.nodes:
            node.kill()  # SIGKILL ends a SIGSTOPped process too

    def drop(self, admin_url: str) -> None:
        psql(admin_url, f'DROP TABLE IF EXISTS "{self.table}"; DROP TABLE IF EXISTS "{self.table}_schema"; '
                        f'DROP TABLE IF EXISTS "{self.ha_table}"')


def assert_no_secrets_in_logs(cluster: HACluster, database_url: str, secrets_: dict[str, str]) -> None:
    """Neither the database password nor any of `secrets_` (label: value) appears in any node's log, forwarding
    included."""
    needles = {"database password": urlsplit(database_url).password or "", "root token": cluster.root_token or "",
               **secrets_}
    for node in cluster.nodes:
        text = node.log_text()
        leaked = [label for label, value in needles.items() if value and value in text]
        assert not leaked, f"{leaked} in {node.name}'s log"


def wait_until(condition, timeout: float, message) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message())


def expect_2xx(node: HANode, method: str, path: str, body: dict | None = None) -> requests.Response:
    response = node.request(method, path, json=body)
    assert 200 <= response.status_code < 300, (
        f"{method} {path} on {node.name}: {response.status_code} {response.text[:300]}")
    return response


class ClusterClient(threading.Thread):
    """A client writing KV v2 secrets (and logging in with Azure when `login` is given) through `nodes` in turn,
    the way a load balancer in front of the cluster would send them. It records every acknowledged (2xx) write and
    login with the time it was acknowledged, every answer's status, and every request that hit the timeout."""

    def __init__(self, nodes: list[HANode], token: str, mount: str, prefix: str, login: dict | None = None):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.token = token
        self.mount = mount
        self.prefix = prefix
        self.login = login
        self.sessions = {node.name: requests.Session() for node in nodes}
        self.acked: dict[str, str] = {}
        self.acked_at: list[tuple[float, str]] = []  # (monotonic time, node name) of each acknowledged request
        self.logins: list[tuple[str, str]] = []
        self.answers: Counter[str] = Counter()
        self.timeline: list[tuple[float, str, str]] = []  # (monotonic time, node, status or error)
        self.hangs: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        index = 0
        while not self.stopping.is_set():
            node = self.nodes[index % len(self.nodes)]
            key, value = f"{self.prefix}{index}", "v" + secrets.token_hex(12)
            response = self.send(node, f"{self.mount}/data/{key}", {"data": {"value": value}}, self.token)
            if response is not None:
                self.acked[key] = value
            if self.login is not None:
                response = self.send(node, "auth/azure/login", self.login, None)
                if response is not None:
                    auth = response.json()["auth"]
                    self.logins.append((auth["client_token"], auth["accessor"]))
            index += 1

    def send(self, node: HANode, path: str, body: dict, token: str | None) -> requests.Response | None:
        """POSTs; the answer when it is a 2xx, else None (after a short pause, as a client retrying would)."""
        headers = {"X-Vault-Token": token} if token else {}
        started = time.monotonic()
        try:
            response = self.sessions[node.name].post(f"{node.url}/v1/{path}", json=body, headers=headers,
                                                     timeout=REQUEST_TIMEOUT_S)
            outcome = str(response.status_code)
            if response.status_code >= 400:
                try:
                    outcome += " " + ",".join(response.json().get("errors", []))
                except ValueError:
                    outcome += " " + response.text[:100]
        except requests.Timeout:
            self.hangs.append(f"{path} via {node.name} after {time.monotonic() - started:.1f}s")
            outcome, response = "timeout", None
        except requests.RequestException as error:
            outcome, response = type(error).__name__, None
        self.answers[outcome] += 1
        now = time.monotonic()
        self.timeline.append((now, node.name, outcome))
        if response is not None and 200 <= response.status_code < 300:
            self.acked_at.append((now, node.name))
            return response
        time.sleep(0.05)
        return None

    def acked_since(self, moment: float, node: HANode | None = None) -> int:
        return sum(1 for at, name in self.acked_at if at > moment and (node is None or name == node.name))

    def finish(self) -> None:
        self.stopping.set()
        self.join(timeout=2 * REQUEST_TIMEOUT_S + 5)
        assert not self.is_alive(), "the client is stuck in a request"


def assert_all_readable(nodes: list[HANode], mount: str, acked: dict[str, str]) -> None:
    """Every acknowledged write reads back with its value, through each of `nodes` in turn."""
    wrong = []
    with requests.Session() as session:
        for index, (key, value) in enumerate(acked.items()):
            node = nodes[index % len(nodes)]
            response = session.get(f"{node.url}/v1/{mount}/data/{key}", headers={"X-Vault-Token": node.root_token},
                                   timeout=REQUEST_TIMEOUT_S)
            if response.status_code != 200 or response.json()["data"]["data"] != {"value": value}:
                wrong.append(f"{key} via {node.name}: {response.status_code} {response.text[:120]}")
    assert not wrong, f"{len(wrong)} of {len(acked)} acknowledged writes lost: {wrong[:5]}"


def assert_tokens_work(nodes: list[HANode], tokens: list[tuple[str, str]]) -> None:
    lost = []
    with requests.Session() as session:
        for index, (token, accessor) in enumerate(tokens):
            node = nodes[index % len(nodes)]
            response = session.get(f"{node.url}/v1/auth/token/lookup-self", headers={"X-Vault-Token": token},
                                   timeout=REQUEST_TIMEOUT_S)
            if response.status_code != 200 or response.json()["data"]["accessor"] != accessor:
                lost.append(f"{accessor} via {node.name}: {response.status_code}")
    assert not lost, f"{len(lost)} of {len(tokens)} acknowledged logins lost: {lost[:5]}"


def configure_azure_login(node: HANode, sim: AzureSimulatorProcess) -> dict:
    """auth/azure against the simulator with a role bound to the example VM's service principal (no ARM call);
    returns the login body."""
    fixture = json.loads(AZURE_FIXTURE.read_text())
    principal = fixture["virtualMachines"][0]["systemAssignedIdentity"]["principalId"]
    app = fixture["tenants"][0]["applications"][0]
    expect_2xx(node, "POST", "sys/auth/azure", {"type": "azure"})
    expect_2xx(node, "POST", "auth/azure/config", {
        "tenant_id": sim.tenant_id, "resource": AZURE_RESOURCE, "environment": "AzureStackCloud",
        "client_id": app["appId"], "client_secret": app["passwordCredentials"][0]["secretText"]})
    expect_2xx(node, "POST", "auth/azure/role/sp-role", {"bound_service_principal_ids": principal,
                                                         "token_policies": "default"})
    return {"role": "sp-role", "jwt": sim.imds_token(AZURE_RESOURCE)}


def test_kill_9_of_the_active_node_fails_over_and_loses_nothing(tmp_path, postgres_url):
    sim = AzureSimulatorProcess.start(AZURE_FIXTURE, tmp_path)
    cluster = HACluster(tmp_path, postgres_url, environment={
        "AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"})
    try:
        cluster.start()
        active, survivors = cluster.nodes[0], cluster.nodes[1:]
        expect_2xx(active, "POST", "sys/mounts/hakv", {"type": "kv", "options": {"version": "2"}})
        login = configure_azure_login(active, sim)

        client = ClusterClient(cluster.nodes, cluster.root_token, "hakv", "k", login)
        client.start()
        wait_until(lambda: len(client.acked) >= 40 and len(client.logins) >= 20 or not client.is_alive(), 60,
                   lambda: f"too few acknowledged before the kill: {len(client.acked)}, {client.answers}")
        assert active.is_active()
        os.kill(active.pid, signal.SIGKILL)
        killed = time.monotonic()
        active.process.wait(timeout=10)
        acked_before = len(client.acked)

        successor, took = cluster.wait_for_active(survivors, timeout=6 * LOCK_TTL_S)
        print(f"takeover {took:.2f}s after kill -9 (lock_ttl {LOCK_TTL_S}s); {acked_before} writes acked before")
        assert took <= 2 * LOCK_TTL_S, f"{successor.name} became active {took:.1f}s after the kill"
        taken_over = time.monotonic()
        # Writes and logins through both survivors (the new active, and the standby forwarding to it) succeed again.
        wait_until(lambda: all(client.acked_since(taken_over, node) >= 10 for node in survivors), 60,
                   lambda: f"writes did not resume through {survivors}: {client.answers}\n{successor.log_tail()}")
        logins_after = len(client.logins)
        wait_until(lambda: len(client.logins) >= logins_after + 5, 30,
                   lambda: f"logins did not resume: {client.answers}")
        client.finish()
        print(f"answers: {dict(client.answers)}; first ack after the kill "
              f"{min(at for at, _ in client.acked_at if at > killed) - killed:.2f}s")

        assert not client.hangs, client.hangs
        assert len(client.acked) > acked_before
        assert_all_readable(survivors, "hakv", client.acked)
        assert_tokens_work(survivors, client.logins)
        assert [node.is_active() for node in survivors].count(True) == 1
        assert_no_secrets_in_logs(cluster, postgres_url, {
            "login JWT": login["jwt"], "first login token": client.logins[0][0],
            "last login token": client.logins[-1][0]})
    finally:
        cluster.kill_all()
        sim.stop()
        cluster.drop(postgres_url)


class HeldRequest:
    """An HTTP request sent but for its last byte, so the server has it in hand and answers only after
    ``finish()`` sends that byte (used to put a write in a node's queue across a SIGSTOP)."""

    def __init__(self, node: HANode, method: str, path: str, body: dict, headers: dict[str, str]):
        payload = json.dumps(body).encode()
        lines = [f"{method} /v1/{path} HTTP/1.1", f"Host: {node.address}", "Content-Type: application/json",
                 f"Content-Length: {len(payload)}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.socket = socket.create_connection(("127.0.0.1", int(node.address.rsplit(":", 1)[1])), timeout=5)
        self.socket.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload[:-1])
        self.rest = payload[-1:]

    def finish(self) -> None:
        self.socket.sendall(self.rest)

    def answer(self, timeout: float) -> tuple[int | None, dict[str, str], bytes]:
        """(status, headers, body); status None when the connection closed without an answer."""
        self.socket.settimeout(timeout)
        data = b""
        try:
            while chunk := self.socket.recv(65536):
                data += chunk
        except OSError:
            pass
        self.socket.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 "):
            return None, {}, b""
        status_line, *header_lines = head.decode(errors="replace").split("\r\n")
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in header_lines)}
        return int(status_line.split()[1]), headers, body


def test_a_paused_active_node_is_fenced_and_comes_back_as_a_standby(tmp_path, postgres_url):
    cluster = HACluster(tmp_path, postgres_url)
    try:
        cluster.start()
        old, others = cluster.nodes[0], cluster.nodes[1:]
        expect_2xx(old, "POST", "sys/mounts/part", {"type": "kv", "options": {"version": "2"}})
        # Keys that the paused node will try to update with check-and-set at the version it knows…
        versions = {}
        for index in range(3):
            answer = expect_2xx(old, "POST", f"part/data/cas{index}", {"data": {"value": "before"}})
            versions[f"cas{index}"] = answer.json()["data"]["version"]
        # …and writes of new keys. X-Vault-No-Request-Forwarding: were the node a standby by the time it reads
        # them, it answers 307 instead of forwarding them, so a 2xx could only be its own write as a deposed node.
        no_forwarding = {"X-Vault-Token": cluster.root_token, "X-Vault-No-Request-Forwarding": "1"}
        held = {key: HeldRequest(old, "POST", f"part/data/{key}",
                                 {"data": {"value": "from-old"}, "options": {"cas": version}}, no_forwarding)
                for key, version in versions.items()}
        held.update({f"new{index}": HeldRequest(old, "POST", f"part/data/new{index}", {"data": {"value": "from-old"}},
                                                no_forwarding) for index in range(3)})
        time.sleep(0.3)  # the node has read each request's head

        os.kill(old.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        successor, took = cluster.wait_for_active(others, timeout=10 * LOCK_TTL_S)
        print(f"takeover {took:.2f}s after SIGSTOP (lock_ttl {LOCK_TTL_S}s)")
        assert took <= 2 * LOCK_TTL_S, f"{successor.name} became active {took:.1f}s after the SIGSTOP"
        # While the old node is paused, the new active writes the same keys.
        for key in versions:
            answer = expect_2xx(successor, "POST", f"part/data/{key}", {"data": {"value": "from-new"}})
            assert answer.json()["data"]["version"] == versions[key] + 1
        for index in range(3):
            expect_2xx(successor, "POST", f"part/data/during{index}", {"data": {"value": f"during-{index}"}})
        time.sleep(max(0.0, 2.5 * LOCK_TTL_S - (time.monotonic() - stopped)))
        for request in held.values():
            request.finish()
        os.kill(old.pid, signal.SIGCONT)

        outcomes = {key: request.answer(timeout=REQUEST_TIMEOUT_S) for key, request in held.items()}
        print({key: (status, body[:100]) for key, (status, _, body) in outcomes.items()})
        cas_mismatch = b'{"errors":["check-and-set parameter did not match the current version"]}'
        for key, (status, headers, body) in outcomes.items():
            # Fenced (503), or already a standby redirecting (307 to the new active), or dropped; never written. A
            # check-and-set write may also be refused for its version when the node read the new one (nothing
            # written either: the data below proves it).
            refused_cas = key in versions and status == 400 and body.strip() == cas_mismatch
            assert status in (503, 307, None) or refused_cas, (
                f"{key}: the paused node answered {status} {body[:200]!r}")
            if status == 307:
                assert headers.get("location", "").startswith(successor.api_addr + "/v1/part/data/"), headers
        client = successor.client()
        for key in versions:
            got = client.secrets.kv.v2.read_secret_version(key, mount_point="part", raise_on_deleted_version=True)
            assert got["data"]["data"] == {"value": "from-new"}
            assert got["data"]["metadata"]["version"] == versions[key] + 1
            history = client.secrets.kv.v2.read_secret_metadata(key, mount_point="part")["data"]["versions"]
            assert sorted(history) == [str(v) for v in range(1, versions[key] + 2)], history
        for index in range(3):
            with pytest.raises(exceptions.InvalidPath):
                client.secrets.kv.v2.read_secret_version(f"new{index}", mount_point="part",
                                                         raise_on_deleted_version=True)

        # The old node steps down and serves as a standby: it names the new active and forwards to it.
        wait_until(lambda: (old.leader() or {}).get("leader_address") == successor.api_addr, 5 * LOCK_TTL_S,
                   lambda: f"the old node still says {old.leader()}:\n{old.log_tail()}")
        assert old.leader()["is_self"] is False and old.health() == 429
        via_old = old.client().secrets.kv.v2
        for index in range(3):
            got = via_old.read_secret_version(f"during{index}", mount_point="part", raise_on_deleted_version=True)
            assert got["data"]["data"] == {"value": f"during-{index}"}
        via_old.create_or_update_secret("after", {"value": "through-old"}, mount_point="part")
        got = client.secrets.kv.v2.read_secret_version("after", mount_point="part", raise_on_deleted_version=True)
        assert got["data"]["data"] == {"value": "through-old"}
        assert [node.is_active() for node in cluster.nodes] == [node is successor for node in cluster.nodes]
    finally:
        cluster.kill_all()
        cluster.drop(postgres_url)


class PrivatePostgres:
    """A PostgreSQL server of the test's own (initdb in a temporary directory, trust logins on a free loopback
    port) that the test may stop and start. Restarting the shared cluster that scripts/test starts would break the
    other PostgreSQL tests of the same run (and other users of the machine); this restarts a real server all the
    same. None from ``create`` when PostgreSQL's server binaries are not installed."""

    def __init__(self, bindir: Path, directory: Path):
        self.bindir = bindir
        self.directory = directory
        self.port = free_port()
        self.url = f"postgres://coffer:unused@127.0.0.1:{self.port}/postgres?sslmode=disable"

    @classmethod
    def create(cls) -> "PrivatePostgres | None":
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not candidates:
            return None
        directory = Path(tempfile.mkdtemp(prefix="coffer-ha-pg-"))
        server = cls(candidates[-1].parent, directory)
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root.
            shutil.chown(directory, "postgres")
        server.run("initdb", "-D", str(directory / "data"), "-A", "trust", "-U", "coffer", "--no-sync", "-E", "UTF8")
        server.start()
        return server

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{tool}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-w", "start", "-o",
                 f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.directory / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except AssertionError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


def test_a_database_restart_under_load_recovers_without_losing_writes(tmp_path, postgres_url):
    database = PrivatePostgres.create()
    proxy = None
    if database is None:
        # No server binaries to run a private PostgreSQL: cut every connection to the shared one instead.
        target = urlsplit(postgres_url)
        proxy = TCPProxy(target.hostname or "127.0.0.1", target.port or 5432)
        proxy.start()
    url = database.url if database else url_through(postgres_url, proxy.port)
    cluster = HACluster(tmp_path, url)
    try:
        cluster.start()
        expect_2xx(cluster.nodes[0], "POST", "sys/mounts/dbr", {"type": "kv", "options": {"version": "2"}})
        # One client through the active node, one through a standby.
        clients = [ClusterClient([cluster.nodes[0]], cluster.root_token, "dbr", "a"),
                   ClusterClient([cluster.nodes[1]], cluster.root_token, "dbr", "b")]
        for client in clients:
            client.start()
        wait_until(lambda: all(len(c.acked) >= 30 for c in clients), 60,
                   lambda: f"too few writes before the restart: {[c.answers for c in clients]}")

        # Longer than the lock's TTL and than a storage operation's 5 s limit: the leases lapse, and requests waiting
        # on the database must end with an answer rather than wait for it to come back.
        outage_started = time.monotonic()
        if database:
            database.stop("fast")   # every connection closed, as a restart does
            time.sleep(DATABASE_OUTAGE_S)
            database.start()
        else:
            proxy.cut()
            time.sleep(DATABASE_OUTAGE_S)
            proxy.start()
        back = time.monotonic()
        active, took = cluster.wait_for_active(cluster.nodes, timeout=60)
        print(f"{active.name} active {took:.1f}s after the database came back")
        recovered = time.monotonic()
        wait_until(lambda: all(c.acked_since(recovered) >= 10 for c in clients), 60,
                   lambda: f"writes did not resume: {[c.answers for c in clients]}")
        for client in clients:
            client.finish()
        print(f"answers: {[dict(c.answers) for c in clients]}")

        for client in clients:
            assert not client.hangs, client.hangs
            # During the outage a request ends with a 503 (storage unavailable, or no active node known: Vault's text
            # with Coffer's 503, docs/ha.md § What a standby does), never a hang; 2xx is fine.
            failures = [(round(at - outage_started, 1), node, outcome) for at, node, outcome in client.timeline
                        if not outcome.startswith("2")]
            unexpected = [f for f in failures if not f[2].startswith("503 ")]
            assert not unexpected, unexpected[:10]
            late = [f for f in failures if f[0] > back - outage_started + 30]
            assert not late, f"still failing 30 s after the database came back: {late[:5]}"
            assert_all_readable(cluster.nodes, "dbr", client.acked)
        # The outage was felt (some request failed), and every node agrees on the new active node.
        assert any(not outcome.startswith("2") for c in clients for _, _, outcome in c.timeline)
        assert [node.is_active() for node in cluster.nodes].count(True) == 1
        for node in cluster.nodes:
            wait_until(lambda: (node.leader() or {}).get("leader_address") == active.api_addr, 2 * LOCK_TTL_S,
                       lambda: f"{node.name} says {node.leader()}, not {active.name}")
    finally:
        cluster.kill_all()
        if database:
            database.remove()
        else:
            proxy.cut()
            cluster.drop(postgres_url)


class LeaderWatch(threading.Thread):
    """Polls sys/leader on every node in turn until stopped; `polls` holds (time, node, is_self or None)."""

    def __init__(self, nodes: list[HANode]):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.polls: list[tuple[float, str, bool | None]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for node in self.nodes:
                leader = node.leader()
                self.polls.append((time.monotonic(), node.name, None if leader is None else leader["is_self"]))
            time.sleep(0.1)

    def finish(self) -> list[tuple[float, str, bool | None]]:
        self.stopping.set()
        self.join(timeout=10)
        return self.polls


def create_short_tokens(node: HANode, count: int, deadline_s: float = 10.0) -> list[tuple[str, str, float]]:
    """`count` tokens with ttl=3s through `node` (retrying while the cluster has no active node), as
    (token, accessor, monotonic time of creation)."""
    made, started = [], time.monotonic()
    while len(made) < count:
        response = node.request("POST", "auth/token/create", json={"ttl": "3s", "policies": ["default"]},
                                timeout=REQUEST_TIMEOUT_S)
        if response.status_code == 200:
            auth = response.json()["auth"]
            assert auth["lease_duration"] == 3
            made.append((auth["client_token"], auth["accessor"], time.monotonic()))
        else:
            assert time.monotonic() - started < deadline_s, f"{response.status_code} {response.text[:200]}"
            time.sleep(0.1)
    return made


def expiration_entries(database_url: str, table: str) -> dict[str, int]:
    """The token expiration index's entries in `table` (`…token/expire/<bucket>/<expiry ms>-<hash>`: storage keys
    are in clear, values encrypted) with their expiry in Unix milliseconds."""
    keys = psql(database_url, f"SELECT key FROM \"{table}\" WHERE key LIKE '%token/expire/%'").split()
    return {key: int(key.rsplit("/", 1)[1].split("-", 1)[0]) for key in keys}


def test_step_down_moves_the_active_role_and_expiry_runs_once(tmp_path, postgres_url):
    cluster = HACluster(tmp_path, postgres_url)
    watch = LeaderWatch(cluster.nodes)
    try:
        cluster.start()
        old, forwarder = cluster.nodes[0], cluster.nodes[2]
        watch.start()
        tokens = create_short_tokens(old, 4)
        stepped = time.monotonic()
        assert old.request("PUT", "sys/step-down").status_code == 204
        # Right after the step-down, through a standby (forwarded to whichever node is active by then).
        tokens += create_short_tokens(forwarder, 4)
        successor, took = cluster.wait_for_active(cluster.nodes[1:], timeout=4 * LOCK_TTL_S)
        print(f"{successor.name} active {took:.2f}s after the step-down was requested")
        tokens += create_short_tokens(successor, 4)
        # Each has its entry in the expiration index (docs/expiration.md), which the expiry must remove.
        indexed = expiration_entries(postgres_url, cluster.table)
        assert len(indexed) >= len(tokens), indexed
        # The stepped-down node waits 10 s before competing again, but knows the new active meanwhile (Vault reads
        # the lock's holder when asked), so it forwards to it. Checked at the end, so the rest is checked too.
        deadline, old_view, via_old = time.monotonic() + 2 * LOCK_TTL_S, None, None
        while time.monotonic() < deadline:
            old_view = old.leader()
            via_old = old.request("GET", "auth/token/lookup-self")
            if (old_view or {}).get("leader_address") == successor.api_addr and via_old.status_code == 200:
                break
            time.sleep(0.1)
        time.sleep(max(0.0, max(t for _, _, t in tokens) + 3 + 3 - time.monotonic()))
        polls = watch.finish()

        # Exactly one active node at every poll after the handover, and it is the successor throughout.
        seen = min(t for t, name, is_self in polls if name == successor.name and is_self)
        after = [(round(t - stepped, 2), name, is_self) for t, name, is_self in polls if t > seen]
        wrong = [p for p in after if p[2] is not (p[1] == successor.name)]
        assert not wrong, f"leadership was not unique after the handover: {wrong[:10]}"
        before = [(name, is_self) for t, name, is_self in polls if t < stepped]
        assert before and all(is_self is (name == old.name) for name, is_self in before), before

        # Every short-lived token is gone, however it was created, and its expiry left no index entry behind: the
        # expiration manager (running on the active node only) revoked it.
        for token, accessor, _ in tokens:
            assert cluster.nodes[1].request("GET", "auth/token/lookup-self", token=token).status_code == 403
            answer = forwarder.request("POST", "auth/token/lookup-accessor", json={"accessor": accessor})
            assert answer.status_code == 400, f"{accessor}: {answer.status_code} {answer.text[:200]}"
        now_ms = int(time.time() * 1000)
        overdue = [key for key, expiry in expiration_entries(postgres_url, cluster.table).items()
                   if expiry < now_ms - 2000]
        assert not overdue, f"{len(overdue)} expiration entries past their time: {overdue[:5]}"
        assert [node.is_active() for node in cluster.nodes] == [node is successor for node in cluster.nodes]
        assert (old_view or {}).get("leader_address") == successor.api_addr and via_old.status_code == 200, (
            f"{2 * LOCK_TTL_S}s after the handover the stepped-down node said {old_view} and answered "
            f"{via_old.status_code} {via_old.text[:200]}")
    finally:
        watch.stopping.set()
        cluster.kill_all()
        cluster.drop(postgres_url)


def rotations_in_azure(sim: AzureSimulatorProcess) -> int:
    """How many passwords Coffer has added to its application in the simulated tenant (Graph `addPassword`)."""
    response = requests.get(f"{sim.url.rstrip('/')}/_simulator/requests", params={"pathContains": "addPassword"},
                            timeout=10)
    response.raise_for_status()
    return sum(1 for entry in response.json()["requests"] if entry["method"] == "POST")


def test_scheduled_rotation_runs_once_on_the_new_active_node_after_a_step_down(tmp_path, postgres_url):
    sim = AzureSimulatorProcess.start(AZURE_FIXTURE, tmp_path)
    cluster = HACluster(tmp_path, postgres_url, environment={
        "AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"})
    try:
        cluster.start()
        old = cluster.nodes[0]
        # A rotation at the start of every minute. Configured 15-22 s before one, so the handover is over when it
        # is due: only the new active node's periodic work may run it, and it must, once.
        time.sleep((38 - time.time() % 60) % 60)
        configure_azure_login(old, sim)
        expect_2xx(old, "POST", "auth/azure/config", {"rotation_schedule": "* * * * *"})
        due = math.ceil(time.time() / 60) * 60
        assert rotations_in_azure(sim) == 0
        assert old.request("PUT", "sys/step-down").status_code == 204
        successor, _ = cluster.wait_for_active(cluster.nodes[1:], timeout=4 * LOCK_TTL_S)
        assert time.time() < due - 2, "the handover ended too late for the test"
        # The method's periodic pass runs every 10 s.
        time.sleep(due + 25 - time.time())
        assert rotations_in_azure(sim) == 1
        config = expect_2xx(successor, "GET", "auth/azure/config").json()["data"]
        assert config["rotation_schedule"] == "* * * * *"
        assert [node.is_active() for node in cluster.nodes] == [node is successor for node in cluster.nodes]
    finally:
        cluster.kill_all()
        sim.stop()
        cluster.drop(postgres_url)


def test_hvac_through_a_standby_gets_the_active_nodes_answers(tmp_path, postgres_url):
    # node2 redirects (disable_forwarding) instead of forwarding.
    cluster = HACluster(tmp_path, postgres_url, node_extra={2: {"disable_forwarding": True}})
    try:
        cluster.start()
        active, standby, redirecting = cluster.nodes
        direct, via = active.client(), standby.client()

        # What stays local on a standby: health, leader, seal.
        assert standby.health() == 429
        health = standby.request("GET", "sys/health", params={"standbyok": "true"})
        assert health.status_code == 200 and health.json()["standby"] is True
        leader = standby.leader()
        assert leader["ha_enabled"] is True and leader["is_self"] is False
        assert leader["leader_address"] == active.api_addr
        assert active.leader()["leader_address"] == active.api_addr and active.leader()["is_self"] is True
        sealed = standby.request("PUT", "sys/seal")
        assert sealed.status_code == 500
        assert sealed.json() == {"errors": ["vault cannot seal when in standby mode; please restart instead"]}

        # KV v2, all through the standby, with the active node's view alongside.
        via.sys.enable_secrets_engine("kv", path="hvkv", options={"version": "2"})
        written = via.secrets.kv.v2.create_or_update_secret("app/one", {"password": "p1"}, mount_point="hvkv")
        via.secrets.kv.v2.create_or_update_secret("app/two", {"password": "p2"}, mount_point="hvkv")
        read_via = via.secrets.kv.v2.read_secret_version("app/one", mount_point="hvkv", raise_on_deleted_version=True)
        read_direct = direct.secrets.kv.v2.read_secret_version("app/one", mount_point="hvkv",
                                                               raise_on_deleted_version=True)
        assert read_via["data"] == read_direct["data"]
        assert read_via["data"]["data"] == {"password": "p1"}
        assert read_via["data"]["metadata"]["version"] == written["data"]["version"] == 1
        assert (via.secrets.kv.v2.list_secrets("app", mount_point="hvkv")["data"]
                == direct.secrets.kv.v2.list_secrets("app", mount_point="hvkv")["data"] == {"keys": ["one", "two"]})
        via.secrets.kv.v2.delete_metadata_and_all_versions("app/two", mount_point="hvkv")
        with pytest.raises(exceptions.InvalidPath):
            direct.secrets.kv.v2.read_secret_version("app/two", mount_point="hvkv", raise_on_deleted_version=True)

        # Tokens: create, lookup, renew, revoke.
        created = via.auth.token.create(policies=["default"], ttl="1h", renewable=True)["auth"]
        looked_via = via.auth.token.lookup(created["client_token"])["data"]
        looked_direct = direct.auth.token.lookup(created["client_token"])["data"]
        for field in ("accessor", "policies", "creation_time", "creation_ttl", "display_name", "id", "expire_time"):
            assert looked_via[field] == looked_direct[field], field
        assert via.auth.token.renew(created["client_token"], increment="2h")["auth"]["lease_duration"] == 7200
        assert direct.auth.token.lookup(created["client_token"])["data"]["ttl"] > 3600
        via.auth.token.revoke(created["client_token"])
        with pytest.raises(exceptions.Forbidden):
            hvac.Client(url=active.url, token=created["client_token"]).auth.token.lookup_self()

        # sys: policies, mounts, auth methods.
        via.sys.create_or_update_policy("ha-reader", 'path "hvkv/data/*" { capabilities = ["read"] }')
        assert via.sys.read_policy("ha-reader")["data"] == direct.sys.read_policy("ha-reader")["data"]
        policies = via.sys.list_policies()["data"]["policies"]
        assert sorted(policies) == sorted(direct.sys.list_policies()["data"]["policies"])
        assert "ha-reader" in policies
        assert via.sys.list_mounted_secrets_engines()["data"] == direct.sys.list_mounted_secrets_engines()["data"]
        via.sys.enable_auth_method("azure", path="ha-azure")
        assert "ha-azure/" in via.sys.list_auth_methods()["data"]
        assert via.sys.list_auth_methods()["data"] == direct.sys.list_auth_methods()["data"]

        # Raw answers, errors included, are the active node's: status, JSON body and content type.
        for method, path, token in (("GET", "hvkv/data/missing", None), ("LIST", "hvkv/metadata/app", None),
                                    ("LIST", "hvkv/metadata/nothing", None), ("GET", "hvkv/data/app/one", "bogus"),
                                    ("GET", "sys/mounts/hvkv/tune", None), ("POST", "sys/mounts/hvkv", None)):
            answers = [node.request(method, path, token=token) for node in (standby, active)]
            assert answers[0].status_code == answers[1].status_code, (method, path, answers)
            assert answers[0].headers.get("Content-Type") == answers[1].headers.get("Content-Type")
            bodies = [answer.json() for answer in answers]
            for body in bodies:
                body.pop("request_id", None)
            assert bodies[0] == bodies[1], (method, path, bodies)

        # X-Vault-No-Request-Forwarding: a 307 to the active node's api_addr with the original path and query.
        redirect = requests.get(f"{standby.url}/v1/hvkv/data/app/one?version=1", allow_redirects=False, timeout=10,
                                headers={"X-Vault-Token": cluster.root_token, "X-Vault-No-Request-Forwarding": "1"})
        assert redirect.status_code == 307, redirect.text
        assert redirect.headers["Location"] == f"{active.api_addr}/v1/hvkv/data/app/one?version=1"

        # disable_forwarding: the same 307 for every request, which hvac (requests) follows with method and body.
        redirect = requests.get(f"{redirecting.url}/v1/hvkv/data/app/one", allow_redirects=False, timeout=10,
                                headers={"X-Vault-Token": cluster.root_token})
        assert redirect.status_code == 307, redirect.text
        assert redirect.headers["Location"] == f"{active.api_addr}/v1/hvkv/data/app/one"
        redirected = redirecting.client()
        redirected.secrets.kv.v2.create_or_update_secret("app/three", {"password": "p3"}, mount_point="hvkv")
        got = direct.secrets.kv.v2.read_secret_version("app/three", mount_point="hvkv", raise_on_deleted_version=True)
        assert got["data"]["data"] == {"password": "p3"}
        assert redirected.secrets.kv.v2.list_secrets("app", mount_point="hvkv")["data"]["keys"] == ["one", "three"]
        token = redirected.auth.token.create(policies=["ha-reader"], ttl="1h")["auth"]["client_token"]
        assert direct.auth.token.lookup(token)["data"]["policies"] == ["default", "ha-reader"]
        assert_no_secrets_in_logs(cluster, postgres_url, {"created token": created["client_token"],
                                                          "redirected token": token})
    finally:
        cluster.kill_all()
        cluster.drop(postgres_url)
