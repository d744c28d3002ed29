"""A schema-driven hostile-input test against the real `coffer` binary (issue 10, "Hardening").

The request table is not written here. Every mount listed by `sys/mounts` and `sys/auth` is asked for its own
table with `GET /v1/<mount>?help=1`: framework backends answer with `data.openapi` (paths, `{captures}`,
operations, body properties), and each path's help text adds the fields of read-only paths, which the OpenAPI
fragment leaves out. A mount without a table must be KV v1, whose one catch-all path stores whatever it is sent.

Every path × operation × field then gets every hostile value of every JSON type (in the JSON body of writes, in
the query of reads, lists and deletes), with captures naming seeded objects and with hostile captures. After
every request the server process must be alive, `sys/health` must answer 200 every `HEALTH_EVERY` requests, no
answer may be 5xx, and every error must be Vault-shaped `{"errors":[...]}`. A refused write to a path that can
also be read must leave the read unchanged; a hostile write that was accepted is followed by ordinary requests
that use what it stored (a KV write after a KV config write, a login after an Azure config write, …).

A crash is recorded with the fatal error and the first Coffer frames of the server's backtrace; the server is then
restarted and seeded again and the run goes on, so that one run reports every failure class. Everything found
fails the test in one assertion message, grouped by class.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from azure_sim import AzureSimulatorProcess, dev_server_with_environment
from conftest import REPO_ROOT

FIXTURE = REPO_ROOT / "Examples" / "azure-sim" / "fixture.json"
RESOURCE = "https://management.azure.com/"
APP_ID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
CLIENT_SECRET = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"

ORDINARY = "ordinary"
ORDINARY_POLICY = 'path "secret/data/ordinary" { capabilities = ["read"] }'
REQUEST_TIMEOUT_S = 15.0
HEALTH_EVERY = 25
# A crash costs a backtrace and a restart (seconds each): a server crashing this often is reported as it stands.
MAX_RESTARTS = 15
MIB = 1 << 20


def nested_array(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def nested_object(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# Past every integer type, at the edges of Int64 and UInt32, and at Go's duration limit (9223372036 s =
# 2562047h47m16s, which still overflows Int64 nanoseconds once added to the current time).
NUMBERS: list[object] = [1e19, -1e19, 1e308, -1e308, 2**63, -(2**63) - 1, 2**64, 1e-308, -1, 2**63 - 1, -(2**63),
                         2**32, 9223372036]
STRINGS: list[object] = [
    "", "9999999999999999h", "-9999999999999999h", "a" * MIB, "\u0000", "\u202e", "*", "../..", "%00",
    "1e19", "9223372036854775808", "-9223372036854775809", "-1", "99999999999999d", "1.5e308s", "2562047h47m16s",
    "-2562047h", "4294967296",
]
STRUCTURED: list[object] = [
    nested_array(64), [{"a": 1e19}, {"b": nested_object(8)}], [1e19, -1, "9999999999999999h"],
    nested_object(64), None, True,
]
# Whole request bodies that are no JSON object, or not JSON at all.
RAW_BODIES: list[bytes] = [
    b"", b"null", b"[]", b'"x"', b"1e19", b"true", json.dumps(nested_array(64)).encode(), b'{"a":', b"\xff\xfe",
    b"{" * 100_000, b"[" * 100_000, json.dumps({"\u0000": 1, "a" * 4096: 2, "": 3}).encode(),
]
# Capture values as they go on the wire (percent-encoded where the encoding is the point).
HOSTILE_CAPTURES: list[str] = [
    "", "9999999999999999h", "%00", "%2500", "%E2%80%AE", "*", "..", "../..", "..%2F..", "%2E%2E", "%ZZ",
    "%FF%FE", "%C0%AF", "a%2F..%2F..%2Fsys", "a" * 8192,
]
UNPRIVILEGED_VALUES: list[object] = [1e19, -1, "9999999999999999h", "a" * MIB, nested_array(64), None]
ANONYMOUS_VALUES: list[object] = [1e19, "9999999999999999h", nested_object(64)]
OBJECT_TYPES = {"object"}


def query_values(values: list[object]) -> list[str]:
    # A URL carries only strings, and not a mebibyte of them.
    return [v if len(v) < 4096 else "a" * 16384 for v in values if isinstance(v, str)]


def short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


@dataclass
class Endpoint:
    """One path of one mount's table: its OpenAPI template, captures, HTTP methods and fields with their types."""

    mount: str
    template: str
    captures: list[str]
    methods: list[str]
    fields: dict[str, str] = field(default_factory=dict)

    def label(self) -> str:
        return f"{self.mount}{self.template.lstrip('/')}"


@dataclass
class Offender:
    """One bad answer: `group` (endpoint and field) and `status` form its class in the report."""

    kind: str
    method: str
    group: str
    target: str
    value: str
    status: str
    body: str


