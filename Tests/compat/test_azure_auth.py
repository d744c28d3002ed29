"""The seed's Azure auth flows with hvac 2.4.0's `client.auth.azure` and with the `coffer` CLI, against
`coffer azure-sim` (example fixture) and a `coffer server -dev` that knows the simulator's cloud through
`AZURE_ENVIRONMENT_FILEPATH`. One simulator and one server serve the whole module.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import hvac
import pytest
from hvac import exceptions

from azure_sim import AzureSimulatorProcess, dev_server_with_environment
from compat_helpers import assert_error
from conftest import REPO_ROOT, coffer_binary, unique

FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
RESOURCE = "https://management.azure.com/"
APP_ID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
CLIENT_SECRET = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"
VM_PRINCIPAL = "5a1e9c3f-7d2b-4f8a-9e6c-0b4d2a7f1e85"
DEV_POLICY = 'path "secret/data/azure/*" { capabilities = ["read"] }'


class AzureEnvironment:
    def __init__(self, sim: AzureSimulatorProcess, server):
        self.sim = sim
        self.server = server
        self.client = server.client()


@pytest.fixture(scope="module")
def azure():
    workdir = Path(tempfile.mkdtemp(prefix="coffer-azure-compat-"))
    sim = AzureSimulatorProcess.start(FIXTURE, workdir)
    try:
        # AzureStackCloud comes from the server's environment; hvac refuses that name client-side.
        server = dev_server_with_environment(
            {"AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"}, workdir)
    except Exception:
        sim.stop()
        raise
    environment = AzureEnvironment(sim, server)
    client = environment.client
    client.sys.create_or_update_policy("dev", DEV_POLICY)
    client.sys.create_or_update_policy("prod", 'path "secret/data/prod/*" { capabilities = ["read"] }')
    client.secrets.kv.v2.create_or_update_secret("azure/creds", {"password": "hunter2"}, mount_point="secret")
    yield environment
    server.stop()
    sim.stop()


def vm_login_fields(sim: AzureSimulatorProcess) -> dict[str, str]:
    """What the seed's VM gathers from IMDS: its JWT, subscription, resource group and name."""
    compute = sim.instance_metadata()["compute"]
    return {
        "jwt": sim.imds_token(RESOURCE),
        "subscription_id": compute["subscriptionId"],
        "resource_group_name": compute["resourceGroupName"],
        "vm_name": compute["name"],
    }


@pytest.mark.parametrize("mount", ["azure", "my-path"])
def test_seed_flow_with_hvac(azure, mount):
    client = azure.client
    if mount == "azure":
        client.sys.enable_auth_method("azure")
        client.auth.azure.configure(
            tenant_id=azure.sim.tenant_id, resource=RESOURCE, client_id=APP_ID, client_secret=CLIENT_SECRET)
    else:
        client.sys.enable_auth_method("azure", path=mount)
        # The explicit cloud name, written raw because hvac only knows the three public clouds.
        response = azure.server.request("POST", f"auth/{mount}/config", json={
            "tenant_id": azure.sim.tenant_id, "resource": RESOURCE, "client_id": APP_ID,
            "client_secret": CLIENT_SECRET, "environment": "AzureStackCloud",
        })
        assert response.status_code == 204, response.text

    config = client.auth.azure.read_config(mount_point=mount)
    assert config["tenant_id"] == azure.sim.tenant_id
    assert config["client_id"] == APP_ID
    assert "client_secret" not in config

    client.auth.azure.create_role(
        "dev-role", policies="prod,dev", bound_subscription_ids=[SUBSCRIPTION], bound_resource_groups=["rg-apps"],
        mount_point=mount)
    role = client.auth.azure.read_role("dev-role", mount_point=mount)
    assert role["token_policies"] == ["dev", "prod"]
    assert role["bound_subscription_ids"] == [SUBSCRIPTION]
    assert role["bound_resource_groups"] == ["rg-apps"]
    assert role["bound_locations"] is None
    assert "client_secret" not in json.dumps(role)
    assert client.auth.azure.list_roles(mount_point=mount) == {"keys": ["dev-role"]}

    machine = hvac.Client(url=azure.server.url, timeout=30)
    fields = vm_login_fields(azure.sim)
    answer = machine.auth.azure.login("dev-role", mount_point=mount, **fields)
    auth = answer["auth"]
    assert auth["client_token"] and auth["accessor"]
    assert {"default", "dev", "prod"} <= set(auth["policies"])
    assert auth["lease_duration"] == 2764800
    assert auth["renewable"] is True
    assert auth["metadata"]["vm_name"] == "vm-web"
    assert machine.token == auth["client_token"]

    secret = machine.secrets.kv.v2.read_secret_version("azure/creds", mount_point="secret", raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"password": "hunter2"}
    lookup = machine.auth.token.lookup_self()["data"]
    assert lookup["display_name"] == f"{mount}-{VM_PRINCIPAL}"
    assert lookup["entity_id"]
    assert lookup["meta"]["role"] == "dev-role"

    client.auth.azure.delete_role("dev-role", mount_point=mount)
    with pytest.raises(exceptions.InvalidPath):
        client.auth.azure.read_role("dev-role", mount_point=mount)
    with pytest.raises(exceptions.InvalidRequest) as refused:
        hvac.Client(url=azure.server.url, timeout=30).auth.azure.login("dev-role", mount_point=mount, **fields)
    assert 'invalid role name "dev-role"' in str(refused.value)


