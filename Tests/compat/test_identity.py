"""The identity API through hvac 2.4.0 (`client.secrets.identity`): entities, entity aliases, groups, group
aliases and lookups with Vault's answers and errors; then Azure AD (Entra ID) groups end to end against
`coffer azure-sim`: an external group with a group alias named for an Entra group grants its policies to the
logins whose token carries that group, and stops when the group leaves the token or the group is deleted.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import hvac
import pytest
import requests
from hvac import exceptions

from azure_sim import AzureSimulatorProcess, dev_server_with_environment
from conftest import REPO_ROOT, unique

FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
RESOURCE = "https://management.azure.com/"
APP_ID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
CLIENT_SECRET = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"
VM_PRINCIPAL = "5a1e9c3f-7d2b-4f8a-9e6c-0b4d2a7f1e85"
ENTRA_GROUP = "e2c7a4f1-9b5d-4a3e-8c6f-1d0b7e2a5c93"


def errors_of(call) -> list[str]:
    with pytest.raises(exceptions.InvalidRequest) as refused:
        call()
    return refused.value.errors


def auth_accessor(client: hvac.Client) -> str:
    """A fresh credential mount's accessor, for aliases."""
    path = unique("idp")
    client.sys.enable_auth_method("azure", path=path)
    return client.sys.list_auth_methods()["data"][f"{path}/"]["accessor"]


def test_entities_with_hvac(client):
    identity = client.secrets.identity
    name = unique("entity")
    created = identity.create_or_update_entity(name, metadata={"team": "a"}, policies=["b", "a"])
    entity_id = created["data"]["id"]
    assert created["data"]["name"] == name
    updated = identity.create_or_update_entity(name, entity_id=entity_id, policies=["c"])
    assert updated.status_code == 204
    read = identity.read_entity(entity_id)["data"]
    assert read["name"] == name and read["policies"] == ["c"] and read["metadata"] == {"team": "a"}
    assert read["direct_group_ids"] == [] and read["namespace_id"] == "root"
    assert identity.update_entity(entity_id, disabled=True).status_code == 204
    assert identity.read_entity_by_name(name)["data"]["disabled"] is True
    assert entity_id in identity.list_entities()["data"]["keys"]
    assert entity_id in identity.list_entities(method="GET")["data"]["keys"]
    by_name = identity.list_entities_by_name()["data"]
    assert name in by_name["keys"] and by_name["key_info"][entity_id]["name"] == name

    assert errors_of(lambda: identity.update_entity("no-such-id", policies=["x"])) == ["entity not found from id"]
    assert errors_of(lambda: identity.create_or_update_entity(unique("e"), policies=["root"])) == [
        "policies cannot contain root"]
    other = identity.create_or_update_entity(unique("entity"))["data"]["id"]
    assert errors_of(lambda: identity.update_entity(other, name=name)) == ["entity name is already in use"]
    with pytest.raises(exceptions.InvalidPath):
        identity.read_entity("no-such-id")

    assert identity.delete_entity(entity_id).status_code == 204
    assert identity.delete_entity(entity_id).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        identity.read_entity(entity_id)
    assert identity.delete_entity_by_name(unique("never")).status_code == 204