class RawHTTP:
    """Keep-alive HTTP/1.1 through `http.client`, which sends a request target byte for byte (requests/urllib3
    re-encode `%` and drop dot segments, which would hide the hostile captures) and any method (`LIST`)."""

    def __init__(self, address: str):
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, target: str, body: bytes | None, headers: dict[str, str]):
        reused = self.conn is not None
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
            try:
                self.conn.putrequest(method, target, skip_accept_encoding=True)
                for name, value in headers.items():
                    self.conn.putheader(name, value)
                self.conn.putheader("Content-Length", str(len(body or b"")))
                self.conn.endheaders(body or None)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, response.getheader("Content-Type"), data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                # A keep-alive connection the server had closed meanwhile; a fresh one must work.
                if attempt == 0 and reused:
                    continue
                raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")


class ServerDied(Exception):
    pass


class TooManyCrashes(Exception):
    pass


class HostileEnvironment:
    """The Azure simulator and a dev server seeded with something behind every path: a KV v1 mount, the dev
    KV v2 `secret/` with versions and metadata, a cubbyhole entry, a policy, a token role, an Azure auth mount
    configured against the simulator with a role, the entity an Azure login creates, and a default-policy token."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.sim = AzureSimulatorProcess.start(FIXTURE, workdir)
        self.server = None
        self.http: RawHTTP | None = None
        self.fresh_counter = 0
        try:
            self.start_server()
        except Exception:
            self.stop()
            raise

    def start_server(self) -> None:
        self.server = dev_server_with_environment(
            {"AZURE_ENVIRONMENT_FILEPATH": self.sim.environment_file, "AZURE_ENVIRONMENT": "AzureStackCloud"},
            self.workdir)
        self.http = RawHTTP(self.server.address)
        self.seed()

    def restart(self) -> None:
        if self.http is not None:
            self.http.close()
        if self.server is not None:
            self.server.kill()
        self.start_server()

    def stop(self) -> None:
        if self.http is not None:
            self.http.close()
        if self.server is not None:
            self.server.stop()
        self.sim.stop()

    def alive(self) -> bool:
        return self.server.process.poll() is None

    def must(self, expected: set[int], method: str, path: str, json_body: object = None, token: str | None = None):
        response = self.server.request(method, path, token=token, json=json_body, timeout=REQUEST_TIMEOUT_S)
        assert response.status_code in expected, f"seeding {method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def seed(self) -> None:
        self.entity_id = None
        self.must({204}, "POST", "sys/mounts/kv1", {"type": "kv", "options": {"version": "1"}})
        self.must({204}, "POST", "sys/auth/azure", {"type": "azure"})
        self.reset()
        self.login_fields = self.vm_login_fields()
        login = self.must({200}, "POST", "auth/azure/login", self.login_fields, token="")
        lookup = self.must({200}, "GET", "auth/token/lookup-self", token=login["auth"]["client_token"])
        self.entity_id = lookup["data"]["entity_id"]
        assert self.entity_id, f"the Azure login created no entity: {lookup}"
        self.entity_name = self.must({200}, "GET", f"identity/entity/id/{self.entity_id}")["data"]["name"]
        self.root_accessor = self.must({200}, "GET", "auth/token/lookup-self")["data"]["accessor"]
        self.unprivileged = self.new_token(["default"])

    def reset(self, mount: str | None = None) -> None:
        """Writes the seeded objects of `mount` (of every mount when None) afresh, so that what hostile writes
        managed to store (a tenant of `"true"`, `cas_required`, a huge TTL) does not stop later requests at the
        door."""
        sections = {"kv1/": self.reset_kv1, "secret/": self.reset_kv2, "cubbyhole/": self.reset_cubbyhole,
                    "sys/": self.reset_sys, "auth/token/": self.reset_token, "auth/azure/": self.reset_azure,
                    "identity/": self.reset_identity}
        for name, section in sections.items():
            if mount is None or mount == name:
                section()

    def reset_kv1(self) -> None:
        self.must({204}, "POST", f"kv1/{ORDINARY}", {"value": ORDINARY})

    def reset_kv2(self) -> None:
        self.must({204}, "POST", "secret/config", {"max_versions": 0, "cas_required": False,
                                                   "delete_version_after": 0})
        self.must({204}, "DELETE", f"secret/metadata/{ORDINARY}")
        for value in ("one", "two"):
            self.must({200}, "POST", f"secret/data/{ORDINARY}", {"data": {"value": value, "nested": {"a": 1}}})
        self.must({204}, "POST", f"secret/metadata/{ORDINARY}", {"custom_metadata": {"owner": ORDINARY}})

    def reset_cubbyhole(self) -> None:
        self.must({204}, "POST", f"cubbyhole/{ORDINARY}", {"value": ORDINARY})

    def reset_sys(self) -> None:
        self.must({204}, "POST", f"sys/policies/acl/{ORDINARY}", {"policy": ORDINARY_POLICY})
        for mount in ("sys/mounts/secret", "sys/auth/azure"):
            self.must({204}, "POST", f"{mount}/tune", {"default_lease_ttl": "system", "max_lease_ttl": "system"})

    def reset_token(self) -> None:
        self.must({204}, "DELETE", f"auth/token/roles/{ORDINARY}")
        self.must({204}, "POST", f"auth/token/roles/{ORDINARY}", {"allowed_policies": [ORDINARY]})

    def reset_azure(self) -> None:
        self.must({204}, "DELETE", "auth/azure/config")
        self.must({204}, "POST", "auth/azure/config", {
            "tenant_id": self.sim.tenant_id, "resource": RESOURCE, "client_id": APP_ID,
            "client_secret": CLIENT_SECRET})
        self.must({204}, "DELETE", f"auth/azure/role/{ORDINARY}")
        self.must({204}, "POST", f"auth/azure/role/{ORDINARY}", {
            "policies": [ORDINARY], "bound_subscription_ids": [SUBSCRIPTION]})

    def reset_identity(self) -> None:
        self.must({204}, "POST", "identity/oidc/config", {"issuer": ""})
        if self.entity_id:
            self.must({204}, "POST", f"identity/entity/id/{self.entity_id}",
                      {"policies": [], "metadata": {}, "disabled": False})

    def vm_login_fields(self) -> dict[str, str]:
        compute = self.sim.instance_metadata()["compute"]
        return {
            "role": ORDINARY, "jwt": self.sim.imds_token(RESOURCE), "subscription_id": compute["subscriptionId"],
            "resource_group_name": compute["resourceGroupName"], "vm_name": compute["name"],
        }

    def new_token(self, policies: list[str]) -> str:
        created = self.must({200}, "POST", "auth/token/create", {"policies": policies, "ttl": "1h"})
        return created["auth"]["client_token"]

    def token(self, who: str, endpoint: Endpoint | None = None) -> str:
        """The token of `who` ("root", "unprivileged" or "none"), looked up per request because a restart after
        a crash mints new ones. revoke-self revokes its caller, so it gets a disposable token of the same kind."""
        if endpoint is not None and endpoint.template == "/revoke-self" and who != "none":
            return self.new_token(["root"] if who == "root" else ["default"])
        return {"root": self.server.root_token, "unprivileged": self.unprivileged, "none": ""}[who]

    def ordinary_capture(self, endpoint: Endpoint, name: str, method: str) -> str:
        """A capture naming something the seed created, so the request reaches the code behind the path."""
        if endpoint.mount == "sys/" and name == "path":
            if endpoint.template in ("/mounts/{path}", "/auth/{path}") and method == "POST":
                # Enabling at a taken path stops before the body is read; a new name each time lets it parse.
                self.fresh_counter += 1
                return f"fresh{self.fresh_counter}"
            if endpoint.template.startswith("/auth/"):
                return "azure"
            if endpoint.template.startswith("/internal/ui/mounts/"):
                return f"secret/data/{ORDINARY}"
            return "secret"
        if endpoint.mount == "identity/" and name == "id":
            return self.entity_id
        if endpoint.mount == "identity/" and name == "name":
            return self.entity_name
        return ORDINARY

    def base_body(self, endpoint: Endpoint) -> dict:
        """Valid values for the fields a hostile field rides along with, so that each one is parsed by the code
        that does the work rather than refused for a missing sibling."""
        template, mount = endpoint.template, endpoint.mount
        if mount == "auth/azure/" and template == "/login":
            return dict(self.login_fields)
        if mount == "auth/azure/" and template.startswith("/role/"):
            return {"bound_subscription_ids": [SUBSCRIPTION]}
        if mount == "secret/" and template.startswith("/data/"):
            return {"data": {"value": "three"}}
        if mount == "sys/" and template == "/mounts/{path}":
            return {"type": "kv"}
        if mount == "sys/" and template == "/auth/{path}":
            return {"type": "azure"}
        if mount == "sys/" and template.startswith(("/policy/", "/policies/acl/")):
            return {"policy": ORDINARY_POLICY}
        if mount == "sys/" and template == "/capabilities":
            return {"paths": ["secret/data/x"], "token": self.server.root_token}
        if mount == "sys/" and template == "/capabilities-accessor":
            return {"paths": ["secret/data/x"], "accessor": self.root_accessor}
        if mount == "sys/" and template == "/capabilities-self":
            return {"paths": ["secret/data/x"]}
        return {}

    def uses(self, mount: str) -> list[tuple[str, str, dict | None]]:
        """Ordinary requests that read what writes to `mount` store (sys/ settings reach every mount)."""
        kv = [("KV-WRITE", f"secret/data/{ORDINARY}", {"data": {"value": "use"}}),
              ("GET", f"secret/data/{ORDINARY}", None), ("GET", f"secret/metadata/{ORDINARY}", None),
              ("GET", f"secret/subkeys/{ORDINARY}", None)]
        tokens = [("POST", f"auth/token/create/{ORDINARY}", {}), ("POST", "auth/token/create", {}),
                  ("GET", f"auth/token/roles/{ORDINARY}", None)]
        login = [("LOGIN", "auth/azure/login", self.login_fields), ("GET", "auth/azure/config", None)]
        others = [("GET", f"cubbyhole/{ORDINARY}", None), ("LIST", "cubbyhole/", None),
                  ("GET", f"kv1/{ORDINARY}", None), ("GET", "sys/mounts", None), ("GET", "sys/auth", None),
                  ("GET", "sys/internal/ui/mounts", None),
                  ("GET", "identity/oidc/plugins/.well-known/openid-configuration", None)]
        return {"secret/": kv, "auth/token/": tokens, "auth/azure/": login, "identity/": login + others[-1:],
                "sys/": kv[:1] + tokens[:2] + login + others[3:5]}.get(mount, others)


PARAMETER_LINE = re.compile(r"^(\S+) \((\w+)\)$")


def help_parameters(text: str) -> dict[str, str]:
    """The `## PARAMETERS` section of a framework help text: `name (type)` lines."""
    _, _, section = text.partition("## PARAMETERS")
    return {m.group(1): m.group(2) for m in map(PARAMETER_LINE.match, section.splitlines()) if m}


OPENAPI_TYPES = {"string": "string", "lowerCaseString": "string", "int": "integer", "duration": "integer",
                 "bool": "boolean", "commaStringSlice": "array", "stringSlice": "array", "commaIntSlice": "array",
                 "keyPairs": "object", "map": "object", "raw": "object"}


def fetch_tables(env: HostileEnvironment) -> list[Endpoint]:
    """Every mounted backend's path table, from its own OpenAPI and help answers."""
    mounts = list(env.must({200}, "GET", "sys/mounts")["data"].items())
    mounts += [("auth/" + path, info) for path, info in env.must({200}, "GET", "sys/auth")["data"].items()]
    endpoints: list[Endpoint] = []
    for mount, info in sorted(mounts):
        answer = env.must({200, 404}, "GET", f"{mount}?help=1") or {}
        openapi = (answer.get("data") or {}).get("openapi")
        if openapi is None:
            # KV v1 is a plain backend without a table: one catch-all path storing whatever it is sent.
            assert info["type"] in ("kv", "generic") and (info.get("options") or {}).get("version") != "2", (
                f"mount {mount} ({info['type']}) answers help without an OpenAPI table: {answer}")
            endpoints.append(Endpoint(mount, "/{path}", ["path"], ["GET", "LIST", "POST", "PATCH", "DELETE"],
                                      {"value": "string"}))
            continue
        for template, item in sorted(openapi["paths"].items()):
            endpoints.append(endpoint_from_openapi(env, mount, template, item))
    return endpoints


