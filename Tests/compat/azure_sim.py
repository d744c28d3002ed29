"""The Azure simulator (`coffer azure-sim`) and a dev server pointed at it, for the Azure auth tests.

    sim = AzureSimulatorProcess.start(REPO_ROOT / "Examples/azure-sim/fixture.json", workdir)
    server = dev_server_with_environment({"AZURE_ENVIRONMENT_FILEPATH": sim.environment_file}, workdir)
    jwt = sim.imds_token("https://management.azure.com/")
    compute = sim.instance_metadata()["compute"]
    ...
    server.stop(); sim.stop()
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import requests

from conftest import CofferProcess, coffer_binary, free_port, random_token_id

EXPORT_LINE = re.compile(r"^export ([A-Z_]+)=(.*)$")
READY_TIMEOUT_S = 30.0


class AzureSimulatorProcess:
    """One `coffer azure-sim --fixture … --port …` child; `exports` holds the variables its banner prints."""

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path, exports: dict[str, str]):
        self.process = process
        self.log_path = log_path
        self.exports = exports

    @classmethod
    def start(cls, fixture: Path, workdir: Path, attempts: int = 3) -> "AzureSimulatorProcess":
        for attempt in range(attempts):
            log_path = workdir / f"azure-sim-{int(time.time() * 1000)}.log"
            with open(log_path, "ab") as log:
                process = subprocess.Popen(
                    [str(coffer_binary()), "azure-sim", "--fixture", str(fixture), "--port", str(free_port())],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=workdir,
                )
            try:
                return cls(process, log_path, cls.wait_for_exports(process, log_path))
            except RuntimeError:
                # The probed port may have been taken meanwhile; try another.
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=10)
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def wait_for_exports(process: subprocess.Popen[bytes], log_path: Path) -> dict[str, str]:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            text = log_path.read_text(errors="replace")
            exports = dict(m.groups() for m in map(EXPORT_LINE.match, text.splitlines()) if m)
            if "AZURE_SIM_URL" in exports:
                return exports
            if process.poll() is not None:
                raise RuntimeError(f"coffer azure-sim exited with {process.returncode}:\n{text[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"coffer azure-sim printed no environment lines:\n{log_path.read_text()[-2000:]}")

    @property
    def url(self) -> str:
        return self.exports["AZURE_SIM_URL"]

    @property
    def environment_file(self) -> str:
        return self.exports["AZURE_ENVIRONMENT_FILEPATH"]

    @property
    def tenant_id(self) -> str:
        return self.exports["AZURE_TENANT_ID"]

    @property
    def imds(self) -> str:
        return self.exports["AZURE_POD_IDENTITY_AUTHORITY_HOST"]

    def imds_token(self, resource: str) -> str:
        """The current machine's managed-identity JWT, fetched the way a VM does (IMDS, `Metadata: true`)."""
        response = requests.get(
            f"{self.imds}/metadata/identity/oauth2/token",
            params={"api-version": "2018-02-01", "resource": resource},
            headers={"Metadata": "true"}, timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def instance_metadata(self) -> dict:
        response = requests.get(
            f"{self.imds}/metadata/instance", params={"api-version": "2021-05-01"},
            headers={"Metadata": "true"}, timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class EnvironmentServer(CofferProcess):
    """A `coffer server -dev` whose environment adds `environment` (the Azure variables)."""

    def __init__(self, args: list[str], address: str, root_token: str, workdir: Path, environment: dict[str, str]):
        super().__init__(args, address, root_token, workdir)
        self.environment = environment

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.workdir,
            env={**os.environ, **self.environment},
        )
        log.close()
        self.wait_ready()


def dev_server_with_environment(environment: dict[str, str], workdir: Path, attempts: int = 3) -> EnvironmentServer:
    for attempt in range(attempts):
        token = random_token_id()
        address = f"127.0.0.1:{free_port()}"
        args = [str(coffer_binary()), "server", "-dev", f"-dev-root-token-id={token}", f"-dev-listen-address={address}"]
        server = EnvironmentServer(args, address, token, workdir, environment)
        try:
            server.start()
            return server
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
