"""The real `coffer` binary on `storage "postgresql"` (docs/storage.md#postgresql).

The database comes from COFFER_TEST_POSTGRES_URL (scripts/test starts Debian's PostgreSQL and sets it, with
COFFER_TEST_POSTGRES_REQUIRED=1, which turns a missing database into a failure rather than a skip). Each server
gets a table of its own, dropped afterwards. The server finds its connection URL through COFFER_PG_CONNECTION_URL,
the production fallback for `connection_url`, so the password is in neither the file nor, as asserted, the log.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from conftest import PersistentServer, free_port

POSTGRES_URL = os.environ.get("COFFER_TEST_POSTGRES_URL", "")
REQUIRED = os.environ.get("COFFER_TEST_POSTGRES_REQUIRED") == "1"


@pytest.fixture
def postgres_url() -> str:
    if not POSTGRES_URL:
        if REQUIRED:
            pytest.fail("COFFER_TEST_POSTGRES_REQUIRED=1 but COFFER_TEST_POSTGRES_URL is unset")
        pytest.skip("COFFER_TEST_POSTGRES_URL is unset: PostgreSQL compat tests skipped (scripts/test sets it)")
    return POSTGRES_URL


def psql(url: str, sql: str) -> str:
    """Runs `sql` with psql against the test database; psql takes the URL (and its password) as is."""
    result = subprocess.run(["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


class TCPProxy:
    """A loopback TCP relay to PostgreSQL that a test can cut (listener and every connection closed, as a database
    outage looks to a client) and restore on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        # While set, bytes are held back but no connection is closed: a partition, not a refusal.
        self.frozen = threading.Event()
        # Connections that never relay again yet stay open: a database host gone without resetting its sockets.
        self.dead: set[socket.socket] = set()
        self.closed = False

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while (self.frozen.is_set() or source in self.dead or sink in self.dead) and not self.closed:
                    time.sleep(0.01)
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def blackhole_existing(self) -> None:
        with self.lock:
            self.dead.update(self.sockets)

    def cut(self) -> None:
        if self.listener is not None:
            # close() alone leaves a listener that another thread's accept() holds still accepting on Linux.
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets = []


class PostgresServer(PersistentServer):
    """A PersistentServer whose storage is `storage "postgresql"` on a table of its own."""

    def __init__(self, workdir: Path, database_url: str, extra: dict | None = None):
        super().__init__(workdir)
        self.table = "coffer_c" + secrets.token_hex(8)
        self.database_url = database_url
        config = json.loads(self.config_path.read_text())
        config["storage"] = {"postgresql": {"table": self.table, "max_parallel": 8, **(extra or {})}}
        config["telemetry"] = {"disable_hostname": True, "usage_gauge_period": "none"}
        self.config_path.write_text(json.dumps(config))
        self.environment["COFFER_PG_CONNECTION_URL"] = database_url

    def drop(self, admin_url: str) -> None:
        psql(admin_url, f'DROP TABLE IF EXISTS "{self.table}"; DROP TABLE IF EXISTS "{self.table}_schema"')


def url_through(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials, _, _ = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, f"{credentials}@127.0.0.1:{port}", parts.path, parts.query, ""))


def password_of(url: str) -> str:
    return urlsplit(url).password or ""


@pytest.fixture
def pg_server(tmp_path, postgres_url):
    server = PostgresServer(tmp_path, postgres_url)
    yield server
    server.kill()
    server.drop(postgres_url)


def test_kv_and_tokens_survive_a_restart_on_postgresql(pg_server, postgres_url):
    pg_server.start()
    status = pg_server.request("GET", "sys/seal-status").json()
    assert status["storage_type"] == "postgresql" and status["sealed"] is False
    client = pg_server.client()
    client.sys.enable_secrets_engine("kv", path="pgkv", options={"version": "2"})
    marker = "pgsecret" + secrets.token_hex(12)
    for index in range(20):
        client.secrets.kv.v2.create_or_update_secret(f"app/s{index}", {"value": f"{marker}-{index}"}, mount_point="pgkv")
    token = client.auth.token.create(policies=["default"], ttl="1h")["auth"]["client_token"]
    # The group commit's counters are in sys/metrics, as SQLite's are.
    metrics = pg_server.request("GET", "sys/metrics", params={"format": "prometheus"}).text
    counts = {line.split()[0]: float(line.split()[1]) for line in metrics.splitlines()
              if line.startswith("coffer_storage_postgresql_") and not line.startswith("#") and "{" not in line}
    assert counts.get("coffer_storage_postgresql_writes_total", 0) >= 21, metrics[:2000]
    assert 1 <= counts.get("coffer_storage_postgresql_commits_total", 0) <= counts["coffer_storage_postgresql_writes_total"]

    pg_server.stop()
    pg_server.start()

    client = pg_server.client()
    listed = client.secrets.kv.v2.list_secrets("app", mount_point="pgkv")["data"]["keys"]
    assert sorted(listed) == sorted(f"s{index}" for index in range(20))
    for index in range(20):
        read = client.secrets.kv.v2.read_secret_version(f"app/s{index}", mount_point="pgkv",
                                                         raise_on_deleted_version=True)
        assert read["data"]["data"] == {"value": f"{marker}-{index}"}
    assert pg_server.client(token).auth.token.lookup_self()["data"]["policies"] == ["default"]
    # The barrier encrypts every value before it reaches PostgreSQL (a pg_dump holds ciphertext only).
    dump = psql(postgres_url, f'SELECT encode(value, \'hex\') FROM "{pg_server.table}"')
    assert marker.encode().hex() not in dump
    assert psql(postgres_url, f'SELECT version FROM "{pg_server.table}_schema"').strip() == "1"
    assert password_of(postgres_url) not in pg_server.log_text()


