"""KV version 2 through hvac 2.4.0 (docs/kv.md) plus raw checks of the exact 404 shapes."""

from __future__ import annotations

import hvac
import pytest
from hvac import exceptions

from compat_helpers import assert_envelope, assert_error, assert_json_content_type, assert_rfc3339
from conftest import unique

CAS_MISMATCH = "check-and-set parameter did not match the current version"


@pytest.fixture
def kv(client):
    return client.secrets.kv.v2


def read(kv, path, mount_point="secret", **kwargs):
    return kv.read_secret_version(path, mount_point=mount_point, raise_on_deleted_version=True, **kwargs)


def assert_version_metadata(metadata: dict, version: int) -> None:
    assert set(metadata) >= {"created_time", "custom_metadata", "deletion_time", "destroyed", "version"}
    assert metadata["version"] == version
    assert_rfc3339(metadata["created_time"])
    assert metadata["deletion_time"] == ""
    assert metadata["destroyed"] is False


def test_enable_kv_v2_at_custom_path_with_integer_version_option(fresh_server):
    client = fresh_server.client()
    client.sys.enable_secrets_engine("kv", path="team-kv", options={"version": 2})

    mounts = client.sys.list_mounted_secrets_engines()
    entry = mounts["data"]["team-kv/"]
    assert entry["type"] == "kv"
    # Options are a string map: an integer 2 must come back as the string "2"
    # (docs/system.md § Secrets engines: `sys/mounts`).
    assert entry["options"] == {"version": "2"}
    assert mounts["team-kv/"]["options"]["version"] == "2", "sys/mounts data must also be injected at top level"
    assert client.sys.retrieve_mount_option("team-kv", "version") == "2"

    written = client.secrets.kv.v2.create_or_update_secret("app/creds", {"user": "u"}, mount_point="team-kv")
    assert_version_metadata(written["data"], 1)
    got = read(client.secrets.kv.v2, "app/creds", mount_point="team-kv")
    assert got["data"]["data"] == {"user": "u"}
    assert client.secrets.kv.v2.list_secrets("", mount_point="team-kv")["data"]["keys"] == ["app/"]


def test_enable_kv_v2_type_alias(fresh_server):
    client = fresh_server.client()
    client.sys.enable_secrets_engine("kv-v2", path="aliased")
    entry = client.sys.list_mounted_secrets_engines()["data"]["aliased/"]
    assert entry["type"] == "kv"
    assert entry["options"] == {"version": "2"}
    client.secrets.kv.v2.create_or_update_secret("k", {"a": "1"}, mount_point="aliased")
    assert read(client.secrets.kv.v2, "k", mount_point="aliased")["data"]["data"] == {"a": "1"}


def test_create_and_read_returns_exact_data_and_envelope(kv):
    path = unique("app/creds")
    secret = {"password": "s3cr3t", "nested": {"n": 1, "list": [1, "two", None, True]}, "unicode": "grüß 🔐"}
    written = kv.create_or_update_secret(path, secret)
    assert_envelope(written)
    assert_version_metadata(written["data"], 1)
    assert written["data"]["custom_metadata"] is None

    got = read(kv, path)
    assert_envelope(got)
    assert got["lease_id"] == "" and got["lease_duration"] == 0 and got["renewable"] is False
    assert got["data"]["data"] == secret
    assert_version_metadata(got["data"]["metadata"], 1)
    assert got["data"]["metadata"]["custom_metadata"] is None


def test_versions_increase_and_old_versions_stay_readable(kv):
    path = unique("versions")
    for n in range(1, 4):
        assert kv.create_or_update_secret(path, {"n": str(n)})["data"]["version"] == n
    for n in range(1, 4):
        got = read(kv, path, version=n)
        assert got["data"]["data"] == {"n": str(n)}
        assert got["data"]["metadata"]["version"] == n
    assert read(kv, path)["data"]["metadata"]["version"] == 3

    metadata = kv.read_secret_metadata(path)["data"]
    assert metadata["current_version"] == 3
    assert metadata["oldest_version"] == 0
    assert sorted(metadata["versions"]) == ["1", "2", "3"]
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path, version=9)


