"""A production-shaped Coffer for the hvac suite: TLS with a CA minted by the test, an HCL config, SQLite storage,
the Shamir seal (no `seal` stanza) and a telemetry stanza.

    pki = TestPKI.create(tmp_path)                      # CA, server (127.0.0.1/localhost) and client certificates
    server = ProductionServer(tmp_path, pki)
    server.start()                                      # uninitialised and sealed
    client = server.client()                            # hvac over https, verify=ca.pem
    keys = client.sys.initialize(5, 3)["keys"]
    server.stop()                                       # SIGTERM; returns the exit code

Certificates come from the `openssl` command (Debian's package), so nothing beyond hvac is needed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import hvac
import requests

from conftest import HTTP_TIMEOUT_S, READY_TIMEOUT_S, CofferProcess, coffer_binary, free_port


def openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{result.stderr}")


class TestPKI:
    """A throw-away CA with a server certificate for 127.0.0.1/localhost and a client certificate, as PEM files."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path):
        self.directory = directory
        self.ca = directory / "ca.pem"
        self.ca_key = directory / "ca-key.pem"

    @classmethod
    def create(cls, directory: Path) -> "TestPKI":
        directory.mkdir(parents=True, exist_ok=True)
        pki = cls(directory)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Coffer Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash", cwd=directory)
        pki.issue("server", "localhost", server=True)
        pki.issue("client", "coffer-test-client", server=False)
        return pki

    def issue(self, name: str, common_name: str, server: bool) -> tuple[Path, Path]:
        """Signs a new P-256 leaf `<name>.pem` / `<name>-key.pem` (a new serial each call)."""
        usage = "serverAuth" if server else "clientAuth"
        extensions = self.directory / f"{name}.ext"
        lines = [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            f"extendedKeyUsage={usage}",
            "subjectKeyIdentifier=hash",
            "authorityKeyIdentifier=keyid,issuer",
        ]
        if server:
            lines.append("subjectAltName=IP:127.0.0.1,DNS:localhost")
        extensions.write_text("\n".join(lines) + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", f"{name}-key.pem", "-out", f"{name}.csr", "-subj", f"/CN={common_name}",
                cwd=self.directory)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
                "-extfile", extensions.name, "-out", f"{name}.pem", cwd=self.directory)
        os.chmod(self.directory / f"{name}-key.pem", 0o600)
        return self.directory / f"{name}.pem", self.directory / f"{name}-key.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    @property
    def client_cert(self) -> tuple[str, str]:
        return str(self.directory / "client.pem"), str(self.directory / "client-key.pem")


class ProductionServer(CofferProcess):
    """`coffer server -config=config.hcl` over TLS with a Shamir seal; `extra_listener` and `extra` add HCL lines."""

    def __init__(self, workdir: Path, pki: TestPKI, extra_listener: str = "", extra: str = "",
                 environment: dict[str, str] | None = None):
        self.pki = pki
        self.port = free_port()
        self.db_path = workdir / "coffer.db"
        self.config_path = workdir / "config.hcl"
        super().__init__([str(coffer_binary()), "server", f"-config={self.config_path}"], f"127.0.0.1:{self.port}",
                         None, workdir)
        self.url = f"https://127.0.0.1:{self.port}"
        self.log_path = workdir / "coffer-server.log"
        self.environment = environment or {}
        self.config_path.write_text(f"""
# A production-shaped Coffer for the compatibility tests.
storage "sqlite" {{
  path = "{self.db_path}"
}}

listener "tcp" {{
  address       = "127.0.0.1:{self.port}"
  tls_cert_file = "{pki.server_cert}"
  tls_key_file  = "{pki.server_key}"
{extra_listener}
}}

telemetry {{
  disable_hostname = true
}}

api_addr  = "{self.url}"
log_level = "info"
{extra}
""")

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.workdir,
                env={**os.environ, **self.environment},
            )
        self.wait_listening()

    def wait_listening(self) -> None:
        """Until `sys/seal-status` answers over TLS (sealed or not: health would be 501/503 here)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        last: object = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"coffer exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                response = requests.get(f"{self.url}/v1/sys/seal-status", verify=str(self.pki.ca), timeout=2,
                                        cert=self.pki.client_cert)
                if response.status_code == 200:
                    return
                last = f"status {response.status_code}"
            except requests.RequestException as error:
                last = error
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"coffer not listening after {READY_TIMEOUT_S}s ({last}):\n{self.log_tail()}")

    def client(self, token: str | None = None, cert: tuple[str, str] | None = None) -> hvac.Client:
        return hvac.Client(url=self.url, token=token if token is not None else self.root_token,
                           verify=str(self.pki.ca), cert=cert, timeout=HTTP_TIMEOUT_S)

    def request(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        kwargs.setdefault("verify", str(self.pki.ca))
        return super().request(method, path, token=token, **kwargs)

    def init_and_unseal(self, shares: int = 5, threshold: int = 3) -> list[str]:
        """`sys/init` then `threshold` unseal keys; keeps the root token; returns every key (hex)."""
        client = self.client(token="")
        result = client.sys.initialize(shares, threshold)
        self.root_token = result["root_token"]
        client.sys.submit_unseal_keys(result["keys"][:threshold])
        assert client.sys.is_sealed() is False
        return result["keys"]

    def cli(self, *args: str, token: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """The `coffer` CLI pointed at this server through VAULT_ADDR and VAULT_CACERT."""
        environment = {**os.environ, "VAULT_ADDR": self.url, "VAULT_CACERT": str(self.pki.ca)}
        environment.pop("VAULT_TOKEN", None)
        if token or self.root_token:
            environment["VAULT_TOKEN"] = token or self.root_token or ""
        environment["HOME"] = str(self.workdir)
        return subprocess.run([str(coffer_binary()), *args], capture_output=True, text=True, env=environment,
                              input=stdin, timeout=60)

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit code (None if it had to be killed)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
