"""hvac's seal flows against a persistent server with the default Shamir seal (no `seal` stanza).

`sys.initialize(5, 3)` → still sealed; `submit_unseal_keys` with 2 then 3 shares; reset; a wrong share set
refused with Vault's text; `seal` needs sudo; a restart comes back sealed and the data written before is there.
"""

from __future__ import annotations

from pathlib import Path

import hvac
import pytest
import requests
from hvac import exceptions

from conftest import CofferProcess, coffer_binary, free_port

AUTH_FAILED = ("unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: "
               "cipher: message authentication failed")


def shamir_server(tmp_path: Path) -> CofferProcess:
    address = f"127.0.0.1:{free_port()}"
    config = tmp_path / "config.hcl"
    config.write_text(
        f'storage "sqlite" {{\n  path = "{tmp_path / "coffer.db"}"\n}}\n'
        f'listener "tcp" {{\n  address = "{address}"\n  tls_disable = true\n}}\n')
    server = CofferProcess([str(coffer_binary()), "server", f"-config={config}"], address, None, tmp_path)
    # Uninitialised (501) and sealed (503) are both "up" for a Shamir server.
    server.ready_statuses = (200, 501, 503)
    return server


@pytest.fixture
def shamir(tmp_path):
    server = shamir_server(tmp_path)
    server.start()
    yield server
    server.kill()


def test_initialize_unseal_seal_and_restart(shamir):
    client = hvac.Client(url=shamir.url, timeout=30)
    assert client.sys.is_initialized() is False
    status = client.sys.read_seal_status()
    assert status["type"] == "shamir" and status["t"] == 0 and status["n"] == 0 and status["sealed"] is True

    result = client.sys.initialize(5, 3)
    keys, root = result["keys"], result["root_token"]
    assert len(keys) == 5 and all(len(k) == 66 for k in keys) and len(result["keys_base64"]) == 5
    assert client.sys.is_initialized() is True and client.sys.is_sealed() is True

    two = client.sys.submit_unseal_keys(keys[:2])
    assert two["sealed"] is True and two["progress"] == 2 and two["t"] == 3 and two["n"] == 5
    assert client.sys.submit_unseal_key(reset=True)["progress"] == 0
    opened = client.sys.submit_unseal_keys([keys[4], keys[1], keys[3]])
    assert opened["sealed"] is False and opened["progress"] == 0
    assert opened["cluster_name"] and opened["cluster_id"]

    client.token = root
    client.sys.enable_secrets_engine("kv", path="kept", options={"version": "2"})
    client.secrets.kv.v2.create_or_update_secret("a", {"v": "1"}, mount_point="kept")

    # A token without sudo on sys/seal is refused; root seals.
    client.sys.create_or_update_policy("half", 'path "sys/seal" { capabilities = ["update"] }')
    weak = client.auth.token.create(policies=["half"])["auth"]["client_token"]
    with pytest.raises(exceptions.Forbidden):
        hvac.Client(url=shamir.url, token=weak, timeout=30).sys.seal()
    assert client.sys.is_sealed() is False
    client.sys.seal()
    assert client.sys.is_sealed() is True
    with pytest.raises(exceptions.VaultDown):
        client.secrets.kv.v2.read_secret_version("a", mount_point="kept", raise_on_deleted_version=True)

    # A wrong set: progress back to 0 with Vault's error.
    client.sys.submit_unseal_key(keys[0])
    client.sys.submit_unseal_key(keys[1])
    forged = ("ff" if keys[2][:2] != "ff" else "00") + keys[2][2:]
    response = requests.put(f"{shamir.url}/v1/sys/unseal", json={"key": forged}, timeout=30)
    assert response.status_code == 400 and response.json() == {"errors": [AUTH_FAILED]}
    assert client.sys.read_seal_status()["progress"] == 0

    shamir.stop()
    shamir.start()
    assert client.sys.is_sealed() is True
    client.sys.submit_unseal_keys(result["keys_base64"][:3])
    got = client.secrets.kv.v2.read_secret_version("a", mount_point="kept", raise_on_deleted_version=True)
    assert got["data"]["data"] == {"v": "1"}
