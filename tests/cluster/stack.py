"""The local multi-replica stack: what a Kubernetes deployment runs, on one machine.

- its own PostgreSQL 15 (``initdb`` into a temporary directory with the machine's binaries,
  on a free port) and its own Redis (``redis-server`` on a free port): CI's servers are never
  touched, and this one can be restarted;
- 3 API replicas, each the image's command (``tools/image/serve.py``: uvicorn, graceful
  shutdown) with production settings and real random keys, Redis as the shared rate-limit store;
- 2 dispatcher replicas (``python -m dispatcher``), connected directly;
- HAProxy (Debian's) in front, health-checking ``/readyz`` on every replica.

A replica leaves the load balancer the way a pod leaves a Service: it is taken out of the
rotation first (HAProxy's ``drain`` state, which Kubernetes does by removing the endpoint
while the preStop pause runs), so no new request reaches it; then SIGTERM, and uvicorn
finishes what it has in flight before it exits. HAProxy also retries a request whose
connection failed or got no answer on another replica (``retry-on`` + ``option redispatch``):
the second line of defence for a replica that disappears unannounced. Every write of the load
carries an Idempotency-Key, so a retried POST cannot create a second task.

Why HAProxy buffers request bodies (``option http-buffer-request``): it can retry a request
only if it held all of it when it first sent it to a replica (it keeps a copy of what it
sends, and keeps none of a request still arriving: ``retry-on`` then stops at
``conn-failure``). A client's POST or PATCH often arrives in two pieces, headers then body
(httpx writes them separately, with TCP_NODELAY), and without buffering HAProxy forwards the
headers at once. A replica that is SIGTERMed closes its listening socket, which resets the
connections still in its accept backlog, and closes the connections it accepted but has not
read yet: requests it never saw. If such a request was a write whose body had not arrived
when HAProxy sent its headers, nothing retried it: HAProxy closed the client's connection
without an answer (httpx: "Server disconnected without sending a response"; 1 of 3,821
requests in one CI run) and logged it ``SD--`` with status -1, or, when the body had been
sent too, not at all (a keep-alive request that fails on a network error is closed unlogged,
"so that the client retries"). Buffered, the request goes to the replica whole, and the same
reset is an ``empty-response`` retried on another replica (``+1`` in the log's retries).
``test_a_write_whose_body_comes_late_is_retried_when_its_replica_resets_it`` proves it
deterministically. HAProxy's log is ``haproxy.log`` in the work directory.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tools.image.serve import uvicorn_command
from tools.processes import free_port, stop
from tools.system_packages import ensure_command

from platform_common.webhooks.secrets import SecretBox
from tests.database import migrate
from tests.dispatcher_process import FAST, DispatcherProcess, running_dispatcher
from tests.integration.factories import Outbox
from tests.service_process import ROOT, answers, wait_until
from todo_api.core.provisioning import provision

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
API_REPLICAS = 3
DISPATCHER_REPLICAS = 2
LOOPBACK = '["127.0.0.0/8"]'
# Limits of the stack: generous for the load's sign-ups and logins, small where a test counts.
PASSWORD_CHANGE_LIMIT = 5


def _as_postgres() -> dict[str, Any]:
    """PostgreSQL refuses to run as root: as root, its processes run as the ``postgres`` user."""
    return {"user": "postgres"} if os.geteuid() == 0 else {}


@dataclass
class Postgres:
    """A PostgreSQL server of the stack's own, which a test may restart."""

    data: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def create(cls, workdir: Path) -> Postgres:
        ensure_command(str(POSTGRES_BIN / "initdb"), package="postgresql-15")
        home = workdir / "postgres"
        home.mkdir()
        data = home / "data"
        if os.geteuid() == 0:
            workdir.chmod(0o755)
            owner = pwd.getpwnam("postgres")
            os.chown(home, owner.pw_uid, owner.pw_gid)
        subprocess.run(  # noqa: S603
            [POSTGRES_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
            **_as_postgres(),
        )
        return cls(data, free_port(), home / "postgres.log")

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    POSTGRES_BIN / "postgres",
                    "-D",
                    self.data,
                    "-p",
                    str(self.port),
                    "-k",
                    "",
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=200",
                    "-c",
                    "shared_buffers=64MB",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                **_as_postgres(),
            )
        wait_until(self._accepts, timeout=30, what="PostgreSQL to accept connections")

    def _accepts(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited:\n{self.log.read_text()[-2000:]}")
        result = subprocess.run(  # noqa: S603
            [POSTGRES_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False
        )
        return result.returncode == 0

    def stop(self) -> None:
        """A fast shutdown (SIGINT): every connection is cut, as in a failover or a restart."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        executable = ensure_command("redis-server", package="redis-server")
        self.process = subprocess.Popen(  # noqa: S603
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: _listens(self.port), what="Redis to listen")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, timeout=10)


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class ApiReplica:
    """One API replica on a fixed port (a restarted replica comes back at the same address,
    as a new pod of a StatefulSet would; HAProxy knows it by that address)."""

    name: str
    port: int
    metrics_port: int
    env: Mapping[str, str]
    stderr: Path
    process: subprocess.Popen[bytes] | None = None
    generation: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        self.generation += 1
        environment = {**os.environ, **self.env, "METRICS_PORT": str(self.metrics_port)}
        command = uvicorn_command({"HOST": "127.0.0.1", "PORT": str(self.port)})
        with self.stderr.open("a") as errors:
            self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=errors)  # noqa: S603

    def wait_ready(self) -> None:
        wait_until(self._ready, timeout=90, what=f"{self.name} to be ready")

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.stderr.read_text()[-3000:]}")
        return answers(f"{self.url}/readyz") and answers(self.metrics_url)

    def terminate(self, timeout: float = 40) -> int:
        """SIGTERM, as the kubelet sends it; uvicorn finishes what is in flight, then exits."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, timeout=30)


@dataclass
class HAProxy:
    port: int
    admin_socket: Path
    config: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def configure(cls, workdir: Path, replicas: list[ApiReplica]) -> HAProxy:
        port = free_port()
        admin_socket = workdir / "haproxy.sock"
        config = workdir / "haproxy.cfg"
        servers = "\n".join(
            f"    server {replica.name} 127.0.0.1:{replica.port} check" for replica in replicas
        )
        config.write_text(
            f"""global
    stats socket {admin_socket} mode 600 level admin
    maxconn 2000
    # One line per request to stdout (haproxy.log in the work directory): termination state
    # (%tsc) and retries (%rc, "+" when redispatched) name who closed what.
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout queue 10s
    # A request whose connection failed, or that got no answer at all, goes to another
    # replica: safe, since the app never saw it (or saw a retried write with its
    # Idempotency-Key). Never after a response began.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
    # ... and only a request HAProxy held whole when it sent it (see the module's docstring):
    # wait for the body before choosing a replica, so a write is retried like a read.
    option http-buffer-request

frontend api
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    # One request per server connection: no idle keep-alive connection that a stopping
    # replica could close while HAProxy sends on it.
    option http-server-close
    option forwardfor
    option httpchk
    http-check send meth GET uri /readyz hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 maxconn 100
{servers}
"""
        )
        return cls(port, admin_socket, config, workdir / "haproxy.log")

    def start(self) -> None:
        executable = ensure_command("haproxy", package="haproxy")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [executable, "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: _listens(self.port) and self.admin_socket.exists(), what="HAProxy to listen")

    def command(self, line: str) -> str:
        """One command of HAProxy's runtime API (its admin socket)."""
        with socket.socket(socket.AF_UNIX) as admin:
            admin.connect(str(self.admin_socket))
            admin.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict[str, str]]:
        """``show stat`` of the replicas' backend: status, current sessions, ... per server."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row
            for row in rows
            if row.get("pxname") == "replicas" and row["svname"] not in {"FRONTEND", "BACKEND"}
        }

    def requests(self) -> list[HAProxyRequest]:
        """The requests logged so far (``option httplog``), oldest first; a line is written
        when its request ends."""
        matches = (_HTTPLOG.match(line) for line in self.log.read_text().splitlines())
        return [HAProxyRequest(**match.groupdict()) for match in matches if match]

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, timeout=10)


# HAProxy's httplog line: client [accepted] frontend backend/server Tq/Tw/Tc/Tr/Ta status bytes
# cookies termination-state actconn/feconn/beconn/srv_conn/retries queues "request".
_HTTPLOG = re.compile(
    r"^\S+ \[(?P<accepted>[^\]]+)\] \S+ [^/ ]+/(?P<server>\S+) \S+ (?P<status>-?\d+) \S+ \S+ \S+ "
    r"(?P<termination>\S{4}) \d+/\d+/\d+/\d+/(?P<retries>\+?\d+) \S+ \"(?P<request>[^\"]*)\"$"
)


@dataclass(frozen=True)
class HAProxyRequest:
    accepted: str
    server: str
    status: str  # "-1": no response from any server
    termination: str  # "----": a normal end; e.g. "SD--": the server aborted while the request was sent
    retries: str  # "+1": retried once, on another server (redispatched)
    request: str

    @property
    def normal(self) -> bool:
        return self.termination == "----"


@dataclass
class Cluster:
    postgres: Postgres
    redis: Redis
    apis: list[ApiReplica]
    dispatchers: list[DispatcherProcess]
    haproxy: HAProxy
    app_url: str
    owner_url: str
    workdir: Path
    start_dispatcher: Any  # (name) -> DispatcherProcess, stopped with the stack
    outbox: Outbox  # where the factories read the replicas' e-mail (a sign-up's link)
    summary: dict[str, Any] = field(default_factory=dict)

    def restart_api(self, replica: ApiReplica, *, announced: bool = True, drain_seconds: float = 1.5) -> None:
        """Replace one replica as a rolling update does: out of the rotation, SIGTERM (in-flight
        requests finish), a new process, ready, back in the rotation. Unannounced: SIGTERM
        straight away, and HAProxy finds out by itself (failed connections, health checks)."""
        if announced:
            self.haproxy.command(f"set server replicas/{replica.name} state drain")
            wait_until(
                lambda: self.haproxy.servers()[replica.name]["scur"] == "0",
                timeout=30,
                what="the replica to drain",
            )
            time.sleep(drain_seconds)  # the preStop pause: nothing new arrives meanwhile
        # uvicorn finishes its requests, runs the lifespan's shutdown, then re-raises SIGTERM.
        assert replica.terminate() in {0, -signal.SIGTERM}
        assert "Application shutdown complete." in replica.stderr.read_text()[-3000:]
        replica.start()
        self.haproxy.command(f"set server replicas/{replica.name} state ready")
        wait_until(
            lambda: self.haproxy.servers()[replica.name]["status"] == "UP",
            timeout=30,
            what="the replica to be UP",
        )


def _production_env(
    database_url: str, redis_url: str, *, secret_key: str, encryption_key: str
) -> dict[str, str]:
    return {
        "ENVIRONMENT": "production",
        "LOG_FORMAT": "json",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "DATA_ENCRYPTION_KEY": encryption_key,
        "TRUSTED_HOSTS": '["127.0.0.1", "localhost"]',
        "PUBLIC_BASE_URL": "https://app.example.com",
        "TRUSTED_PROXIES": '["127.0.0.1"]',
        "RATE_LIMIT_STORAGE_URI": redis_url,
        "RATE_LIMIT_SIGNUP": "1000/hour",
        "RATE_LIMIT_ANONYMOUS": "10000/hour",
        "RATE_LIMIT_LOGIN_IP": "10000/hour",
        "RATE_LIMIT_AUTHENTICATED": "100000/hour",
        "RATE_LIMIT_TENANT": "100000/hour",
        # Counted by the global-limit test (an hour's window: no minute boundary mid-test).
        "RATE_LIMIT_PASSWORD_CHANGE_FAILURES": f"{PASSWORD_CHANGE_LIMIT}/hour",
        "WEBHOOK_ALLOWED_TARGETS": LOOPBACK,
        "DATABASE_POOL_SIZE": "4",
        "DATABASE_MAX_OVERFLOW": "6",
        "METRICS_HOST": "127.0.0.1",
    }


def migrated(admin_url: str) -> tuple[str, str]:
    """Provision the owner and runtime roles and migrate to head, as a deployment's migration
    job does: the owner's URL and the runtime role's URL."""

    async def provision_and_migrate() -> tuple[str, str]:
        provisioned = await provision(admin_url)
        await migrate(provisioned.owner_url, app_role=provisioned.app_role)
        return provisioned.owner_url, provisioned.app_url

    with ThreadPoolExecutor(1) as thread:  # its own event loop, whoever calls
        return thread.submit(asyncio.run, provision_and_migrate()).result()


@contextmanager
def running_cluster(workdir: Path) -> Iterator[Cluster]:
    """The whole stack, started in dependency order and stopped in reverse."""
    with ExitStack() as stack:
        postgres = Postgres.create(workdir)
        postgres.start()
        stack.callback(postgres.stop)
        redis = Redis(free_port())
        redis.start()
        stack.callback(redis.stop)
        owner_url, app_url = migrated(postgres.admin_url)

        keys = {"secret_key": secrets.token_hex(32), "encryption_key": secrets.token_hex(32)}
        env = _production_env(app_url, redis.url, **keys)
        apis = [
            ApiReplica(f"api{n}", free_port(), free_port(), env, workdir / f"api{n}.stderr")
            for n in range(1, API_REPLICAS + 1)
        ]
        for replica in apis:  # started together, as a Deployment's pods are
            stack.callback(replica.stop)
            replica.launch()
        for replica in apis:
            replica.wait_ready()

        dispatcher_env = {
            "ENVIRONMENT": "production",
            "DATA_ENCRYPTION_KEY": keys["encryption_key"],
            "WEBHOOK_ALLOWED_TARGETS": LOOPBACK,
            # Required in production; no server answers there: a sign-up's mail stays queued
            # (retried), and the test factories read its link from the outbox.
            "SMTP_HOST": "smtp.example.com",
            "SMTP_FROM": "todo@example.com",
            **{name: value for name, value in FAST.items() if name.startswith(("DISPATCHER_", "WEBHOOK_"))},
        }

        def start_dispatcher(name: str) -> DispatcherProcess:
            return stack.enter_context(running_dispatcher(app_url, workdir, env=dispatcher_env, name=name))

        dispatchers = [start_dispatcher(f"dispatcher{n}") for n in range(1, DISPATCHER_REPLICAS + 1)]

        haproxy = HAProxy.configure(workdir, apis)
        haproxy.start()
        stack.callback(haproxy.stop)
        wait_until(
            lambda: all(server["status"] == "UP" for server in haproxy.servers().values()),
            what="every replica UP in HAProxy",
        )
        outbox = Outbox(app_url, SecretBox(keys["encryption_key"], []))
        yield Cluster(
            postgres, redis, apis, dispatchers, haproxy, app_url, owner_url, workdir, start_dispatcher, outbox
        )


def metrics_of(replica: ApiReplica) -> str:
    return httpx.get(replica.metrics_url).text


def dump_logs(cluster: Cluster) -> str:
    """The tail of every replica's log and HAProxy's abnormal requests, for a failing test's report."""
    parts = []
    for path in sorted(cluster.workdir.glob("*.stderr")):
        parts.append(f"--- {path.name}\n{path.read_text()[-3000:]}")
    parts.append(abnormal_requests(cluster))
    return "\n".join(parts)


def abnormal_requests(cluster: Cluster) -> str:
    """HAProxy's log lines of the requests that did not end normally."""
    lines = [str(request) for request in cluster.haproxy.requests() if not request.normal]
    return "\n".join(["--- haproxy.log, requests not ended normally", *lines])
