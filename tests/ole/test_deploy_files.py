"""The deployment files in deploy/: the environment sample and the systemd units, as docs/deploying.md installs them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.ole.envscan import env_reads

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
UNITS = ROOT / "deploy" / "systemd"
BASH = shutil.which("bash") or "/bin/bash"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
VARIABLE_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")

# Read by OLE's code but not for a deployment, so .env.example leaves them out.
NOT_FOR_DEPLOYMENT = {
    # The benchmark's URLconf (bench/run.py sets it for its own servers).
    "OLE_ROOT_URLCONF",
    # Tests only: lets mention checks fetch from a local server, which a real site must never allow.
    "OLE_SAFEFETCH_ALLOWED_NETWORKS",
}
# Not read by OLE's code but by a library it uses, and set by a deployment: .env.example names them as well.
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}


def read_by_ole() -> set[str]:
    names: set[str] = set()
    unreadable: list[str] = []
    for package in ("ole", "series", "stories"):
        for path in sorted((ROOT / package).rglob("*.py")):
            reads = env_reads(path.read_text(), str(path.relative_to(ROOT)))
            names |= reads.names
            unreadable += reads.unreadable
    assert not unreadable, f"environment reads whose name is not a literal: {unreadable}"
    return names


def env_example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text().splitlines()


def env_example_names() -> list[str]:
    return [match[1] for line in env_example_lines() if (match := VARIABLE_LINE.match(line))]


def env_example_values() -> dict[str, str]:
    """The variables the sample sets (not the #NAME=default lines), read by the shell as the docs do."""
    result = subprocess.run(  # noqa: S603 - our own file, read by the shell as the docs tell
        [BASH, "-c", 'set -a; . "$1"; set +a; env -0', "bash", str(ENV_EXAMPLE)],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    shell_env = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
    return {name: shell_env[name] for name in env_example_names() if name in shell_env}


def test_the_scanner_finds_every_form_of_environment_read():
    source = """
import os
from os import environ, getenv

def env_int(name, default=0):
    return int(os.environ.get(name, default))

A = os.environ.get("A")
B = os.environ["B"]
C = "C" in os.environ
D = os.getenv("D")
E = environ.get("E")
F = getenv("F")
G = env_int("G", 3)
H = env_int(default=1, name="H")
os.environ.setdefault("NOT_A_READ", "x")
"""
    reads = env_reads(source)
    assert reads.names == set("ABCDEFGH")
    assert not reads.unreadable


def test_the_scanner_reports_a_name_it_cannot_read():
    reads = env_reads("import os\nprefix = 'OLE_'\nX = os.environ.get(prefix + 'X')\n")
    assert reads.names == set()
    assert len(reads.unreadable) == 1


def test_env_example_names_every_variable_ole_reads_and_no_other():
    read = read_by_ole()
    assert read >= NOT_FOR_DEPLOYMENT, "an exclusion names a variable OLE no longer reads"
    assert not READ_BY_LIBRARIES & read
    named = set(env_example_names())
    expected = (read - NOT_FOR_DEPLOYMENT) | READ_BY_LIBRARIES
    assert not expected - named, f"missing from deploy/.env.example: {sorted(expected - named)}"
    assert not named - expected, f"not read by OLE, yet in deploy/.env.example: {sorted(named - expected)}"


def test_env_example_names_each_variable_once_under_a_comment():
    names = env_example_names()
    assert len(names) == len(set(names)), "a variable is named twice"
    lines = env_example_lines()
    for number, line in enumerate(lines):
        if VARIABLE_LINE.match(line):
            assert lines[number - 1].startswith("# "), f"line {number + 1} ({line}) has no comment line above it"


def test_env_example_passes_the_deploy_checks_once_the_secret_is_set(tmp_path):
    """What the sample sets is a production configuration: `check --deploy` passes with it and a real secret."""
    env = {
        name: value.replace("/var/lib/ole", str(tmp_path / "var")).replace("/srv/ole", str(tmp_path / "srv"))
        for name, value in env_example_values().items()
    }
    assert env["SECRET_KEY"] == ""
    env["SECRET_KEY"] = "deploy-files-test-secret-" + "q7W2xR9kT4mZ8vB3nL6pF1sH5jD0cG"
    checks = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(  # noqa: S603 - this project's manage.py
        checks, cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "data").is_dir(), "DATA_DIR from the sample was not used"

    env["SECRET_KEY"] = ""
    result = subprocess.run(  # noqa: S603 - this project's manage.py
        checks, cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


# --- systemd units --------------------------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections, each a list of (key, value) in order (a key may repeat, as ExecStart does)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            assert current is not None, f"{name}: a key before any section"
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for k, value in section if k == key]


def one(section: list[tuple[str, str]], key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, f"{key}: {found}"
    return found[0]


SERVICES = ["ole-web.service", "ole-worker.service", "ole-daily.service"]


def test_the_unit_files_are_the_four_the_docs_install():
    assert sorted(path.name for path in UNITS.iterdir()) == sorted([*SERVICES, "ole-daily.timer"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_the_ole_user_with_the_environment_file_and_hardening(name):
    sections = unit(name)
    assert one(sections["Unit"], "Description")
    service = sections["Service"]
    assert values(service, "ExecStart")
    assert one(service, "User") == "ole"
    assert one(service, "Group") == "ole"
    assert one(service, "WorkingDirectory") == "/srv/ole"
    assert one(service, "EnvironmentFile") == "/etc/ole/ole.env"
    for key, expected in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert one(service, key) == expected, key


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_may_write_every_data_folder_of_the_env_example(name):
    writable = [Path(path) for path in one(unit(name)["Service"], "ReadWritePaths").split()]
    sample = env_example_values()
    for setting in ("DATA_DIR", "MEDIA_ROOT", "OLE_PRIVATE_MEDIA_ROOT"):
        folder = Path(sample[setting])
        assert any(folder.is_relative_to(path) for path in writable), f"{name} cannot write {setting}={folder}"


def test_the_web_service_runs_gunicorn_with_the_project_config():
    service = unit("ole-web.service")["Service"]
    assert one(service, "ExecStart") == "/srv/ole/.venv/bin/gunicorn -c ole/gunicorn.conf.py ole.wsgi"
    assert (ROOT / "ole" / "gunicorn.conf.py").exists()
    assert one(service, "Type") == "notify"
    assert one(unit("ole-web.service")["Install"], "WantedBy") == "multi-user.target"


def test_the_web_service_is_up_only_once_healthz_answers():
    service = unit("ole-web.service")["Service"]
    assert one(service, "ExecStartPost") == "/srv/ole/.venv/bin/python manage.py probe /healthz --wait 60"


def test_the_worker_service_loops_and_always_comes_back():
    service = unit("ole-worker.service")["Service"]
    assert one(service, "ExecStart") == "/srv/ole/.venv/bin/python manage.py run_worker --loop"
    assert one(service, "Restart") == "always"
    assert one(unit("ole-worker.service")["Install"], "WantedBy") == "multi-user.target"


def test_the_daily_service_erases_before_it_backs_up_into_a_folder_it_may_write():
    service = unit("ole-daily.service")["Service"]
    assert one(service, "Type") == "oneshot"
    commands = [command.split() for command in values(service, "ExecStart")]
    assert all(command[:2] == ["/srv/ole/.venv/bin/python", "manage.py"] for command in commands)
    names = [command[2] for command in commands]
    assert names.index("apply_retention") < names.index("backup")
    backup_dir = Path(commands[names.index("backup")][3])
    assert backup_dir in [Path(path) for path in one(service, "ReadWritePaths").split()]


def test_the_timer_starts_the_daily_service_once_a_day_and_catches_up():
    sections = unit("ole-daily.timer")
    timer = sections["Timer"]
    assert one(timer, "OnCalendar") == "*-*-* 03:15:00"
    assert one(timer, "Persistent") == "true"
    assert one(timer, "Unit") == "ole-daily.service"
    assert (UNITS / "ole-daily.service").exists()
    assert one(sections["Install"], "WantedBy") == "timers.target"


def test_every_command_the_units_run_exists():
    commands = get_commands()
    for name in SERVICES:
        for line in values(unit(name)["Service"], "ExecStart"):
            words = line.split()
            if "manage.py" not in words:
                continue
            command = words[words.index("manage.py") + 1]
            assert command in commands, f"{name} runs manage.py {command}, which does not exist"


@pytest.mark.skipif(not SYSTEMD_ANALYZE, reason="systemd-analyze is not installed here")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """systemd's own parser: an unknown key, a bad value or a missing program is an error or a warning here."""
    venv_bin = Path(sys.executable).parent
    for name in [*SERVICES, "ole-daily.timer"]:
        text = (UNITS / name).read_text()
        # verify refuses an ExecStart whose program is missing: point the units at this test's own tree.
        text = text.replace("/srv/ole/.venv/bin/", f"{venv_bin}/").replace("/srv/ole", str(tmp_path))
        text = text.replace("/etc/ole/ole.env", str(tmp_path / "ole.env"))
        (tmp_path / name).write_text(text)
    for program in ("python", "gunicorn"):
        assert (venv_bin / program).exists()
    (tmp_path / "ole.env").touch()
    result = subprocess.run(  # noqa: S603 - systemd's own checker on our unit files
        [SYSTEMD_ANALYZE, "verify", "--man=no", "--generators=no", *sorted(map(str, tmp_path.glob("ole-*")))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


# --- the nginx site, made from deploy/nginx.conf as docs/deploying.md does ----------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
# docs/deploying.md, step 8: the inside of the sample's http block becomes Debian's sites-available/ole.
SITE_FROM_SAMPLE = "sed -n '/^http {/,/^}/p' \"$1\" | sed '1d;$d' | grep -v 'include mime.types;'"
MEDIA_COMMENT = "# location /media/ { alias /var/lib/ole/media/; expires 30d; }"


def test_the_site_made_from_the_sample_passes_nginx_t(tmp_path):
    """The docs' command turns deploy/nginx.conf into a site for Debian's nginx.conf, and nginx accepts it."""
    assert Path(NGINX).exists(), "nginx is needed for this test (make test installs it: apt-get install nginx-light)"
    site = subprocess.run(  # noqa: S603 - the docs' own pipeline on our own file
        [BASH, "-c", SITE_FROM_SAMPLE, "bash", str(ROOT / "deploy" / "nginx.conf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "server_name ole.example.org;" in site
    assert "mime.types" not in site
    assert MEDIA_COMMENT in site, "the docs tell to uncomment this media location"
    site = site.replace(MEDIA_COMMENT, MEDIA_COMMENT.removeprefix("# "))
    for original, test_path in {
        "/etc/nginx/": f"{tmp_path}/",
        "/var/log/nginx/": f"{tmp_path}/",
        "/etc/letsencrypt/live/ole.example.org/": f"{tmp_path}/",
    }.items():
        site = site.replace(original, test_path)
    (tmp_path / "ole").write_text(site)
    http_part = (ROOT / "deploy" / "ole-http.conf").read_text().replace("/var/cache/nginx/ole", str(tmp_path / "cache"))
    (tmp_path / "ole-http.conf").write_text(http_part)
    shutil.copy(ROOT / "deploy" / "ole-server.conf", tmp_path / "ole-server.conf")
    subprocess.run(  # noqa: S603 - a throwaway self-signed certificate for the sample's TLS lines
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=ole.example.org",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        capture_output=True,
        check=True,
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    # Debian's nginx.conf in short: the http block includes the sites.
    (tmp_path / "nginx.conf").write_text(
        f"""{user}pid {tmp_path}/nginx.pid;
events {{}}
http {{
    include /etc/nginx/mime.types;
    include {tmp_path}/ole;
}}
"""
    )
    result = subprocess.run(  # noqa: S603 - nginx's own checker on our configuration
        [NGINX, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
