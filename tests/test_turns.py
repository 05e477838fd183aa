"""Turns shared by the processes of one machine (ole/turns.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ole.turns import MachineTurns, half_the_cores
from tests.settings_probe import settings_from

ROOT = Path(__file__).resolve().parent.parent


def test_no_more_holders_than_slots_and_a_slot_comes_back_when_released(tmp_path):
    turns = MachineTurns("saving", slots=2, folder=tmp_path)
    with turns.turn(wait=0) as first, turns.turn(wait=0) as second:
        assert first and second
        with turns.turn(wait=0.05) as third:
            assert not third
    with turns.turn(wait=0) as again:
        assert again


def test_another_process_holds_a_turn_and_frees_it_when_killed(tmp_path):
    holder = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from pathlib import Path
                from ole.turns import MachineTurns
                with MachineTurns("saving", slots=1, folder=Path({str(tmp_path)!r})).turn(wait=5) as mine:
                    print("holding" if mine else "none", flush=True)
                    time.sleep(60)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        turns = MachineTurns("saving", slots=1, folder=tmp_path)
        with turns.turn(wait=0.05) as mine:
            assert not mine
        holder.send_signal(signal.SIGKILL)  # killed in the middle of its turn
        holder.wait(10)
        with turns.turn(wait=1) as mine:
            assert mine
    finally:
        holder.kill()
        holder.wait(10)


def test_a_lock_folder_that_is_not_ours_never_stops_a_story(tmp_path, caplog):
    folder = tmp_path / "turns"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # anyone on the machine could hold every turn here
    with MachineTurns("saving", slots=1, folder=folder).turn(wait=0) as mine:
        assert mine
    assert "going ahead without a turn" in caplog.text


def test_a_lock_folder_that_cannot_be_made_never_stops_a_story(tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with MachineTurns("saving", slots=1, folder=blocker / "turns").turn(wait=0) as mine:
        assert mine
    assert "going ahead without a turn" in caplog.text


@pytest.mark.parametrize(("cores", "turns"), [(1, 1), (2, 1), (3, 1), (4, 2), (16, 8)])
def test_by_default_stories_may_use_half_the_cores_and_always_one(cores, turns):
    assert half_the_cores(cores) == turns


def test_the_setting_follows_the_cores_this_process_may_use_unless_set(tmp_path):
    code = "import os; print(settings.OLE_SUBMISSIONS_AT_ONCE, max(1, len(os.sched_getaffinity(0)) // 2))"
    default, expected = settings_from(tmp_path, code).split()
    assert default == expected
    chosen = settings_from(tmp_path, "print(settings.OLE_SUBMISSIONS_AT_ONCE)", OLE_SUBMISSIONS_AT_ONCE="3")
    assert chosen.strip() == "3"