def test_check_and_set(kv):
    path = unique("cas")
    kv.create_or_update_secret(path, {"v": "1"}, cas=0)

    with pytest.raises(exceptions.InvalidRequest) as mismatch:
        kv.create_or_update_secret(path, {"v": "x"}, cas=0)
    assert mismatch.value.errors == [CAS_MISMATCH]

    with pytest.raises(exceptions.InvalidRequest) as mismatch:
        kv.create_or_update_secret(path, {"v": "x"}, cas=5)
    assert mismatch.value.errors == [CAS_MISMATCH]

    assert kv.create_or_update_secret(path, {"v": "2"}, cas=1)["data"]["version"] == 2
    assert read(kv, path)["data"]["data"] == {"v": "2"}


def test_cas_required_on_key(kv, server):
    path = unique("casreq")
    kv.create_or_update_secret(path, {"v": "1"})
    kv.update_metadata(path, cas_required=True)
    with pytest.raises(exceptions.InvalidRequest) as missing:
        kv.create_or_update_secret(path, {"v": "2"})
    assert missing.value.errors == ["check-and-set parameter required for this call"]
    assert kv.create_or_update_secret(path, {"v": "2"}, cas=1)["data"]["version"] == 2

    non_numeric = server.request("POST", f"secret/data/{path}", json={"data": {"v": "3"}, "options": {"cas": "x"}})
    assert_error(non_numeric, 400, ["error parsing check-and-set parameter"])


def test_list_secrets_hvac_list_verb_and_get_list_true(fresh_server):
    client = fresh_server.client()
    kv = client.secrets.kv.v2
    kv.create_or_update_secret("top", {"a": "1"})
    kv.create_or_update_secret("dir/one", {"a": "1"})
    kv.create_or_update_secret("dir/two", {"a": "1"})

    assert kv.list_secrets("")["data"]["keys"] == ["dir/", "top"]
    assert kv.list_secrets("dir")["data"]["keys"] == ["one", "two"]
    with pytest.raises(exceptions.InvalidPath):
        kv.list_secrets("nothing-here")

    for method, path, params in [
        ("LIST", "secret/metadata/dir", None),
        ("LIST", "secret/metadata/dir/", None),
        ("GET", "secret/metadata/dir", {"list": "True"}),
        ("GET", "secret/metadata/dir/", {"list": "true"}),
        ("GET", "secret/metadata/dir", {"list": "1"}),
    ]:
        response = fresh_server.request(method, path, params=params)
        assert response.status_code == 200, f"{method} {path} {params}: {response.status_code} {response.text}"
        assert_json_content_type(response)
        assert response.json()["data"]["keys"] == ["one", "two"]

    # The legacy Client.list helper is GET ?list=True (docs/http-api.md § Methods and operations).
    assert client.list("secret/metadata/dir")["data"]["keys"] == ["one", "two"]
    assert client.list("secret/metadata/nothing-here") is None

    bad_bool = fresh_server.request("GET", "secret/metadata/dir", params={"list": "yes"})
    assert_error(bad_bool, 400, [])


def test_delete_latest_version_and_deleted_404_shape(kv, server):
    path = unique("softdel")
    kv.create_or_update_secret(path, {"a": "1"})
    kv.create_or_update_secret(path, {"a": "2"})
    response = kv.delete_latest_version_of_secret(path)
    assert response.status_code == 204

    with pytest.raises(exceptions.InvalidPath):
        read(kv, path)

    body = kv.read_secret_version(path, raise_on_deleted_version=False)
    assert body["data"]["data"] is None
    metadata = body["data"]["metadata"]
    assert metadata["version"] == 2
    assert metadata["destroyed"] is False
    assert_rfc3339(metadata["deletion_time"])

    raw = server.request("GET", f"secret/data/{path}")
    assert raw.status_code == 404
    assert_json_content_type(raw)
    envelope = raw.json()
    assert "errors" not in envelope
    assert_envelope(envelope)
    assert envelope["data"]["data"] is None
    assert envelope["lease_id"] == "" and envelope["lease_duration"] == 0

    # The older version is unaffected.
    assert read(kv, path, version=1)["data"]["data"] == {"a": "1"}


