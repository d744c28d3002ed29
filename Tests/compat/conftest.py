"""Fixtures that run the real `coffer` binary for the hvac compatibility suite.

Use:

    def test_something(client):            # session-wide dev server, root hvac client
        client.secrets.kv.v2.create_or_update_secret("x", {"a": "b"})

    def test_isolated(fresh_server):       # a dev server of its own, stopped after the test
        fresh_server.client().sys.list_mounted_secrets_engines()

The binary comes from `COFFER_BIN` (default `.build/debug/coffer` under the repository root).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import hvac
import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 30.0


def coffer_binary() -> Path:
    path = Path(os.environ.get("COFFER_BIN", REPO_ROOT / ".build" / "debug" / "coffer"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        raise RuntimeError(f"coffer binary not found at {path}; build it or set COFFER_BIN")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def random_token_id() -> str:
    # Custom token ids may not contain '.' nor start with 'hvs.'/'s.' (docs/tokens.md § Token strings).
    return "compat" + secrets.token_hex(12)


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


class CofferProcess:
    """One running `coffer server` child process with its log file and address.

    ```python
    server = CofferProcess.dev()
    server.client().sys.read_health_status(method="GET")
    server.stop()
    ```
    """

    # sys/health statuses that mean "listening and ready for the test".
    ready_statuses: tuple[int, ...] = (200,)

    def __init__(self, args: list[str], address: str, root_token: str | None, workdir: Path):
        self.args = args
        self.address = address
        self.url = f"http://{address}"
        self.root_token = root_token
        self.workdir = workdir
        self.log_path = workdir / f"coffer-{int(time.time() * 1000)}.log"
        self.process: subprocess.Popen[bytes] | None = None
        # Variables added to the inherited environment of every start (e.g. the Azure simulator's).
        self.environment: dict[str, str] = {}

    @classmethod
    def dev(cls, workdir: Path | None = None, attempts: int = 3) -> "CofferProcess":
        workdir = workdir or Path(tempfile.mkdtemp(prefix="coffer-compat-"))
        for attempt in range(attempts):
            token = random_token_id()
            address = f"127.0.0.1:{free_port()}"
            args = [
                str(coffer_binary()), "server", "-dev",
                f"-dev-root-token-id={token}", f"-dev-listen-address={address}",
            ]
            server = cls(args, address, token, workdir)
            try:
                server.start()
                return server
            except RuntimeError:
                # The free port may have been taken between probing and binding; try another.
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.workdir, env={**os.environ, **self.environment},
        )
        log.close()
        self.wait_ready()

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        last_error: object = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"coffer exited with {self.process.returncode} before becoming ready:\n{self.log_tail()}"
                )
            try:
                response = requests.get(f"{self.url}/v1/sys/health", timeout=2)
                if response.status_code in self.ready_statuses:
                    return
                last_error = f"status {response.status_code}: {response.text[:200]}"
            except requests.RequestException as error:
                last_error = error
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"coffer not ready after {timeout}s ({last_error}):\n{self.log_tail()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(url=self.url, token=token if token is not None else self.root_token,
                           timeout=HTTP_TIMEOUT_S)

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """A raw request to `/v1/<path>` with the root token unless `token` is given ('' sends none)."""
        headers = dict(kwargs.pop("headers", {}) or {})
        chosen = self.root_token if token is None else token
        if chosen:
            headers.setdefault("X-Vault-Token", chosen)
        kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
        return requests.request(method, f"{self.url}/v1/{path.lstrip('/')}", headers=headers, **kwargs)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class PersistentServer(CofferProcess):
    """A `coffer server -config=…` with SQLite storage and a static seal key in `workdir`.

    The first start initialises it with `sys/init` as an operator would (one recovery share); the static
    seal then unseals it at once and at every restart (docs/seal.md). The root token from that answer is
    kept across restarts. `environment` is added to the server's environment at every start, e.g. the
    Azure simulator's `AZURE_ENVIRONMENT_FILEPATH` (azure_sim.py).
    """

    # Uninitialised (501) is ready too: `sys/init` comes next.
    ready_statuses = (200, 501)

    def __init__(self, workdir: Path, environment: dict[str, str] | None = None):
        self.db_path = workdir / "coffer.db"
        self.key_path = workdir / "seal.key"
        self.config_path = workdir / "coffer.json"
        address = f"127.0.0.1:{free_port()}"
        self.key_path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        os.chmod(self.key_path, 0o600)
        # Vault's JSON configuration form (docs/configuration.md); plain HTTP on loopback.
        self.config_path.write_text(json.dumps({
            "listener": {"tcp": {"address": address, "tls_disable": True, "max_request_size": 33554432}},
            "storage": {"sqlite": {"path": str(self.db_path)}},
            "seal": {"static": {"key_file": str(self.key_path)}},
            "default_lease_ttl": "768h",
            "max_lease_ttl": "768h",
            "log_level": "info",
            "log_format": "standard",
        }))
        args = [str(coffer_binary()), "server", f"-config={self.config_path}"]
        super().__init__(args, address, None, workdir)
        self.environment = dict(environment or {})

    def start(self) -> None:
        super().start()
        if self.root_token is None:
            self.root_token = self.initialize()
        health = requests.get(f"{self.url}/v1/sys/health", timeout=5)
        if health.status_code != 200:
            raise RuntimeError(f"static seal did not unseal (health {health.status_code}):\n{self.log_tail()}")

    def initialize(self) -> str:
        response = requests.put(
            f"{self.url}/v1/sys/init", json={"recovery_shares": 1, "recovery_threshold": 1}, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"sys/init answered {response.status_code}: {response.text[:300]}")
        body = response.json()
        self.recovery_keys = body["recovery_keys"]
        return body["root_token"]

    def storage_files(self) -> list[Path]:
        return [p for p in (self.db_path, Path(f"{self.db_path}-wal"), Path(f"{self.db_path}-shm")) if p.exists()]


@pytest.fixture(scope="session")
def server():
    """A dev server shared by every test that only adds uniquely named state."""
    process = CofferProcess.dev()
    yield process
    process.stop()


@pytest.fixture
def fresh_server(tmp_path):
    """A dev server of the test's own, for tests whose assertions depend on global state."""
    process = CofferProcess.dev(tmp_path)
    yield process
    process.stop()


@pytest.fixture
def client(server) -> hvac.Client:
    return server.client()


@pytest.fixture
def persistent_server(tmp_path):
    process = PersistentServer(tmp_path)
    yield process
    process.kill()