def test_a_database_outage_gives_503_then_recovers(tmp_path, postgres_url):
    target = urlsplit(postgres_url)
    proxy = TCPProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    server = PostgresServer(tmp_path, url_through(postgres_url, proxy.port))
    try:
        server.start()
        client = server.client()
        client.sys.enable_secrets_engine("kv", path="outage", options={"version": "1"})
        client.write("outage/before", value="1")

        proxy.cut()
        started = time.monotonic()
        response = server.request("PUT", "outage/during", json={"value": "2"}, timeout=60)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert response.json() == {"errors": ["storage unavailable"]}
        assert elapsed < 15, f"the outage answer took {elapsed:.1f}s"
        # A read that misses the cache fails the same way.
        assert server.request("GET", "outage/never-written", timeout=60).status_code == 503

        # Longer than the pool's own reconnect backoff would wait by now, were the pool not replaced.
        time.sleep(5)
        proxy.start()
        restored = time.monotonic()
        while True:
            response = server.request("PUT", "outage/after", json={"value": "3"}, timeout=60)
            if response.status_code == 204 or time.monotonic() > restored + 30:
                break
            time.sleep(0.2)
        assert response.status_code == 204, response.text
        recovery = time.monotonic() - restored
        print(f"outage answer {elapsed:.1f}s, recovery {recovery:.1f}s")
        assert recovery < 10, f"writes succeeded again only {recovery:.1f}s after the database came back"
        assert client.read("outage/after")["data"] == {"value": "3"}
        assert client.read("outage/before")["data"] == {"value": "1"}
        assert password_of(postgres_url) not in server.log_text()
    finally:
        server.kill()
        proxy.cut()
        server.drop(postgres_url)


def test_a_silent_database_gives_503_within_bounds_then_recovers(tmp_path, postgres_url):
    """No reset, no answer (a partition, a paused server, a host gone): requests end with 503, not a hang, and
    connections that will never answer again are given up, so service resumes through new ones."""
    target = urlsplit(postgres_url)
    proxy = TCPProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    server = PostgresServer(tmp_path, url_through(postgres_url, proxy.port))
    try:
        server.start()
        client = server.client()
        client.sys.enable_secrets_engine("kv", path="silent", options={"version": "1"})
        client.write("silent/before", value="1")

        def write_until_accepted(key: str) -> float:
            started = time.monotonic()
            while True:
                attempt = time.monotonic()
                response = server.request("PUT", f"silent/{key}", json={"value": key}, timeout=60)
                assert time.monotonic() - attempt < 15, "a request hung"
                if response.status_code == 204 or time.monotonic() > started + 60:
                    break
                assert response.status_code == 503, response.text
                time.sleep(0.2)
            assert response.status_code == 204, response.text
            return time.monotonic() - started

        # The connections open now never answer again; new ones work.
        proxy.blackhole_existing()
        recovery = write_until_accepted("after-dead-connections")
        assert recovery < 20, f"{recovery:.1f}s"

        # Nothing answers for a while: bounded 503s, then service resumes when it answers again.
        proxy.frozen.set()
        for key in ("during-1", "during-2"):
            started = time.monotonic()
            response = server.request("PUT", f"silent/{key}", json={"value": "2"}, timeout=60)
            assert response.status_code == 503, response.text
            assert time.monotonic() - started < 15
        proxy.frozen.clear()
        thawed = write_until_accepted("after-thaw")
        print(f"recovery from dead connections {recovery:.1f}s, after the thaw {thawed:.1f}s")
        assert thawed < 20, f"{thawed:.1f}s"
        for key in ("after-dead-connections", "after-thaw"):
            assert client.read(f"silent/{key}")["data"] == {"value": key}
        assert client.read("silent/before")["data"] == {"value": "1"}
    finally:
        server.kill()
        proxy.closed = True
        proxy.frozen.clear()
        proxy.cut()
        server.drop(postgres_url)


def test_ha_enabled_without_api_addr_is_refused(tmp_path, postgres_url):
    server = PostgresServer(tmp_path, postgres_url, extra={"ha_enabled": "true"})
    with pytest.raises(RuntimeError, match=r"ha_enabled = true needs api_addr \(or VAULT_API_ADDR\)"):
        server.start()
    assert server.process is not None and server.process.returncode != 0
    assert password_of(postgres_url) not in server.log_text()
    server.drop(postgres_url)


def test_a_missing_connection_url_is_refused(tmp_path, postgres_url):
    server = PostgresServer(tmp_path, postgres_url)
    del server.environment["COFFER_PG_CONNECTION_URL"]
    env_without = {key: value for key, value in os.environ.items() if key != "COFFER_PG_CONNECTION_URL"}
    result = subprocess.run(server.args, capture_output=True, text=True, timeout=30, env=env_without)
    assert result.returncode != 0
    assert "needs connection_url" in result.stdout + result.stderr
