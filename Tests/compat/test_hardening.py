"""Issue 10 against the real binary: unauthenticated inputs that used to crash Coffer, and the listener's limits.

Each test checks the server is still alive and answering afterwards.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import CofferProcess, coffer_binary, free_port

HEALTH_CODES = ["activecode", "sealedcode", "uninitcode", "standbycode", "drsecondarycode",
                "performancestandbycode"]


def assert_alive(server: CofferProcess) -> None:
    assert server.process is not None and server.process.poll() is None, server.log_tail()
    assert requests.get(f"{server.url}/v1/sys/health", timeout=10).status_code == 200


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("name", HEALTH_CODES)
@pytest.mark.parametrize("value", ["1000", "99999999999", "-1", "99", "0", "600", "-99999999999"])
def test_health_code_outside_http_range_is_400_naming_it(fresh_server, name, value):
    # Reproduction 1: `activecode=1000` used to trap in HTTPResponse.Status(code:).
    response = requests.get(f"{fresh_server.url}/v1/sys/health", params={name: value}, timeout=10)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 1 and name in errors[0]
    assert_alive(fresh_server)


@pytest.mark.parametrize("value", ["abc", "1e3", "99999999999999999999", ""])
def test_health_code_that_is_not_an_integer_is_vaults_bare_400(fresh_server, value):
    response = requests.get(f"{fresh_server.url}/v1/sys/health", params={"sealedcode": value}, timeout=10)
    if value == "":  # an empty code is no code, as in Vault
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and response.json() == {"errors": []}
    assert_alive(fresh_server)


def test_health_code_inside_http_range_is_used(fresh_server):
    response = requests.get(f"{fresh_server.url}/v1/sys/health", params={"activecode": "299"}, timeout=10)
    assert response.status_code == 299
    assert response.json()["initialized"] is True
    head = requests.head(f"{fresh_server.url}/v1/sys/health", params={"activecode": "599"}, timeout=10)
    assert head.status_code == 599


def raw_exchange(server: CofferProcess, payload: bytes, wait: float = 2.0) -> bytes:
    host, port = server.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(payload)
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except socket.timeout:
            pass
    return received


@pytest.mark.parametrize("size", [b"-1", b"+5", b"-0", b"FFFFFFFFFFFFFFFFFFFF", b"0x5"])
def test_malformed_chunk_size_is_refused_without_a_crash(fresh_server, size):
    # Reproduction 2: `-1` used to make the LIST rewriter slice out of range.
    payload = (b"POST /v1/sys/capabilities-self HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               + size + b"\r\nA\r\n0\r\n\r\n")
    answer = raw_exchange(fresh_server, payload)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:200]
    assert_alive(fresh_server)


def test_an_endless_chunk_size_line_is_not_buffered(fresh_server):
    # Reproduction 3: 256 MiB on one connection raised RSS from 39 to 295 MiB.
    host, port = fresh_server.address.rsplit(":", 1)
    before = rss_kib(fresh_server.pid)
    block = b"a" * (1 << 20)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /v1/sys/capabilities-self HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;")
        try:
            for _ in range(64):
                sock.sendall(block)
        except OSError:
            pass  # the server may close the connection: that is allowed
    grown = rss_kib(fresh_server.pid) - before
    assert grown < 24 * 1024, f"RSS grew by {grown} KiB"
    assert_alive(fresh_server)


def test_many_half_sent_requests_do_not_starve_a_fresh_request(fresh_server):
    host, port = fresh_server.address.rsplit(":", 1)
    sockets = []
    try:
        for _ in range(1100):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n")  # never finished
            sockets.append(sock)
        started = time.monotonic()
        response = requests.get(f"{fresh_server.url}/v1/sys/health", timeout=10)
        assert response.status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in sockets:
            sock.close()
    assert_alive(fresh_server)


def write_config(tmp_path: Path, listener: dict, key_mode: int = 0o600) -> tuple[Path, str]:
    """A persistent server's configuration whose listener section is `listener` (plus a free address)."""
    address = f"127.0.0.1:{free_port()}"
    key_path = tmp_path / "seal.key"
    key_path.write_text("00" * 32 + "\n")
    key_path.chmod(key_mode)
    config_path = tmp_path / "coffer.json"
    config_path.write_text(json.dumps({
        "listener": {"tcp": {"address": address, "tls_disable": True, **listener}},
        "storage": {"sqlite": {"path": str(tmp_path / "coffer.db")}},
        "seal": {"static": {"key_file": str(key_path)}},
    }))
    return config_path, address


