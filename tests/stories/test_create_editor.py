"""`manage.py create_editor` (and `make editor`): a staff account in the Editors group whose owner sets a
password through a one-time link, signs in (with a second factor where it is on) and reaches the desk, but
cannot manage users or groups."""

import datetime
import os
import pty
import re
import select
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river-stones-and-morning-light-7"
ROOT = Path(__file__).resolve().parents[2]


def create_editor(*args: str) -> str:
    out = StringIO()
    call_command("create_editor", *args, stdout=out)
    return out.getvalue()


def link_path(output: str) -> str:
    links = re.findall(r"https?://\S+", output)
    assert len(links) == 1, output
    return urlsplit(links[0]).path


def set_password(client, path: str, password: str = NEW_PASSWORD):
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True)


def test_create_editor_makes_a_staff_member_of_the_editors_group_without_a_password(settings):
    settings.OLE_SITE_URL = "https://ole.example.org"
    output = create_editor("thandi", "thandi@example.org")
    user = get_user_model().objects.get(username="thandi")
    assert user.is_staff and not user.is_superuser and user.email == "thandi@example.org"
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert not user.has_usable_password()
    assert "https://ole.example.org/admin/set-password/" in output and "24 hours" in output


def test_the_link_sets_the_password_once_and_the_editor_signs_in_to_the_desk(client):
    path = link_path(create_editor("thandi", "thandi@example.org"))
    done = set_password(client, path)
    assert done.redirect_chain[-1][0] == "/admin/login/"
    assert "Your password is set" in done.content.decode()
    assert client.login(username="thandi", password=NEW_PASSWORD)
    index = client.get("/admin/")
    assert index.status_code == 200 and "Stories" in index.content.decode()

    client.logout()
    again = client.get(path, follow=True)
    assert "new_password1" not in again.content.decode()  # used once, it no longer works


def test_the_editor_cannot_manage_users_or_groups(client):
    create_editor("thandi", "thandi@example.org")
    client.force_login(get_user_model().objects.get(username="thandi"))
    page = client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in page and "/admin/auth/group/" not in page
    for url in ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"]:
        assert client.get(url).status_code == 403


def test_with_a_second_factor_the_new_editor_sets_it_up_after_the_password(client, settings):
    settings.OLE_STAFF_2FA = True
    set_password(client, link_path(create_editor("thandi", "thandi@example.org")))
    response = client.post("/admin/login/", {"username": "thandi", "password": NEW_PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/sign-in/authenticator/"
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user__username="thandi")
    app = TOTP(device.bin_key)
    app.time = time.time()
    assert "Your recovery codes" in client.post(response["Location"], {"code": f"{app.token():06d}"}).content.decode()
    assert client.get("/admin/").status_code == 200


def test_the_link_expires_after_24_hours(client, monkeypatch):
    path = link_path(create_editor("thandi", "thandi@example.org"))
    later = datetime.datetime.now() + datetime.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    page = client.get(path, follow=True).content.decode()
    assert "new_password1" not in page and "invalid" in page


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("thandi", "not-an-address", "valid email"),
        ("two words", "thandi@example.org", "valid username"),
        ("Existing", "thandi@example.org", "already an account"),
    ],
)
def test_bad_input_is_refused_clearly_and_makes_nothing(username, email, message):
    UserFactory(username="existing")
    before = get_user_model().objects.count()
    with pytest.raises(CommandError, match=message):
        create_editor(username, email)
    assert get_user_model().objects.count() == before


def test_make_editor_runs_the_command_and_the_readme_shows_it():
    makefile = (ROOT / "Makefile").read_text()
    assert 'manage.py create_editor "$(USERNAME)" "$(EMAIL)"' in makefile
    assert "make editor USERNAME=" in (ROOT / "README.md").read_text()


def run_in_a_terminal(command: list[str], answers: list[tuple[bytes, bytes]], env: dict) -> str:
    """Run an interactive command as a person would in a terminal, answering each prompt in turn."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes the command
        os.chdir(ROOT)
        os.execvpe(command[0], command, env)  # noqa: S606
    seen = b""
    deadline = time.monotonic() + 90
    for prompt, answer in [*answers, (b"\x00never\x00", b"")]:
        while prompt not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:
                    chunk = b""
                if not chunk:
                    deadline = 0
                seen += chunk
        if answer:
            os.write(fd, answer)
    if os.waitpid(pid, os.WNOHANG) == (0, 0):
        time.sleep(2)
        if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still waiting for an answer that never came
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return seen.decode(errors="replace")


def test_the_readme_account_lines_work_as_written_on_a_fresh_clone(tmp_path):
    """`make editor` on a fresh database (it migrates first), then the README's createsuperuser line."""
    readme = (ROOT / "README.md").read_text()
    superuser_line = "OLE_ALLOW_DEV_SECRET=1 .venv/bin/python manage.py createsuperuser"
    assert superuser_line in readme
    editor_line = re.search(r"`(make editor USERNAME=\S+ EMAIL=\S+)`", readme).group(1)
    env = {"PATH": os.environ["PATH"], "DATA_DIR": str(tmp_path), "HOME": str(tmp_path)}
    # The venv's Python is the one running the tests (CI's .venv; here perhaps another): never reinstalled.
    made = subprocess.run(  # noqa: S603
        [*shlex.split(editor_line), "-o", ".venv/.runtime", f"PY={sys.executable}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "/admin/set-password/" in made.stdout

    words = shlex.split(superuser_line)
    settings_env, command = [w for w in words if "=" in w], [w for w in words if "=" not in w]
    command[0] = sys.executable if command[0] == ".venv/bin/python" else command[0]
    typed = run_in_a_terminal(
        command,
        [
            (b"Username", b"admin\n"),
            (b"Email", b"admin@example.org\n"),
            (b"Password:", NEW_PASSWORD.encode() + b"\n"),
            (b"again", NEW_PASSWORD.encode() + b"\n"),
        ],
        {**env, **dict(w.split("=", 1) for w in settings_env)},
    )
    assert "Superuser created successfully." in typed, typed
    assert "Traceback" not in typed

    with sqlite3.connect(tmp_path / "ole.sqlite3") as db:
        accounts = dict(db.execute("SELECT username, is_superuser FROM auth_user").fetchall())
    assert accounts == {"thandi": 0, "admin": 1}
