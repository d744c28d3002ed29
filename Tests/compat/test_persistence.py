"""Crash durability and encryption at rest of the persistent (SQLite + static seal) server.

A client streams KV writes while the server is killed with SIGKILL; after a restart with the same
configuration every write that was acknowledged with a 2xx must be there, and the SQLite files must
contain neither secret values nor token ids in the clear.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time

import hvac
import requests
from hvac import exceptions

from conftest import PersistentServer

MOUNT = "durable"
MIN_ACKED_BEFORE_KILL = 300


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
