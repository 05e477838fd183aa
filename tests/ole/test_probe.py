"""`manage.py probe`: systemd's check that the web server answers (deploy/systemd/ole-web.service)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_it_answers_once_the_server_says_healthz(live_server, capsys):
    call_command("probe", "/healthz", url=live_server.url, wait=5)
    assert "/healthz: 200" in capsys.readouterr().out


def test_a_server_that_is_not_there_fails_after_the_wait(unused_port=59999):
    with pytest.raises(CommandError, match=r"/healthz: (ConnectionRefusedError|URLError)"):
        call_command("probe", "/healthz", url=f"http://127.0.0.1:{unused_port}", wait=1)


def test_only_the_two_health_addresses_are_asked():
    with pytest.raises(CommandError):
        call_command("probe", "/admin/")
