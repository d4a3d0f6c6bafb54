"""``make serve``: R replicas of the app behind nginx, one command, Ctrl-C stops them all.

    python deploy/serve.py                      # one replica per core, nginx on 0.0.0.0:8501
    python deploy/serve.py --port 9000 --replicas 2 --host 127.0.0.1

Each replica is a ``streamlit run app.py`` on a free loopback port, started through
deploy/launch.py (which warms it once it is healthy). The supervisor waits for
every replica's ``/_stcore/health``, then starts Debian's nginx unprivileged (its own prefix,
temp, log and pid paths in a temporary folder, ``daemon off``) in front of them:

- sticky sessions: a new browser goes to the replica with the fewest open connections
  (``least_conn``; ties in turn), and the response sets a ``descent_route`` cookie naming
  that replica (``r0``, ``r1``, ...). Its later requests, its websocket included, go to the
  replica the cookie names; that replica's backup is another one, should it be down (the
  answer then re-pins the browser). A class arriving at once spreads evenly over the
  replicas, where hashing a random id split 10 browsers 7 to 3 about a third of the time, and
  ``ip_hash`` would send every client behind one address, loopback included, to one replica;
- websocket upgrade headers for ``/_stcore/stream``;
- nginx serves ``static/`` (plotly.js, ui/plotly_chart.py) from disk itself;
- health: a replica that fails twice is skipped for 10 s (``max_fails``); the supervisor
  restarts a replica whose process died;
- every response names its replica in ``X-Descent-Replica``.

The replicas and their pids are listed in ``artifacts/serve-<port>.json`` while it runs
(bench/load.py reads it to sum their memory).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # `make serve` runs this file as a script

from deploy.launch import healthy  # noqa: E402  (the replicas start through the launcher)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEALTH_TIMEOUT = 90.0  # seconds for a replica to answer /_stcore/health
ROUTE_COOKIE = "descent_route"
COOKIE_ATTRS = "Path=/; HttpOnly; SameSite=Lax"
HEALTH = " max_fails=2 fail_timeout=10s"  # a replica failing twice is skipped for 10 s
STATE_FILE = REPO / "artifacts" / "serve-{port}.json"


# ----- replicas -------------------------------------------------------------------------------
def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Replica:
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env: dict[str, str]) -> None:
        # deploy/launch.py: streamlit run app.py, warmed once it answers its health check.
        # The other settings are the app's own, in .streamlit/config.toml.
        port, address = ["--server.port", str(self.port)], ["--server.address", "127.0.0.1"]
        cmd = [sys.executable, "-m", "deploy.launch", "app.py", *port, *address]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the supervisor, which stops us
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if not self.alive():
                raise RuntimeError(f"replica on port {self.port} exited; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"replica on port {self.port} not healthy; see {self.log}")
            time.sleep(0.25)

    def stop(self) -> None:
        stop_group(self.proc)


def stop_group(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """SIGTERM the process group ``proc`` leads, then SIGKILL if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        proc.wait(timeout=timeout)


# ----- nginx ----------------------------------------------------------------------------------
def route(index: int) -> str:
    """The route cookie's value that names replica ``index``."""
    return f"r{index}"


def nginx_conf(prefix: Path, host: str, port: int, replica_ports: list[int], static: Path) -> str:
    def server(p: int, backup: bool = False) -> str:
        return f"        server 127.0.0.1:{p}" + (" backup;" if backup else HEALTH + ";")

    everyone = "\n".join(server(p) for p in replica_ports)
    pinned = "\n".join(
        f"    upstream descent_{route(i)} {{\n{server(p)}\n"
        + "\n".join(server(q, backup=True) for q in replica_ports if q != p)
        + "\n    }"
        for i, p in enumerate(replica_ports)
    )
    by_cookie = "\n".join(
        f"        {route(i)} descent_{route(i)};" for i in range(len(replica_ports))
    )
    # The replica that answered: the last address of $upstream_addr (a retry lists more).
    answered = "\n".join(
        f'        "~(^|, )127\\.0\\.0\\.1:{p}$" "{ROUTE_COOKIE}={route(i)}; {COOKIE_ATTRS}";'
        for i, p in enumerate(replica_ports)
    )
    # Workers of a root master run as an unprivileged user; they only read static/ and
    # write their temp folders (nginx chowns those).
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return f"""{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html; text/css css; text/javascript js; application/json json;
        image/png png; image/svg+xml svg; font/woff2 woff2;
    }}
    default_type application/octet-stream;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    log_format replica '$remote_addr [$time_local] "$request" $status '
                       'route=$cookie_{ROUTE_COOKIE} upstream=$upstream_addr $request_time';
    access_log {prefix}/access.log replica;
    sendfile on;
    gzip on;
    gzip_types text/css text/javascript application/javascript application/json;

    # Sticky sessions: a new browser (no route cookie, or one naming no replica) goes to the
    # replica with the fewest open connections; the cookie set on the answer pins it there.
    upstream descent {{
        least_conn;
{everyone}
    }}
{pinned}
    map $cookie_{ROUTE_COOKIE} $descent_upstream {{
        default descent;
{by_cookie}
    }}
    map $upstream_addr $descent_set_cookie {{
        default "";
{answered}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}
    server {{
        listen {host}:{port};
        add_header X-Descent-Replica $upstream_addr always;
        add_header Set-Cookie $descent_set_cookie always;  # empty (not sent) without a replica

        location / {{
            proxy_pass http://$descent_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;  # a websocket stays open while its tab does
            proxy_send_timeout 1d;
            proxy_buffering off;
        }}
        # plotly.js (ui/plotly_chart.py): a versioned file name, served by nginx itself.
        location /app/static/ {{
            alias {static}/;
            expires 30d;
            add_header Cache-Control "public";
            add_header X-Descent-Replica "nginx" always;
        }}
    }}
}}
"""