def endpoint_from_openapi(env: HostileEnvironment, mount: str, template: str, item: dict) -> Endpoint:
    captures = [p["name"] for p in item.get("parameters", [])]
    methods: list[str] = []
    # The fragment files a list operation under "get" as well, so a "get" is sent as both GET and LIST.
    for key, http_methods in (("get", ["GET", "LIST"]), ("post", ["POST"]), ("patch", ["PATCH"]),
                              ("delete", ["DELETE"]), ("head", ["HEAD"])):
        if key in item:
            methods += http_methods
    fields: dict[str, str] = {}
    for key in ("post", "patch"):
        body = item.get(key, {}).get("requestBody", {}).get("content", {}).get("application/json", {})
        fields.update({k: v["type"] for k, v in body.get("schema", {}).get("properties", {}).items()})
    endpoint = Endpoint(mount, template, captures, methods, fields)
    target = instantiate(endpoint, {c: env.ordinary_capture(endpoint, c, "GET") for c in captures})
    text = (env.must({200}, "GET", f"{target}?help=1").get("data") or {}).get("help", "")
    for name, kind in help_parameters(text).items():
        if name not in captures:
            endpoint.fields.setdefault(name, OPENAPI_TYPES.get(kind, kind))
    return endpoint


def instantiate(endpoint: Endpoint, captures: dict[str, str], encoded: bool = False) -> str:
    path = endpoint.template
    for name, value in captures.items():
        path = path.replace("{" + name + "}", value if encoded else quote(value, safe="/"))
    return endpoint.mount + path.lstrip("/")