def configured_server(tmp_path: Path, listener: dict) -> CofferProcess:
    config_path, address = write_config(tmp_path, listener)
    server = CofferProcess([str(coffer_binary()), "server", f"-config={config_path}"], address, None, tmp_path)
    # A static-seal server answers 501 until an operator runs sys/init; then it unseals itself (docs/seal.md).
    server.ready_statuses = (200, 501)
    server.start()
    init = requests.put(f"{server.url}/v1/sys/init", json={"recovery_shares": 1, "recovery_threshold": 1}, timeout=30)
    assert init.status_code == 200, init.text
    server.root_token = init.json()["root_token"]
    return server


def refused_start(config_path: Path) -> str:
    """Runs a server that must refuse to start; returns what it printed."""
    result = subprocess.run([str(coffer_binary()), "server", f"-config={config_path}"], capture_output=True,
                            timeout=30, text=True)
    assert result.returncode != 0
    return result.stderr + result.stdout


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_slow_headers_are_cut_off_and_max_connections_holds(tmp_path):
    server = configured_server(tmp_path, {"max_connections": 20, "http_read_header_timeout": "1s"})
    host, port = server.address.rsplit(":", 1)
    try:
        held = []
        for _ in range(20):
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n")
            held.append(sock)
        time.sleep(0.2)
        extra = socket.create_connection((host, int(port)), timeout=10)
        assert closed_by_server(extra, 2.0), "the 21st connection was not closed"
        extra.close()
        # The header deadline closes every half-sent request, freeing the slots.
        assert all(closed_by_server(sock, 3.0) for sock in held)
        for sock in held:
            sock.close()
        assert requests.get(f"{server.url}/v1/sys/health", timeout=10).status_code == 200
        silent = socket.create_connection((host, int(port)), timeout=10)
        assert closed_by_server(silent, 3.0), "a connection that never sent a byte was kept open"
        silent.close()
    finally:
        server.stop()


@pytest.mark.parametrize("listener,message", [
    ({"max_connections": 0}, "listener.tcp.max_connections must be an integer between 1 and 1000000"),
    ({"max_connections": 1e19}, "listener.tcp.max_connections"),
    ({"http_read_header_timeout": "9999999999999999h"}, "listener.tcp.http_read_header_timeout"),
    ({"surprise": 1}, 'unknown key "listener.tcp.surprise"'),
])
def test_bad_listener_settings_refuse_to_start(tmp_path, listener, message):
    config_path, _ = write_config(tmp_path, listener)
    assert message in refused_start(config_path)


def test_a_seal_key_file_readable_by_others_is_refused(tmp_path):
    config_path, _ = write_config(tmp_path, {}, key_mode=0o644)
    assert "accessible by group or others" in refused_start(config_path)
    assert not (tmp_path / "coffer.db").exists() or (tmp_path / "coffer.db").stat().st_size == 0


def test_accessors_are_not_visible_in_the_sqlite_file(persistent_server):
    persistent_server.start()
    client = persistent_server.client()
    created = client.auth.token.create(policies=["default"], ttl="1h")
    accessor = created["auth"]["accessor"]
    assert client.auth.token.lookup_accessor(accessor)["data"]["accessor"] == accessor
    for path in persistent_server.storage_files():
        assert accessor.encode() not in path.read_bytes(), f"{path.name} holds the plain accessor"