def test_delete_undelete_destroy_versions(kv, server):
    path = unique("lifecycle")
    for n in range(1, 4):
        kv.create_or_update_secret(path, {"n": str(n)})

    assert kv.delete_secret_versions(path, [1]).status_code == 204
    deleted = kv.read_secret_version(path, version=1, raise_on_deleted_version=False)
    assert deleted["data"]["data"] is None
    assert_rfc3339(deleted["data"]["metadata"]["deletion_time"])

    assert kv.undelete_secret_versions(path, [1]).status_code == 204
    restored = read(kv, path, version=1)
    assert restored["data"]["data"] == {"n": "1"}
    assert restored["data"]["metadata"]["deletion_time"] == ""

    assert kv.destroy_secret_versions(path, [2]).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path, version=2)
    raw = server.request("GET", f"secret/data/{path}", params={"version": "2"})
    assert raw.status_code == 404
    assert_json_content_type(raw)
    body = raw.json()
    assert "errors" not in body
    assert body["data"]["data"] is None
    assert body["data"]["metadata"]["destroyed"] is True
    assert body["data"]["metadata"]["version"] == 2

    # Destroy is irreversible.
    kv.undelete_secret_versions(path, [2])
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path, version=2)

    versions = kv.read_secret_metadata(path)["data"]["versions"]
    assert versions["2"]["destroyed"] is True
    assert versions["1"]["deletion_time"] == "" and versions["1"]["destroyed"] is False
    assert read(kv, path)["data"]["data"] == {"n": "3"}


def test_empty_versions_are_rejected(server):
    path = unique("noversions")
    server.request("POST", f"secret/data/{path}", json={"data": {"a": "1"}}).raise_for_status()
    assert_error(server.request("POST", f"secret/delete/{path}", json={"versions": []}), 400,
                 ["No version number provided"])
    assert_error(server.request("POST", f"secret/undelete/{path}", json={"versions": []}), 400,
                 ["No version number provided"])
    assert_error(server.request("POST", f"secret/destroy/{path}", json={"versions": []}), 400,
                 ["no version number provided"])
    # A comma-separated string is accepted for versions (docs/kv.md § Endpoints).
    assert server.request("POST", f"secret/delete/{path}", json={"versions": "1"}).status_code == 204


def test_missing_secret_is_plain_404(kv, server):
    path = unique("never-written")
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path)
    with pytest.raises(exceptions.InvalidPath):
        kv.read_secret_version(path, raise_on_deleted_version=False)
    assert_error(server.request("GET", f"secret/data/{path}"), 404, [])
    assert_error(server.request("GET", f"secret/metadata/{path}"), 404, [])


def test_metadata_read_update_trim_and_delete(kv):
    path = unique("meta")
    kv.create_or_update_secret(path, {"n": "1"})
    response = kv.update_metadata(path, max_versions=3, custom_metadata={"owner": "team-a"})
    assert response.status_code == 204

    for n in range(2, 6):
        kv.create_or_update_secret(path, {"n": str(n)})
    metadata = kv.read_secret_metadata(path)["data"]
    assert metadata["max_versions"] == 3
    assert metadata["cas_required"] is False
    assert metadata["delete_version_after"] == "0s"
    assert metadata["custom_metadata"] == {"owner": "team-a"}
    assert metadata["current_version"] == 5
    assert metadata["oldest_version"] == 3
    assert sorted(metadata["versions"], key=int) == ["3", "4", "5"]
    assert_rfc3339(metadata["created_time"])
    assert_rfc3339(metadata["updated_time"])
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path, version=1)
    assert read(kv, path)["data"]["metadata"]["custom_metadata"] == {"owner": "team-a"}

    assert kv.delete_metadata_and_all_versions(path).status_code == 204
    with pytest.raises(exceptions.InvalidPath):
        kv.read_secret_metadata(path)
    with pytest.raises(exceptions.InvalidPath):
        read(kv, path, version=5)
    # Numbering starts again at 1 after the metadata is gone (docs/kv.md § Versions).
    assert kv.create_or_update_secret(path, {"n": "again"})["data"]["version"] == 1