def test_entity_aliases_merge_and_lookup_with_hvac(client):
    identity = client.secrets.identity
    accessor = auth_accessor(client)
    to_id = identity.create_or_update_entity(unique("to"))["data"]["id"]
    from_id = identity.create_or_update_entity(unique("from"))["data"]["id"]
    alias_name = unique("principal")
    alias = identity.create_or_update_entity_alias(alias_name, canonical_id=from_id, mount_accessor=accessor)
    alias_id = alias["data"]["id"]
    assert alias["data"]["canonical_id"] == from_id
    read = identity.read_entity_alias(alias_id)["data"]
    assert read["name"] == alias_name and read["mount_accessor"] == accessor and read["mount_type"] == "azure"
    assert alias_id in identity.list_entity_aliases()["data"]["keys"]
    renamed = identity.update_entity_alias(alias_id, alias_name + "-2", canonical_id=from_id, mount_accessor=accessor)
    assert renamed["data"]["id"] == alias_id
    assert errors_of(lambda: identity.create_or_update_entity_alias(
        unique("x"), canonical_id=from_id, mount_accessor=accessor)) == [
        "Alias already exists for requested entity and mount accessor"]
    assert errors_of(lambda: identity.create_or_update_entity_alias(
        "x", canonical_id=from_id, mount_accessor="auth_azure_nope")) == ['invalid mount accessor "auth_azure_nope"']
    assert errors_of(lambda: identity.create_or_update_entity_alias(
        unique("x"), canonical_id="no-such-entity", mount_accessor=accessor)) == ["invalid canonical ID"]

    assert errors_of(lambda: identity.merge_entities([to_id], to_id)) == [
        "to_entity_id should not be present in from_entity_ids"]
    assert errors_of(lambda: identity.merge_entities(["no-such"], to_id)) == ["entity id to merge from is invalid"]
    assert identity.merge_entities([from_id], to_id).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        identity.read_entity(from_id)
    merged = identity.read_entity(to_id)["data"]
    assert [a["id"] for a in merged["aliases"]] == [alias_id]
    assert merged["merged_entity_ids"] == [from_id]

    found = identity.lookup_entity(alias_id=alias_id)
    assert found["data"]["id"] == to_id
    assert identity.lookup_entity(alias_name=alias_name + "-2", alias_mount_accessor=accessor)["data"]["id"] == to_id
    assert identity.lookup_entity(name=unique("missing")).status_code == 204
    # hvac sends the alias pair only when both are given: one alone is no criterion at all.
    assert errors_of(lambda: identity.lookup_entity(alias_name="x")) == ["query parameter not supplied"]
    assert errors_of(lambda: client.adapter.post("/v1/identity/lookup/entity", json={"alias_name": "x"})) == [
        "both 'alias_name' and 'alias_mount_accessor' needs to be set"]
    assert errors_of(lambda: client.adapter.post("/v1/identity/lookup/entity", json={"name": "x", "id": "y"})) == [
        "query parameter conflict; please supply distinct set of query parameters"]
    assert identity.delete_entity_alias(alias_id).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        identity.read_entity_alias(alias_id)


def test_groups_and_group_aliases_with_hvac(client):
    identity = client.secrets.identity
    accessor = auth_accessor(client)
    member = identity.create_or_update_entity(unique("member"))["data"]["id"]
    child_name, parent_name = unique("child"), unique("parent")
    child = identity.create_or_update_group(child_name, policies=["Dev", "dev"], member_entity_ids=[member])
    child_id = child["data"]["id"]
    assert child["data"]["name"] == child_name
    parent_id = identity.create_or_update_group(parent_name, member_group_ids=[child_id])["data"]["id"]
    read = identity.read_group(child_id)["data"]
    assert read["policies"] == ["dev"] and read["member_entity_ids"] == [member]
    assert read["parent_group_ids"] == [parent_id] and read["type"] == "internal" and read["alias"] == {}
    entity = identity.read_entity(member)["data"]
    assert entity["direct_group_ids"] == [child_id] and entity["inherited_group_ids"] == [parent_id]
    assert identity.read_group_by_name(parent_name)["data"]["member_group_ids"] == [child_id]
    assert child_id in identity.list_groups()["data"]["keys"]
    assert identity.list_groups_by_name()["data"]["key_info"][child_id]["num_parent_groups"] == 1

    assert errors_of(lambda: identity.update_group(child_id, child_name, member_group_ids=[parent_id])) == [
        f'cyclic relationship detected for member group ID "{parent_id}"']
    assert errors_of(lambda: identity.create_or_update_group(unique("g"), policies=["root"])) == [
        "policies cannot contain root"]
    # hvac sends unset members as null on update: Vault clears them.
    assert identity.update_group(child_id, child_name, policies=["dev"]).status_code == 204
    assert identity.read_group(child_id)["data"]["member_entity_ids"] is None

    external_name = unique("external")
    external_id = identity.create_or_update_group(external_name, group_type="external")["data"]["id"]
    assert errors_of(lambda: identity.update_group(external_id, external_name, policies=["x"])) == [
        "group type cannot be changed"]
    assert errors_of(lambda: identity.create_or_update_group_alias(
        unique("g"), mount_accessor=accessor, canonical_id=child_id)) == ["alias can't be set on an internal group"]
    alias_name = unique("entra")
    alias = identity.create_or_update_group_alias(alias_name, mount_accessor=accessor, canonical_id=external_id)
    alias_id = alias["data"]["id"]
    assert alias["data"]["canonical_id"] == external_id
    assert errors_of(lambda: identity.create_or_update_group_alias(alias_name, mount_accessor=accessor)) == [
        "combination of mount and group alias name is already in use"]
    assert identity.read_group_alias(alias_id)["data"]["name"] == alias_name
    assert identity.read_group(external_id)["data"]["alias"]["id"] == alias_id
    assert alias_id in identity.list_group_aliases()["data"]["keys"]
    assert identity.update_group_alias(alias_id, alias_name + "-2", mount_accessor=accessor,
                                       canonical_id=external_id)["data"]["id"] == alias_id
    assert identity.lookup_group(alias_id=alias_id)["data"]["id"] == external_id
    assert identity.lookup_group(name=parent_name)["data"]["id"] == parent_id
    assert identity.lookup_group(group_id="no-such").status_code == 204
    assert identity.delete_group_alias(alias_id).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        identity.read_group_alias(alias_id)
    assert identity.delete_group(parent_id).status_code == 204
    assert identity.read_group(child_id)["data"]["parent_group_ids"] is None


