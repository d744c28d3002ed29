"""hvac 2.4.0 against a production-shaped Coffer: TLS with a CA made by the test, the Shamir seal, root token
generation, rekey, file audit devices (KV writes and Azure logins HMACed), fail-closed audit, metrics and signals.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import hvac
import pytest
import requests
from hvac import exceptions

from azure_sim import AzureSimulatorProcess
from conftest import REPO_ROOT, coffer_binary, free_port, unique
from production import ProductionServer, TestPKI

AZURE_FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
AZURE_RESOURCE = "https://management.azure.com/"
AZURE_APP_ID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
AZURE_CLIENT_SECRET = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
AZURE_SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"


@pytest.fixture(scope="module")
def pki():
    return TestPKI.create(Path(tempfile.mkdtemp(prefix="coffer-pki-")))


@pytest.fixture
def production(tmp_path, pki):
    server = ProductionServer(tmp_path, pki)
    server.start()
    yield server
    server.kill()


def test_init_unseal_seal_over_tls(production):
    client = production.client(token="")
    assert client.sys.is_initialized() is False
    status = client.sys.read_seal_status()
    assert status["type"] == "shamir" and status["initialized"] is False and status["sealed"] is True

    result = client.sys.initialize(5, 3)
    keys = result["keys"]
    assert len(keys) == 5 and len(set(keys)) == 5
    assert all(re.fullmatch(r"[0-9a-f]{66}", key) for key in keys)
    assert [base64.b64decode(k).hex() for k in result["keys_base64"]] == keys
    assert re.fullmatch(r"hvs\.[0-9A-Za-z]{24}", result["root_token"])
    status = client.sys.read_seal_status()
    assert (status["initialized"], status["sealed"], status["t"], status["n"], status["progress"]) == (
        True, True, 3, 5, 0)

    assert client.sys.submit_unseal_keys(keys[:2])["progress"] == 2
    duplicate = client.sys.submit_unseal_key(keys[1])
    assert duplicate["progress"] == 2 and duplicate["sealed"] is True
    assert client.sys.submit_unseal_key(reset=True)["progress"] == 0
    unsealed = client.sys.submit_unseal_keys([keys[4], keys[0], keys[2]])
    assert unsealed["sealed"] is False and unsealed["progress"] == 0 and unsealed["nonce"] == ""
    assert unsealed["cluster_name"] and unsealed["cluster_id"]

    root = production.client(token=result["root_token"])
    assert root.auth.token.lookup_self()["data"]["policies"] == ["root"]
    root.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    root.secrets.kv.v2.create_or_update_secret("app", {"password": "p-" + unique("v")}, mount_point="secret")

    root.sys.seal()
    assert client.sys.is_sealed() is True
    sealed = production.request("GET", "secret/data/app", token=result["root_token"])
    assert sealed.status_code == 503 and sealed.json() == {"errors": ["Vault is sealed"]}
    client.sys.submit_unseal_keys(keys[1:4])
    assert root.secrets.kv.v2.read_secret_version("app", mount_point="secret", raise_on_deleted_version=True)


def test_a_wrong_key_set_fails_and_resets_progress(production):
    keys = production.init_and_unseal()
    production.client().sys.seal()
    client = production.client(token="")
    forged = [bytes(b ^ 0x5A for b in bytes.fromhex(k)[:-1]).hex() + k[-2:] for k in keys[:3]]
    client.sys.submit_unseal_keys(forged[:2])
    response = production.request("PUT", "sys/unseal", token="", json={"key": forged[2]})
    assert response.status_code == 400
    assert "cipher: message authentication failed" in response.json()["errors"][0]
    status = client.sys.read_seal_status()
    assert status["sealed"] is True and status["progress"] == 0


def test_seal_needs_sudo(production):
    production.init_and_unseal()
    root = production.client()
    root.sys.create_or_update_policy("no-sudo", 'path "sys/seal" { capabilities = ["update"] }')
    token = root.auth.token.create(policies=["no-sudo"])["auth"]["client_token"]
    response = production.request("PUT", "sys/seal", token=token)
    assert response.status_code == 403 and "permission denied" in response.text
    assert root.sys.is_sealed() is False


def decode_root_token(encoded: str, otp: str) -> str:
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    return bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()


def test_generate_root_with_three_keys(production):
    keys = production.init_and_unseal()
    client = production.client(token="")
    started = client.sys.start_root_token_generation()
    otp = started["otp"]
    assert started["started"] is True and started["required"] == 3 and len(otp) == 28
    assert started["otp_length"] == 28
    nonce = started["nonce"]

    first = client.sys.generate_root(keys[0], nonce)
    assert first["progress"] == 1 and first["complete"] is False
    with pytest.raises(exceptions.InvalidRequest, match="given key has already been provided"):
        client.sys.generate_root(keys[0], nonce)
    client.sys.generate_root(keys[3], nonce)
    final = client.sys.generate_root(keys[4], nonce)
    assert final["complete"] is True
    assert final["encoded_token"] == final["encoded_root_token"]
    token = decode_root_token(final["encoded_token"], otp)
    assert token != production.root_token

    assert production.client(token=token).auth.token.lookup_self()["data"]["policies"] == ["root"]
    assert client.sys.read_root_generation_progress()["started"] is False

    decoded = production.cli("operator", "generate-root", f"-decode={final['encoded_token']}", f"-otp={otp}")
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.strip() == token


def test_rekey_replaces_the_unseal_keys(production):
    old_keys = production.init_and_unseal()
    client = production.client(token="")
    started = client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    assert started["started"] is True and started["t"] == 2 and started["n"] == 3 and started["required"] == 3
    result = client.sys.rekey_multi(old_keys[:3], nonce=started["nonce"])
    assert result["complete"] is True
    new_keys = result["keys"]
    assert len(new_keys) == 3 and not set(new_keys) & set(old_keys)

    with pytest.raises(exceptions.InvalidRequest, match="no backed-up keys found"):
        production.client().sys.read_backup_keys()

    production.client().sys.seal()
    client.sys.submit_unseal_key(old_keys[0])
    response = production.request("PUT", "sys/unseal", token="", json={"key": old_keys[1]})
    assert response.status_code == 400
    assert client.sys.read_seal_status()["sealed"] is True
    assert client.sys.read_seal_status()["t"] == 2
    assert client.sys.submit_unseal_keys(new_keys[1:])["sealed"] is False


def test_restart_requires_unseal_again(production):
    keys = production.init_and_unseal()
    root = production.client()
    root.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    value = "v-" + unique("restart")
    root.secrets.kv.v2.create_or_update_secret("kept", {"value": value}, mount_point="secret")
    cluster = production.client(token="").sys.read_seal_status()
    assert re.fullmatch(r"vault-cluster-[0-9a-f]{8}", cluster["cluster_name"])
    assert production.stop() == 0

    production.start()
    client = production.client(token="")
    status = client.sys.read_seal_status()
    assert status["initialized"] is True and status["sealed"] is True
    health = production.request("GET", "sys/health", token="")
    assert health.status_code == 503
    unsealed = client.sys.submit_unseal_keys(keys[2:5])
    assert (unsealed["cluster_name"], unsealed["cluster_id"]) == (cluster["cluster_name"], cluster["cluster_id"])
    read = root.secrets.kv.v2.read_secret_version("kept", mount_point="secret", raise_on_deleted_version=True)
    assert read["data"]["data"] == {"value": value}
    assert value.encode() not in production.db_path.read_bytes()


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def string_leaves(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in string_leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in string_leaves(item)]
    return []


@pytest.fixture
def azure_production(tmp_path, pki):
    sim = AzureSimulatorProcess.start(AZURE_FIXTURE, tmp_path)
    server = ProductionServer(tmp_path, pki, environment={
        "AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"})
    try:
        server.start()
        server.init_and_unseal()
        yield server, sim
    finally:
        server.kill()
        sim.stop()


def test_file_audit_hmacs_kv_writes_and_azure_logins(azure_production, tmp_path):
    server, sim = azure_production
    root = server.client()
    audit_path = tmp_path / "audit" / "audit.log"
    root.sys.enable_audit_device("file", options={"file_path": str(audit_path)})
    assert "file/" in root.sys.list_enabled_audit_devices()["data"]

    root.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    secret_value = "hunter2-" + unique("audit")
    root.secrets.kv.v2.create_or_update_secret("db", {"password": secret_value}, mount_point="secret")
    root.sys.enable_auth_method("azure")
    response = server.request("POST", "auth/azure/config", json={
        "tenant_id": sim.tenant_id, "resource": AZURE_RESOURCE, "client_id": AZURE_APP_ID,
        "client_secret": AZURE_CLIENT_SECRET, "environment": "AzureStackCloud"})
    assert response.status_code == 204, response.text
    root.auth.azure.create_role("web", policies="default", bound_subscription_ids=[AZURE_SUBSCRIPTION])
    compute = sim.instance_metadata()["compute"]
    jwt = sim.imds_token(AZURE_RESOURCE)
    machine = hvac.Client(url=server.url, verify=str(server.pki.ca), timeout=30)
    login = machine.auth.azure.login("web", jwt=jwt, subscription_id=compute["subscriptionId"],
                                     resource_group_name=compute["resourceGroupName"], vm_name=compute["name"])
    issued = login["auth"]["client_token"]

    entries = audit_lines(audit_path)
    text = audit_path.read_text()
    for secret in (secret_value, jwt, issued, server.root_token, AZURE_CLIENT_SECRET, login["auth"]["accessor"]):
        assert secret not in text
    login_requests = [e for e in entries if e["type"] == "request" and e["request"]["path"] == "auth/azure/login"]
    assert len(login_requests) == 1
    logged_jwt = login_requests[0]["request"]["data"]["jwt"]
    assert logged_jwt.startswith("hmac-sha256:")
    assert root.sys.calculate_hash("file", jwt)["data"]["hash"] == logged_jwt
    login_responses = [e for e in entries if e["type"] == "response" and e["request"]["path"] == "auth/azure/login"]
    assert login_responses[0]["response"]["auth"]["client_token"] == root.sys.calculate_hash("file", issued)[
        "data"]["hash"]
    writes = [e for e in entries if e["type"] == "request" and e["request"]["path"] == "secret/data/db"]
    assert writes and all(leaf.startswith("hmac-sha256:") for leaf in string_leaves(writes[0]["request"]["data"]))
    for entry in entries:
        assert entry["auth"].get("client_token", "hmac-sha256:").startswith("hmac-sha256:")

    root.sys.disable_audit_device("file")
    assert root.sys.list_enabled_audit_devices()["data"] == {}


def test_audit_fails_closed_when_no_device_can_write(production, tmp_path):
    production.init_and_unseal()
    root = production.client()
    root.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    root.secrets.kv.v2.create_or_update_secret("guarded", {"value": "before"}, mount_point="secret")

    socket_path = tmp_path / "audit.sock"
    received: list[bytes] = []
    listener = UnixCollector(socket_path, received)
    root.sys.enable_audit_device("socket", options={"address": str(socket_path), "socket_type": "unix"})
    root.secrets.kv.v2.read_secret_version("guarded", mount_point="secret", raise_on_deleted_version=True)
    deadline = time.monotonic() + 5
    while b"secret/data/guarded" not in b"".join(received) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"secret/data/guarded" in b"".join(received)

    listener.close()
    socket_path.unlink()
    refused = production.request("POST", "secret/data/guarded", json={"data": {"value": "after"}})
    assert refused.status_code == 500 and "internal error" in refused.text

    # The device's collector comes back (every request, even disabling the device, must be audited first);
    # the refused write changed nothing.
    listener = UnixCollector(socket_path, received)
    read = root.secrets.kv.v2.read_secret_version("guarded", mount_point="secret", raise_on_deleted_version=True)
    assert read["data"]["data"] == {"value": "before"}
    assert read["data"]["metadata"]["version"] == 1
    listener.close()


class UnixCollector:
    """A Unix stream socket at `path` whose connections' bytes are appended to `received` by a daemon thread;
    `close()` closes the listener and every accepted connection, as a collector that went away."""

    def __init__(self, path: Path, received: list[bytes]):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(8)
        self.connections: list[socket.socket] = []
        self.received = received
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self.drain, args=(connection,), daemon=True).start()

    def drain(self, connection: socket.socket) -> None:
        try:
            while chunk := connection.recv(65536):
                self.received.append(chunk)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()


PROMETHEUS_LINE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?P<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})?'
    r' (?P<value>[-+]?(?:[0-9.eE+-]+|NaN|Inf|\+Inf|-Inf))( [0-9]+)?$')


def parse_prometheus(text: str) -> dict[str, float]:
    """A strict reader of the text exposition format: every sample line parses and its family is declared."""
    declared: set[str] = set()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            parts = line.split()
            assert len(parts) == 4 and parts[3] in {"counter", "gauge", "histogram", "summary", "untyped"}, line
            declared.add(parts[2])
            continue
        if line.startswith("#"):
            continue
        match = PROMETHEUS_LINE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        name = match.group("name")
        family = re.sub(r"_(bucket|sum|count|total)$", "", name)
        assert name in declared or family in declared, f"undeclared family for {name}"
        key = name + "{" + (match.group("labels") or "") + "}"
        assert key not in samples, f"duplicate series {key}"
        samples[key] = float(match.group("value"))
    return samples


def handle_request_count(samples: dict[str, float]) -> float:
    return sum(v for k, v in samples.items() if k.startswith("vault_core_handle_request_count"))


def test_metrics_in_prometheus_format_move_with_requests(production):
    production.init_and_unseal()
    root = production.client()
    first = production.request("GET", "sys/metrics", params={"format": "prometheus"})
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/plain")
    before = handle_request_count(parse_prometheus(first.text))
    for _ in range(5):
        root.auth.token.lookup_self()
    after = parse_prometheus(production.request("GET", "sys/metrics", params={"format": "prometheus"}).text)
    assert handle_request_count(after) >= before + 5
    assert production.root_token not in first.text
    denied = production.request("GET", "sys/metrics", token="", params={"format": "prometheus"})
    assert denied.status_code in (400, 403)


def test_unauthenticated_metrics_access_and_mtls(tmp_path, pki):
    server = ProductionServer(tmp_path, pki, extra_listener="""
  tls_require_and_verify_client_cert = true
  tls_client_ca_file = "%s"
  telemetry {
    unauthenticated_metrics_access = true
  }