class Supervisor:
    def __init__(self, host: str, port: int, replicas: int):
        self.host, self.port, self.count = host, port, replicas
        self.prefix = Path(tempfile.mkdtemp(prefix="descent-serve-"))
        self.prefix.chmod(0o755)  # nginx workers (nobody) read the config folder's temp dirs
        self.replicas = [
            Replica(free_port(), self.prefix / f"replica-{i}.log") for i in range(replicas)
        ]
        self.nginx: subprocess.Popen | None = None
        self.state = Path(str(STATE_FILE).format(port=port))
        # One cookie secret for all replicas (Streamlit's advice for replication).
        self.env = dict(
            os.environ,
            PYTHONUNBUFFERED="1",
            STREAMLIT_SERVER_COOKIE_SECRET=secrets.token_hex(32),
        )
        # The replicas start through deploy/launch.py, which also sets glibc's memory settings.

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        if not Path(NGINX).exists():
            raise SystemExit(
                "nginx not found. On Debian/Ubuntu: sudo apt-get install nginx "
                "(the supervisor runs it unprivileged; no service needs to be enabled)."
            )
        sys.path.insert(0, str(REPO))
        from ui.plotly_chart import STATIC_DIR, publish_plotly_js

        publish_plotly_js()  # before nginx serves static/
        for r in self.replicas:
            r.start(self.env)
        for r in self.replicas:
            r.wait_healthy()
        conf = self.prefix / "nginx.conf"
        conf.write_text(
            nginx_conf(self.prefix, self.host, self.port, [r.port for r in self.replicas],
                       STATIC_DIR)
        )  # fmt: skip
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not healthy(self.url):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                errors = (self.prefix / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx did not start on {self.url}:\n{errors}")
            time.sleep(0.1)
        self.write_state()

    def write_state(self) -> None:
        self.state.parent.mkdir(exist_ok=True)
        self.state.write_text(
            json.dumps(
                {
                    "url": self.url,
                    "nginx_pid": self.nginx.pid if self.nginx else None,
                    "prefix": str(self.prefix),
                    "replicas": [
                        {"port": r.port, "pid": r.proc.pid, "restarts": r.restarts}
                        for r in self.replicas
                    ],
                },
                indent=1,
            )
        )

    def watch(self) -> None:
        """Restart a replica whose process died; stop when nginx does."""
        while True:
            if self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited (code {self.nginx.returncode})")
            for r in self.replicas:
                if not r.alive():
                    print(f"serve: replica on port {r.port} died; restarting", flush=True)
                    r.restarts += 1
                    r.start(self.env)
                    self.write_state()
            time.sleep(1.0)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_group(self.nginx)
        for r in self.replicas:
            r.stop()
        self.state.unlink(missing_ok=True)
        shutil.rmtree(self.prefix, ignore_errors=True)


def default_replicas() -> int:
    return len(os.sched_getaffinity(0))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8501))
    p.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS") or 0))
    p.add_argument("--host", default=os.environ.get("HOST") or "0.0.0.0", help="nginx listens here")
    args = p.parse_args(argv)
    replicas = args.replicas or default_replicas()
    if not 1 <= replicas <= 64:
        p.error("--replicas must be 1 to 64")

    supervisor = Supervisor(args.host, args.port, replicas)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started in the background
    try:
        supervisor.start()
        print(
            f"serve: {replicas} replica(s) on ports "
            f"{', '.join(str(r.port) for r in supervisor.replicas)} behind nginx at "
            f"http://{args.host}:{args.port} (Ctrl-C stops all)",
            flush=True,
        )
        supervisor.watch()
    except KeyboardInterrupt:
        print("serve: stopping", flush=True)
    except RuntimeError as exc:
        print(f"serve: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut cleanup
        supervisor.stop()


if __name__ == "__main__":
    main()