# Azure AD groups end to end.

@pytest.fixture(scope="module")
def azure():
    workdir = Path(tempfile.mkdtemp(prefix="coffer-identity-azure-"))
    sim = AzureSimulatorProcess.start(FIXTURE, workdir)
    try:
        server = dev_server_with_environment(
            {"AZURE_ENVIRONMENT_FILEPATH": sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"}, workdir)
    except Exception:
        sim.stop()
        raise
    yield sim, server
    server.stop()
    sim.stop()


def vm_login(sim: AzureSimulatorProcess, server, mount: str) -> dict:
    compute = sim.instance_metadata()["compute"]
    jwt = sim.imds_token(RESOURCE)
    machine = hvac.Client(url=server.url, timeout=30)
    answer = machine.auth.azure.login(
        "vm", mount_point=mount, jwt=jwt, subscription_id=compute["subscriptionId"],
        resource_group_name=compute["resourceGroupName"], vm_name=compute["name"])
    return answer["auth"]


def simulator_fixture(sim: AzureSimulatorProcess) -> dict:
    response = requests.get(sim.url.rstrip("/") + "/_simulator/fixture", timeout=10)
    response.raise_for_status()
    return response.json()


def put_fixture(sim: AzureSimulatorProcess, fixture: dict) -> None:
    response = requests.put(sim.url.rstrip("/") + "/_simulator/fixture", json=fixture, timeout=10)
    assert response.status_code == 204, response.text


def without_vm_in_group(fixture: dict) -> dict:
    """The estate with the VM's principal taken out of Entra group `ENTRA_GROUP`."""
    changed = copy.deepcopy(fixture)
    for tenant in changed["tenants"]:
        for group in tenant.get("groups") or []:
            if group["id"] == ENTRA_GROUP:
                group["members"] = [m for m in group["members"] if m != VM_PRINCIPAL]
    return changed


def test_azure_ad_groups_end_to_end(azure):
    sim, server = azure
    client = server.client()
    client.sys.create_or_update_policy("team-a", 'path "secret/data/team-a/*" { capabilities = ["read"] }')
    client.secrets.kv.v2.create_or_update_secret("team-a/db", {"password": "s3cret"}, mount_point="secret")
    client.sys.enable_auth_method("azure")
    client.auth.azure.configure(tenant_id=sim.tenant_id, resource=RESOURCE, client_id=APP_ID,
                                client_secret=CLIENT_SECRET)
    client.auth.azure.create_role("vm", policies="default", bound_subscription_ids=[SUBSCRIPTION])
    accessor = client.sys.list_auth_methods()["data"]["azure/"]["accessor"]

    group_id = client.secrets.identity.create_or_update_group(
        "team-a", group_type="external", policies=["team-a"])["data"]["id"]
    client.secrets.identity.create_or_update_group_alias(ENTRA_GROUP, mount_accessor=accessor, canonical_id=group_id)

    auth = vm_login(sim, server, "azure")
    assert auth["identity_policies"] == ["team-a"]
    assert "team-a" in auth["policies"] and auth["token_policies"] == ["default"]
    machine = hvac.Client(url=server.url, token=auth["client_token"], timeout=30)
    secret = machine.secrets.kv.v2.read_secret_version("team-a/db", mount_point="secret",
                                                      raise_on_deleted_version=True)
    assert secret["data"]["data"] == {"password": "s3cret"}
    assert client.secrets.identity.read_group(group_id)["data"]["member_entity_ids"] == [auth["entity_id"]]
    renewed = machine.auth.token.renew_self()["auth"]
    assert renewed["identity_policies"] == ["team-a"]

    # The VM leaves the Entra group: its next login's token has no `groups` claim, and the policy is gone.
    original = simulator_fixture(sim)
    put_fixture(sim, without_vm_in_group(original))
    try:
        again = vm_login(sim, server, "azure")
        assert "identity_policies" not in again
        assert again["entity_id"] == auth["entity_id"]
        assert client.secrets.identity.read_group(group_id)["data"]["member_entity_ids"] is None
        with pytest.raises(exceptions.Forbidden):
            machine.secrets.kv.v2.read_secret_version("team-a/db", mount_point="secret",
                                                      raise_on_deleted_version=True)
    finally:
        put_fixture(sim, original)

    back = vm_login(sim, server, "azure")
    assert back["identity_policies"] == ["team-a"]
    assert machine.secrets.kv.v2.read_secret_version("team-a/db", mount_point="secret",
                                                     raise_on_deleted_version=True)["data"]["data"]
    # Deleting the group takes its policy away on the very next request.
    client.secrets.identity.delete_group(group_id)
    with pytest.raises(exceptions.Forbidden):
        machine.secrets.kv.v2.read_secret_version("team-a/db", mount_point="secret", raise_on_deleted_version=True)
    assert "identity_policies" not in machine.auth.token.lookup_self()["data"]


def test_identity_survives_a_restart_and_is_encrypted(persistent_server):
    server = persistent_server
    server.start()
    client = server.client()
    identity = client.secrets.identity
    client.sys.enable_auth_method("azure", path="idp")
    accessor = client.sys.list_auth_methods()["data"]["idp/"]["accessor"]
    entity_id = identity.create_or_update_entity("persisted-entity", policies=["p1"])["data"]["id"]
    alias_id = identity.create_or_update_entity_alias("persisted-principal", canonical_id=entity_id,
                                                      mount_accessor=accessor)["data"]["id"]
    group_id = identity.create_or_update_group("persisted-group", policies=["p2"],
                                               member_entity_ids=[entity_id])["data"]["id"]
    external_id = identity.create_or_update_group("persisted-external", group_type="external")["data"]["id"]
    identity.create_or_update_group_alias("persisted-entra-group", mount_accessor=accessor, canonical_id=external_id)
    server.stop()
    for path in server.storage_files():
        raw = path.read_bytes()
        assert b"persisted-entity" not in raw and b"persisted-group" not in raw and b"persisted-entra" not in raw

    server.start()
    client = server.client()
    identity = client.secrets.identity
    entity = identity.read_entity_by_name("persisted-entity")["data"]
    assert entity["id"] == entity_id and entity["policies"] == ["p1"] and entity["direct_group_ids"] == [group_id]
    assert [a["id"] for a in entity["aliases"]] == [alias_id]
    assert identity.read_group_by_name("persisted-group")["data"]["member_entity_ids"] == [entity_id]
    found = identity.lookup_group(alias_name="persisted-entra-group", alias_mount_accessor=accessor)
    assert found["data"]["id"] == external_id