def table_objects(endpoints: list[Endpoint]) -> list[dict]:
    """Objects whose members are every field name of every table, so that object fields (`config`, `options`,
    `data`, `custom_metadata`, …) carry hostile values one level down under names some code reads."""
    names = sorted({name for e in endpoints for name in e.fields} | {"cas", "version"})
    return [{n: v for n in names} for v in (1e19, -1, "9999999999999999h", 2**63, 9223372036)]


BACKTRACE_FRAME = re.compile(r"0x[0-9a-f]+ (.+?)(?: \+ \d+)? in \S+ at \S*?(Sources/\S+)")


def crash_summary(log: str) -> str:
    """The fatal error line, the first Coffer frames of the backtrace, and the log lines before the crash."""
    lines = log.splitlines()
    markers = ("Fatal error", "Swift runtime failure", "Program crashed")
    fatal = next((i for i, line in enumerate(lines) if any(m in line for m in markers)), None)
    if fatal is None:
        return "server log tail:\n" + "\n".join(lines[-12:])
    # The backtrace lists the crashed thread first or among others; its frames follow its "crashed:" line.
    crashed = next((i for i in range(fatal, len(lines)) if lines[i].rstrip().endswith("crashed:")), fatal)
    frames = [f"  at {m.group(1)} ({m.group(2)})" for m in map(BACKTRACE_FRAME.search, lines[crashed:]) if m][:4]
    return "\n".join([lines[fatal], *frames, "log before it:", *lines[max(0, fatal - 2):fatal]])


