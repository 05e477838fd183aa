"""The processes the benchmark starts on 127.0.0.1 (PostgreSQL, Redis, gunicorn, nginx), each stopped by its id."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.load import HOST, BenchError, fetch

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MINIMAL = "/bench/minimal/"
STATIC = "/bench/static-20k.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, *, seconds: float, process: subprocess.Popen | None = None) -> None:
    """Until `path` answers 200 (a server opens its port before it can answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"the server on port {port} stopped (exit {process.returncode})")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if fetch(port, path).status == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"{HOST}:{port}{path} did not answer 200 within {seconds:.0f} s")


def stop(process: subprocess.Popen, *, sig: int = signal.SIGTERM, seconds: float = 30) -> None:
    """`sig` (gunicorn and nginx stop their workers on SIGTERM), then SIGKILL if it has not gone in `seconds`."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(sig)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def started(
    command: list[str], *, log: Path, env: dict[str, str] | None = None, sig: int = signal.SIGTERM, **popen: object
) -> Iterator[subprocess.Popen]:
    """A child process, its output in `log`, stopped with `sig` when the block ends, whatever happens."""
    with open(log, "w") as output:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, **popen
        )
    try:
        yield process
    finally:
        stop(process, sig=sig)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log: Path) -> Iterator[int]:
    """The production server (ole/gunicorn.conf.py) with `workers` workers; yields its port."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "ole" / "gunicorn.conf.py")]
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers), "ole.wsgi"]
    with started(command, log=log, env=env) as process:
        wait_for(port, MINIMAL, seconds=60, process=process)
        yield port


def nginx_conf(folder: Path, *, port: int, upstream: str, static_page: str) -> Path:
    """deploy/ole-http.conf and deploy/ole-server.conf as shipped (the upstream and the cache folder moved to
    this run's), in a server on 127.0.0.1:`port` that also serves `static_page` as a static file at STATIC."""
    http_part = (DEPLOY / "ole-http.conf").read_text()
    for shipped, ours in (("127.0.0.1:8000", upstream), ("/var/cache/nginx/ole", str(folder / "cache"))):
        if shipped not in http_part:
            raise BenchError(f"deploy/ole-http.conf no longer names {shipped}: update bench/servers.py")
        http_part = http_part.replace(shipped, ours)
    (folder / "ole-http.conf").write_text(http_part)
    shutil.copy(DEPLOY / "ole-server.conf", folder / "ole-server.conf")
    (folder / "www" / "bench").mkdir(parents=True, exist_ok=True)
    (folder / "www" / STATIC.lstrip("/")).write_text(static_page)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{}}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/ole-http.conf;
    server {{
        listen {HOST}:{port};
        location = {STATIC} {{
            root {folder}/www;
            default_type text/html;
        }}
        include {folder}/ole-server.conf;
    }}
}}
"""
    )
    return conf


@contextlib.contextmanager
def nginx(folder: Path, *, upstream_port: int, static_page: str) -> Iterator[int]:
    """The shipped nginx configuration in front of the app on `upstream_port`; yields nginx's port."""
    if not Path(NGINX).exists():
        raise BenchError("nginx is missing: make bench-tools installs it (apt-get install nginx-light)")
    folder.mkdir(parents=True)
    port = free_port()
    conf = nginx_conf(folder, port=port, upstream=f"{HOST}:{upstream_port}", static_page=static_page)
    with started([NGINX, "-p", str(folder), "-c", str(conf)], log=folder / "nginx.out") as process:
        wait_for(port, STATIC, seconds=15, process=process)
        yield port


@contextlib.contextmanager
def postgres(folder: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields its DATABASE_URL."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")])
    if not bins:
        raise BenchError("PostgreSQL is missing: make bench-tools installs it")
    folder.mkdir(parents=True)
    owner: dict[str, str] = {}
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        owner = {"user": "postgres", "group": "postgres"}
    port = free_port()
    data = folder / "data"
    subprocess.run(  # noqa: S603
        [str(bins[-1] / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
        timeout=120,
        **owner,
    )
    command = [str(bins[-1] / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder)]
    command += ["-c", f"listen_addresses={HOST}", "-c", "max_connections=200"]
    # SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    with started(command, log=folder / "postgres.log", sig=signal.SIGINT, **owner) as process:
        ready = [str(bins[-1] / "pg_isready"), "-q", "-h", HOST, "-p", str(port)]
        deadline = time.monotonic() + 60
        while subprocess.run(ready, check=False, timeout=10).returncode != 0:  # noqa: S603
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"PostgreSQL did not start; see {folder / 'postgres.log'}")
            time.sleep(0.2)
        yield f"postgres://postgres@{HOST}:{port}/postgres"


@contextlib.contextmanager
def redis(folder: Path) -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1 that saves nothing; yields its REDIS_URL."""
    server = shutil.which("redis-server")
    if not server:
        raise BenchError("redis-server is missing: make bench-tools installs it")
    port = free_port()
    command = [server, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
    with started(command, log=folder / "redis.log") as process:
        deadline = time.monotonic() + 15
        while _refused(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError("Redis did not start")
            time.sleep(0.1)
        yield f"redis://{HOST}:{port}/0"


def _refused(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def version(command: list[str]) -> str:
    """The first line a tool prints about its version, or "missing"."""
    if not shutil.which(command[0]) and not Path(command[0]).exists():
        return "missing"
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    return ((done.stdout or done.stderr).strip().splitlines() or ["unknown"])[0]