def test_rejected_login_names_the_rule_and_leaks_nothing(azure):
    client = azure.client
    mount = unique("azure-reject")
    client.sys.enable_auth_method("azure", path=mount)
    client.auth.azure.configure(
        tenant_id=azure.sim.tenant_id, resource=RESOURCE, client_id=APP_ID, client_secret=CLIENT_SECRET,
        mount_point=mount)
    client.auth.azure.create_role(
        "elsewhere", policies="dev", bound_subscription_ids=["66666666-7777-4888-9999-000000000000"], mount_point=mount)
    fields = vm_login_fields(azure.sim)
    response = azure.server.request("POST", f"auth/{mount}/login", token="", json={"role": "elsewhere", **fields})
    assert_error(response, 400, ["subscription not authorized"])
    for secret in (fields["jwt"], CLIENT_SECRET):
        assert secret not in response.text
    tampered = fields["jwt"][:-4] + ("AAAA" if not fields["jwt"].endswith("AAAA") else "BBBB")
    response = azure.server.request("POST", f"auth/{mount}/login", token="", json={"role": "elsewhere", **fields, "jwt": tampered})
    assert_error(response, 400, contains="failed to verify signature")
    assert tampered not in response.text


def run_cli(server, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "VAULT_ADDR": server.url}
    environment.pop("VAULT_TOKEN", None)
    if token:
        environment["VAULT_TOKEN"] = token
    return subprocess.run(
        [str(coffer_binary()), *args], env=environment, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir())


def test_seed_flow_with_the_cli(azure):
    root = azure.server.root_token
    mount = unique("azure-cli")
    assert run_cli(azure.server, "auth", "enable", f"-path={mount}", "azure", token=root).returncode == 0
    configured = run_cli(
        azure.server, "write", f"auth/{mount}/config", f"tenant_id={azure.sim.tenant_id}", f"resource={RESOURCE}",
        "environment=AzureStackCloud", f"client_id={APP_ID}", f"client_secret={CLIENT_SECRET}", token=root)
    assert configured.returncode == 0, configured.stderr
    role = run_cli(
        azure.server, "write", f"auth/{mount}/role/dev-role", "policies=prod,dev",
        f"bound_subscription_ids={SUBSCRIPTION}", "bound_resource_groups=rg-apps", token=root)
    assert role.returncode == 0, role.stderr

    fields = vm_login_fields(azure.sim)
    login = run_cli(
        azure.server, "write", "-format=json", f"auth/{mount}/login", "role=dev-role",
        *(f"{key}={value}" for key, value in fields.items()))
    assert login.returncode == 0, login.stderr
    auth = json.loads(login.stdout)["auth"]
    assert {"default", "dev", "prod"} <= set(auth["policies"])
    assert auth["lease_duration"] == 2764800
    assert auth["renewable"] is True

    secret = run_cli(azure.server, "read", "-format=json", "secret/data/azure/creds", token=auth["client_token"])
    assert secret.returncode == 0, secret.stderr
    assert json.loads(secret.stdout)["data"]["data"] == {"password": "hunter2"}

    refused = run_cli(
        azure.server, "write", f"auth/{mount}/login", "role=dev-role", f"jwt={fields['jwt']}",
        f"subscription_id={SUBSCRIPTION}", "resource_group_name=rg-other", f"vm_name={fields['vm_name']}")
    assert refused.returncode == 2
    assert "xms_mirid token claim does not match resource_group_name rg-other" in refused.stderr
    assert fields["jwt"] not in refused.stderr + refused.stdout