""" % pki.ca)
    server.start()
    try:
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{server.url}/v1/sys/seal-status", verify=str(pki.ca), timeout=5)
        client = server.client(token="", cert=pki.client_cert)
        result = client.sys.initialize(1, 1)
        client.sys.submit_unseal_key(result["keys"][0])
        open_metrics = requests.get(f"{server.url}/v1/sys/metrics", params={"format": "prometheus"},
                                    verify=str(pki.ca), cert=pki.client_cert, timeout=10)
        assert open_metrics.status_code == 200
        parse_prometheus(open_metrics.text)
    finally:
        server.kill()


def peer_certificate(url_port: int, ca: Path) -> bytes:
    context = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", url_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


def test_sighup_reloads_the_certificate_and_reopens_audit_files(production, tmp_path, pki):
    production.init_and_unseal()
    root = production.client()
    audit_path = tmp_path / "rotate" / "audit.log"
    root.sys.enable_audit_device("file", options={"file_path": str(audit_path)})
    root.auth.token.lookup_self()
    before = peer_certificate(production.port, pki.ca)

    # `verify` on each call: a session-level value loses to REQUESTS_CA_BUNDLE when that is set.
    keep_alive = requests.Session()
    keep_alive.headers["X-Vault-Token"] = production.root_token
    assert keep_alive.get(f"{production.url}/v1/auth/token/lookup-self", verify=str(pki.ca), timeout=10).status_code == 200

    audit_path.rename(audit_path.with_suffix(".log.1"))
    pki.issue("server", "localhost", server=True)  # new key and serial over the configured paths
    production.signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while peer_certificate(production.port, pki.ca) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert peer_certificate(production.port, pki.ca) != before
    assert keep_alive.get(f"{production.url}/v1/auth/token/lookup-self", verify=str(pki.ca), timeout=10).status_code == 200

    root.auth.token.lookup_self()
    deadline = time.monotonic() + 5
    while not audit_path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert audit_path.exists(), production.log_tail()
    assert any(e["request"]["path"] == "auth/token/lookup-self" for e in audit_lines(audit_path))
    assert production.stop() == 0


def readme_block(step: str, language: str) -> str:
    """The first ```<language> block after the README's bold step heading `**<step>`."""
    text = (REPO_ROOT / "README.md").read_text()
    start = text.index(f"**{step}")
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    assert match, f"README step {step!r} has no {language} block"
    return match.group(1)


def test_readme_production_walkthrough(tmp_path):
    """README.md § Running in production, step by step: its certificate commands and config.hcl run as written
    (only the port is changed), the rest through the same `coffer` commands."""
    # 1. A certificate: the README's openssl commands, verbatim.
    made = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block("1. A certificate", "bash")],
                          cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    ca = tmp_path / "tls" / "ca.pem"
    # 2. config.hcl, as written, on a free port.
    port = free_port()
    (tmp_path / "config.hcl").write_text(readme_block("2. `config.hcl`", "hcl").replace("8200", str(port)))
    # 3. Start it.
    log = open(tmp_path / "server.log", "ab")
    server = subprocess.Popen([str(coffer_binary()), "server", "-config=config.hcl"], cwd=tmp_path,
                              stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    address = f"https://127.0.0.1:{port}"
    environment = {**os.environ, "VAULT_ADDR": address, "VAULT_CACERT": str(ca), "HOME": str(tmp_path)}
    environment.pop("VAULT_TOKEN", None)

    def coffer(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(coffer_binary()), *args], cwd=tmp_path, env=environment, input=stdin,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"coffer {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{address}/v1/sys/seal-status", verify=str(ca), timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        # 4. Initialise.
        init = coffer("operator", "init", "-key-shares=5", "-key-threshold=3")
        keys = re.findall(r"Unseal Key \d: (\S+)", init)
        root_token = re.search(r"Initial Root Token: (\S+)", init).group(1)
        assert len(keys) == 5
        # 5. Unseal, three times, the share typed at the prompt (piped here).
        for key in keys[:3]:
            status = coffer("operator", "unseal", stdin=key + "\n")
        assert re.search(r"Sealed\s+false", status), status
        # 6. Log in with the root token.
        coffer("login", root_token)
        assert (tmp_path / ".vault-token").read_text().strip() == root_token
        # 7. Audit every request to a file.
        audit_log = tmp_path / "log" / "audit.log"
        coffer("audit", "enable", "file", f"file_path={audit_log}")
        assert "file/" in coffer("audit", "list")
        # 8. Scrape metrics with the token from the token helper file.
        scraped = requests.get(f"{address}/v1/sys/metrics", params={"format": "prometheus"}, verify=str(ca),
                               headers={"X-Vault-Token": (tmp_path / ".vault-token").read_text()}, timeout=10)
        assert scraped.status_code == 200
        assert handle_request_count(parse_prometheus(scraped.text)) > 0
        # 9. Rotate logs with SIGHUP.
        audit_log.rename(audit_log.with_suffix(".log.1"))
        server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while not audit_log.exists():
            coffer("token", "lookup")
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        # 10. A new root token from three key holders.
        started = coffer("operator", "generate-root", "-init")
        otp = re.search(r"OTP\s+(\S+)", started).group(1)
        for key in keys[2:5]:
            progress = coffer("operator", "generate-root", stdin=key + "\n")
        encoded = re.search(r"Encoded Token\s+(\S+)", progress).group(1)
        new_root = coffer("operator", "generate-root", f"-decode={encoded}", f"-otp={otp}").strip()
        assert new_root != root_token
        lookup = requests.get(f"{address}/v1/auth/token/lookup-self", headers={"X-Vault-Token": new_root},
                              verify=str(ca), timeout=10)
        assert lookup.status_code == 200 and lookup.json()["data"]["policies"] == ["root"]
        assert root_token not in audit_log.read_text() and new_root not in audit_log.read_text()
        # After a restart (SIGTERM lets requests finish, then exits 0) the server is sealed again.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        log.close()