def vault_error_shaped(status: int, content_type: str | None, body: object, data: bytes) -> bool:
    if status == 404 and not data:
        # Vault's own bare 404 (no body at all), e.g. merge-patching the metadata of a key that does not exist.
        return True
    if content_type != "application/json" or not isinstance(body, dict):
        return False
    errors = body.get("errors")
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return True
    # Vault answers some 404s with a response envelope instead (KV v2 deleted versions, invalid-path warnings).
    return status == 404 and ("data" in body or "warnings" in body)


VOLATILE_KEYS = {"ttl", "last_renewal", "last_renewal_time", "expire_time", "request_id", "lease_id",
                 "lease_duration"}


def stable_view(value: object) -> object:
    if isinstance(value, dict):
        return {k: stable_view(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [stable_view(v) for v in value]
    return value


class HostileRun:
    """Sends requests, checks the server after each, and collects every offender."""

    def __init__(self, env: HostileEnvironment):
        self.env = env
        self.offenders: list[Offender] = []
        self.sent = 0
        self.restarts = 0

    def record(self, kind: str, method: str, group: str, target: str, value: str, status: object, body: object):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        self.offenders.append(Offender(kind, method, group, short(target, 100), value, str(status), text[:400]))

    def reset(self, mount: str | None = None) -> None:
        """The seeded objects written afresh; a crash while doing so is recorded like any other."""
        try:
            self.env.reset(mount)
        except (requests.RequestException, AssertionError) as error:
            if self.env.alive():
                raise
            self.crashed("-", "(re-seeding)", "-", str(error)[:200], "-")

    def crashed(self, method: str, group: str, target: str, value: str, status: object) -> None:
        code = self.env.server.process.poll()
        self.record("crash", method, group, target, value, f"{status}, exit {code}",
                    crash_summary(self.env.server.log_text()))
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise TooManyCrashes()
        self.env.restart()
        raise ServerDied()

    def send(self, method: str, target: str, body: bytes | None, token: str, group: str, value: str,
             upstream_may_refuse: bool = False):
        """One request; (status, parsed JSON or None), or None when no answer came. Raises ServerDied.

        `upstream_may_refuse`: a Vault-shaped 502 is Azure refusing what a hostile config write stored (a client
        secret `"1e+19"`, a tenant `"-1"`): Coffer reports the upstream call's failure, which is not its own."""
        headers = {"X-Vault-Token": token} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/merge-patch+json" if method == "PATCH" else "application/json"
        self.sent += 1
        try:
            status, content_type, data = self.env.http.request(method, "/v1/" + target, body, headers)
        except (socket.timeout, TimeoutError):
            if not self.env.alive():
                self.crashed(method, group, target, value, "timeout")
            self.record("hang", method, group, target, value, f"no answer in {REQUEST_TIMEOUT_S}s", "")
            return None
        except (OSError, http.client.HTTPException) as error:
            time.sleep(0.2)
            if not self.env.alive():
                self.crashed(method, group, target, value, type(error).__name__)
            self.record("dropped", method, group, target, value, type(error).__name__, str(error))
            return None
        if not self.env.alive():
            self.crashed(method, group, target, value, status)
        if self.sent % HEALTH_EVERY == 0:
            self.check_health(method, group, target, value)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        if status == 502 and upstream_may_refuse and vault_error_shaped(status, content_type, parsed, data):
            pass
        elif status >= 500:
            self.record("5xx", method, group, target, value, status, data)
        elif status >= 400 and method != "HEAD" and not vault_error_shaped(status, content_type, parsed, data):
            self.record("shape", method, group, target, value, status, data)
        return status, parsed

    def check_health(self, method: str, group: str, target: str, value: str) -> None:
        try:
            health = requests.get(f"{self.env.server.url}/v1/sys/health", timeout=REQUEST_TIMEOUT_S)
            ok, answer = health.status_code == 200, f"{health.status_code} {health.text[:200]}"
        except requests.RequestException as error:
            ok, answer = False, str(error)
        if not self.env.alive():
            self.crashed(method, group, target, f"{value} (found dead by the health check)", answer)
        if not ok:
            self.record("health", method, group, target, f"{value} (sys/health after it)", answer, "")

    def guarded(self, method: str, target: str, body: bytes | None, token: str, group: str, value: str,
                upstream_may_refuse: bool = False):
        """`send`, where a crash (recorded, server restarted) yields None."""
        try:
            return self.send(method, target, body, token, group, value, upstream_may_refuse)
        except ServerDied:
            return None

    def use_stored(self, endpoint: Endpoint, cause: str) -> None:
        """After a hostile write was accepted: the ordinary requests that read what it stored."""
        for method, target, body in self.env.uses(endpoint.mount):
            group = f"{method} {target} after a write to {endpoint.label()}"
            encoded = None if body is None else json.dumps(body).encode()
            if method == "LOGIN":
                # Only after a write to the method's own config can Azure refuse the login upstream.
                answer = self.guarded("POST", target, encoded, "", group, cause,
                                      upstream_may_refuse=endpoint.template.lstrip("/") == "config")
                if answer is None:
                    return
                token = ((answer[1] or {}).get("auth") or {}).get("client_token")
                for use in ("auth/token/lookup-self", f"secret/data/{ORDINARY}", "sys/internal/ui/mounts"):
                    if token and self.guarded("GET", use, None, token, f"GET {use} as {group}", cause) is None:
                        return
            elif method == "KV-WRITE":
                # With `cas` set to the current version, so that a `cas_required` the hostile write turned on
                # does not stop the write before it reaches what else was stored.
                meta = self.guarded("GET", target.replace("/data/", "/metadata/"), None, self.env.server.root_token,
                                    group, cause)
                if meta is None:
                    return
                version = ((meta[1] or {}).get("data") or {}).get("current_version", 0)
                encoded = json.dumps({**body, "options": {"cas": version}}).encode()
                if self.guarded("POST", target, encoded, self.env.server.root_token, group, cause) is None:
                    return
            elif self.guarded(method, target, encoded, self.env.server.root_token, group, cause) is None:
                return

    def report(self) -> str:
        classes: dict[tuple[str, str, str, str], list[Offender]] = {}
        for offender in self.offenders:
            status = offender.status if offender.kind != "crash" else "crash"
            classes.setdefault((offender.kind, offender.method, offender.group, status), []).append(offender)
        lines = [f"{len(self.offenders)} offenders in {len(classes)} classes ({self.sent} requests, "
                 f"{self.restarts} restarts):"]
        for (kind, method, group, status), items in classes.items():
            distinct = sorted({i.value for i in items})
            values = ", ".join(distinct[:8]) + (f" and {len(distinct) - 8} more" if len(distinct) > 8 else "")
            first = items[0]
            lines.append(f"[{kind}] {method} {group} -> {status} ×{len(items)} e.g. {first.target}; values: {values}")
            lines.append("    " + first.body.replace("\n", "\n    "))
        return "\n".join(lines)


class ChangeWatch:
    """The read answer of a path that can also be written, to tell whether a write changed anything."""

    def __init__(self, run: HostileRun, target: str, group: str):
        self.run, self.target, self.group = run, target, group
        first, second = self.read(), self.read()
        # A read whose answer moves on its own (or fails) cannot witness anything.
        self.snapshot = first if first is not None and first == second else None
        self.original = self.snapshot

    def read(self) -> object:
        answer = self.run.guarded("GET", self.target, None, self.run.env.server.root_token,
                                  f"{self.group} (state read)", "-")
        if answer is None or answer[0] != 200:
            return None
        return stable_view((answer[1] or {}).get("data"))

    def changed_by(self, status: int, method: str, value: str) -> bool:
        if self.snapshot is None:
            return True
        now = self.read()
        changed = now != self.snapshot
        if changed and 400 <= status < 500:
            self.run.record("changed", method, self.group, self.target, value, status,
                            f"refused, yet the read went from {short(self.snapshot, 200)} to {short(now, 200)}")
        self.snapshot = now
        return changed

    def shows(self, name: str) -> bool:
        return isinstance(self.original, dict) and name in self.original

    def restore(self, endpoint: Endpoint, name: str) -> None:
        """Undoes an accepted hostile write before the next one, so that stored values do not pile up (a
        `client_id` of "true" would fail every later login of the pass): the seeded value of the field written
        back, or the mount's seeded objects written afresh when the read does not show the field."""
        run = self.run
        original = self.original if isinstance(self.original, dict) else {}
        answer = None
        if name in original:
            body = json.dumps({**run.env.base_body(endpoint), name: original[name]}).encode()
            answer = run.guarded("POST", self.target, body, run.env.server.root_token,
                                 f"{self.group} (restore)", short(original[name]))
        if answer is None or not 200 <= answer[0] < 300:
            run.reset(endpoint.mount)
        self.snapshot = self.read()


def field_pass(run: HostileRun, endpoints: list[Endpoint], methods: set[str], values: list[object],
               objects: list[dict], who: str, follow_writes: bool) -> None:
    """Each field × each value, with ordinary captures: in the JSON body of writes, in the query otherwise. With
    `follow_writes`, refused writes must change nothing and accepted ones are followed by requests using them."""
    env = run.env
    for endpoint in endpoints:
        for method in [m for m in endpoint.methods if m in methods]:
            # A path without declared fields still takes a body (cubbyhole and KV v1 store it whole; elsewhere the
            # field is unknown and warned about), so it gets one field of its own.
            fields = endpoint.fields or {"value": "string"}
            writes = method in ("POST", "PATCH")
            if not answers(run, endpoint, method, who):
                continue
            watch = None
            for name in sorted(fields):
                chosen = values + (objects if fields[name] in OBJECT_TYPES else []) if writes else query_values(values)
                for value in chosen:
                    captures = {c: env.ordinary_capture(endpoint, c, method) for c in endpoint.captures}
                    target = instantiate(endpoint, captures)
                    group = f"{endpoint.label()} field {name}"
                    if follow_writes and writes and watch is None and "GET" in endpoint.methods and \
                            not any(v.startswith("fresh") for v in captures.values()):
                        watch = ChangeWatch(run, target, group)
                    body = None
                    if writes:
                        body = json.dumps({**env.base_body(endpoint), name: value}, allow_nan=False).encode()
                    else:
                        target = f"{target}?{quote(name)}={quote(value, safe='')}"
                    answer = run.guarded(method, target, body, env.token(who, endpoint), group, short(value))
                    if watch is None or answer is None:
                        continue
                    changed = watch.changed_by(answer[0], method, short(value))
                    # A write that changed what the path reads back (or wrote a field the read never shows, such
                    # as a secret) stored something the fixture uses.
                    if (changed or not watch.shows(name)) and 200 <= answer[0] < 300:
                        run.use_stored(endpoint, f"{name}={short(value)}")
                        watch.restore(endpoint, name)
            if writes and who == "root":
                run.reset()


def answers(run: HostileRun, endpoint: Endpoint, method: str, who: str) -> bool:
    """One plain request (ordinary captures, the base body); whether the path takes the method at all. The OpenAPI
    fragment files reads and lists alike under "get", and a path refusing a LIST (405) has no field a hostile
    LIST value could reach."""
    env = run.env
    target = instantiate(endpoint, {c: env.ordinary_capture(endpoint, c, method) for c in endpoint.captures})
    body = json.dumps(env.base_body(endpoint)).encode() if method in ("POST", "PATCH") else None
    answer = run.guarded(method, target, body, env.token(who, endpoint), f"{endpoint.label()} plain", "-")
    return not (method == "LIST" and answer is not None and answer[0] == 405)


def query_flag_pass(run: HostileRun, endpoints: list[Endpoint], values: list[object], who: str) -> None:
    """`help` and `list`, which the HTTP layer reads from the query of any GET before the backend sees it."""
    env = run.env
    for endpoint in {e.mount: e for e in reversed(endpoints)}.values():
        target = instantiate(endpoint, {c: env.ordinary_capture(endpoint, c, "GET") for c in endpoint.captures})
        for name in ("help", "list"):
            for value in query_values(values):
                run.guarded("GET", f"{target}?{name}={quote(value, safe='')}", None, env.token(who, endpoint),
                            f"{endpoint.mount} query {name}", short(value))


# Served by the HTTP layer before any backend (CofferHTTP's VaultResponder and StatusEndpoints), so no table
# lists them: the paths and the query parameters StatusEndpoints reads are written out here.
STATUS_ENDPOINTS: dict[str, list[str]] = {
    "sys/health": ["standbyok", "perfstandbyok", "activecode", "standbycode", "sealedcode", "uninitcode",
                   "drsecondarycode", "performancestandbycode"],
    "sys/seal-status": [], "sys/leader": [], "sys/init": [],
}


def status_pass(run: HostileRun, values: list[object]) -> None:
    """The raw status endpoints: every query parameter with every hostile string, by GET and HEAD, with and
    without a token; then every hostile value as a `sys/init` body."""
    for path, parameters in STATUS_ENDPOINTS.items():
        for name in parameters or ["unknown"]:
            for value in query_values(values):
                for method, who in (("GET", "none"), ("HEAD", "none"), ("GET", "root")):
                    run.guarded(method, f"{path}?{name}={quote(value, safe='')}", None, run.env.token(who),
                                f"{path} query {name}", short(value))
    for value in values:
        body = json.dumps({"secret_shares": value, "secret_threshold": value}, allow_nan=False).encode()
        run.guarded("POST", "sys/init", body, "", "sys/init body", short(value))


def body_pass(run: HostileRun, endpoints: list[Endpoint], who: str) -> None:
    """Whole bodies that are not JSON objects, or not JSON."""
    env = run.env
    for endpoint in endpoints:
        for method in [m for m in endpoint.methods if m in ("POST", "PATCH")]:
            for raw in RAW_BODIES:
                captures = {c: env.ordinary_capture(endpoint, c, method) for c in endpoint.captures}
                target = instantiate(endpoint, captures)
                run.guarded(method, target, raw, env.token(who, endpoint), f"{endpoint.label()} body", short(raw))
            run.reset()


def capture_pass(run: HostileRun, endpoints: list[Endpoint], methods: set[str], objects: list[dict],
                 who: str) -> None:
    """Each hostile capture, with an empty body and with every field set to a hostile number."""
    env = run.env
    for endpoint in [e for e in endpoints if e.captures]:
        for method in [m for m in endpoint.methods if m in methods]:
            writes = method in ("POST", "PATCH")
            for capture in HOSTILE_CAPTURES:
                target = instantiate(endpoint, {c: capture for c in endpoint.captures}, encoded=True)
                bodies = [b"{}", json.dumps({**env.base_body(endpoint), **objects[0]}).encode()] if writes else [None]
                for body in bodies:
                    run.guarded(method, target, body, env.token(who, endpoint), f"{endpoint.label()} capture",
                                short(capture))
            if writes and who == "root":
                run.reset()


def enables_last(endpoints: list[Endpoint]) -> list[Endpoint]:
    # Every accepted write to sys/mounts/{path} or sys/auth/{path} enables a mount under a fresh name; done last,
    # the hundreds of mounts they leave do not slow the mount listings that follow other paths' writes.
    return sorted(endpoints, key=lambda e: e.mount == "sys/" and e.template in ("/mounts/{path}", "/auth/{path}"))


def deletes_last(endpoints: list[Endpoint]) -> list[Endpoint]:
    # DELETE removes what the seed made (sys/ deletes whole mounts), so deletes run after everything else, sys/ last.
    return sorted(endpoints, key=lambda e: e.mount == "sys/")


def run_and_report(run: HostileRun, passes) -> None:
    started, timings = time.monotonic(), []
    try:
        for run_pass in passes:
            before, sent = time.monotonic(), run.sent
            run_pass()
            timings.append(f"{run.sent - sent} in {time.monotonic() - before:.1f}s")
    except TooManyCrashes:
        run.offenders.append(Offender("stopped", "-", f"the run, after {MAX_RESTARTS} restarts", "-", "-", "-", ""))
    print(f"hostile input: {run.sent} requests in {time.monotonic() - started:.1f}s ({', '.join(timings)}), "
          f"{run.restarts} restarts")
    assert not run.offenders, run.report()


@pytest.fixture
def hostile_env(tmp_path):
    env = HostileEnvironment(tmp_path)
    yield env
    env.stop()


def test_hostile_values_with_the_root_token(hostile_env):
    env = hostile_env
    endpoints = fetch_tables(env)
    assert {e.mount for e in endpoints} >= {"sys/", "auth/token/", "cubbyhole/", "identity/", "secret/", "kv1/",
                                             "auth/azure/"}
    values, objects = NUMBERS + STRINGS + STRUCTURED, table_objects(endpoints)
    run = HostileRun(env)
    reads_and_writes = {"GET", "LIST", "POST", "PATCH", "HEAD"}
    run_and_report(run, [
        lambda: field_pass(run, enables_last(endpoints), reads_and_writes, values, objects, "root", True),
        lambda: query_flag_pass(run, endpoints, values, "root"),
        lambda: status_pass(run, values),
        lambda: body_pass(run, endpoints, "root"),
        lambda: capture_pass(run, endpoints, reads_and_writes, objects, "root"),
        lambda: field_pass(run, deletes_last(endpoints), {"DELETE"}, values, objects, "root", follow_writes=False),
        lambda: capture_pass(run, deletes_last(endpoints), {"DELETE"}, objects, "root"),
    ])


def test_hostile_values_without_privileges(hostile_env):
    env = hostile_env
    endpoints = fetch_tables(env)
    objects = table_objects(endpoints)[:1]
    run = HostileRun(env)
    every = {"GET", "LIST", "POST", "PATCH", "HEAD", "DELETE"}
    run_and_report(run, [
        lambda: field_pass(run, deletes_last(endpoints), every, UNPRIVILEGED_VALUES, objects, "unprivileged", False),
        lambda: capture_pass(run, deletes_last(endpoints), every, objects, "unprivileged"),
        lambda: field_pass(run, deletes_last(endpoints), every, ANONYMOUS_VALUES, objects, "none", False),
    ])