def test_hvac_patch_is_read_then_write(kv):
    path = unique("patch")
    kv.create_or_update_secret(path, {"a": "1", "b": "1"})
    result = kv.patch(path, {"b": "2", "c": "3"})
    assert result["data"]["version"] == 2
    assert read(kv, path)["data"]["data"] == {"a": "1", "b": "2", "c": "3"}
    with pytest.raises(exceptions.InvalidPath):
        kv.patch(unique("patch-missing"), {"a": "1"})


def test_http_merge_patch(server):
    path = unique("mergepatch")
    server.request("POST", f"secret/data/{path}", json={"data": {"a": "1", "b": {"x": 1, "y": 2}}}).raise_for_status()
    response = server.request(
        "PATCH", f"secret/data/{path}", data='{"data":{"a":null,"b":{"y":3},"c":"new"}}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["version"] == 2
    got = server.request("GET", f"secret/data/{path}").json()
    assert got["data"]["data"] == {"b": {"x": 1, "y": 3}, "c": "new"}

    wrong_type = server.request("PATCH", f"secret/data/{path}", json={"data": {"a": "1"}})
    assert_error(wrong_type, 415, ["PATCH requires Content-Type of application/merge-patch+json, provided application/json"])


def test_mount_configuration(fresh_server):
    kv = fresh_server.client().secrets.kv.v2
    assert kv.read_configuration()["data"] == {"cas_required": False, "delete_version_after": "0s", "max_versions": 0}
    assert kv.configure(max_versions=4, cas_required=True).status_code == 204
    config = kv.read_configuration()["data"]
    assert config["max_versions"] == 4 and config["cas_required"] is True
    with pytest.raises(exceptions.InvalidRequest) as missing:
        kv.create_or_update_secret("needs-cas", {"a": "1"})
    assert missing.value.errors == ["check-and-set parameter required for this call"]
    assert kv.create_or_update_secret("needs-cas", {"a": "1"}, cas=0)["data"]["version"] == 1


def test_subkeys(server):
    path = unique("subkeys")
    server.request("POST", f"secret/data/{path}", json={"data": {"a": "1", "b": {"c": "2", "d": {"e": 3}}}}).raise_for_status()
    body = server.request("GET", f"secret/subkeys/{path}").json()
    assert body["data"]["subkeys"] == {"a": None, "b": {"c": None, "d": {"e": None}}}
    assert body["data"]["metadata"]["version"] == 1
    shallow = server.request("GET", f"secret/subkeys/{path}", params={"depth": "1"}).json()
    assert shallow["data"]["subkeys"] == {"a": None, "b": None}


def test_kv_v2_invalid_paths_are_404_envelopes_with_warnings(server):
    root = server.request("GET", "secret/data")
    assert root.status_code == 404
    assert_json_content_type(root)
    assert root.json()["warnings"] == ["Non-listing operations on the root of a K/V v2 mount are not supported."]

    bare = server.request("GET", "secret/creds")
    assert bare.status_code == 404
    assert_json_content_type(bare)
    assert any("Invalid path for a versioned K/V secrets engine" in w for w in bare.json()["warnings"])


def test_write_without_data_and_to_trailing_slash(server):
    assert_error(server.request("POST", f"secret/data/{unique('nodata')}", json={"options": {}}), 400,
                 ["no data provided"])
    assert_error(server.request("POST", "secret/data/dir/", json={"data": {"a": "1"}}), 400,
                 ["cannot write to a path ending in '/'"])
