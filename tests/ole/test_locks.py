"""The dependency locks: every package pinned with its hashes, and in step with the .in files they come from.

`make lock` compiles requirements.in into requirements.txt and requirements-dev.in (which takes in the runtime
set) into requirements-dev.txt. A package added to an .in file without `make lock` fails here, not on a server.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Each locked package of a compiled file: name -> (version, hashes). A line that is not a pin fails."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = path.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: not an exact pin: {line!r}"
        entries[normalize(match[1])] = (match[2], re.findall(r"--hash=(sha256:[0-9a-f]{64})", line))
    return entries


def direct_pins(path: Path) -> dict[str, str]:
    """The pins of an .in file (its -r and -c lines name other files)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: a direct dependency must be pinned with ==: {line!r}"
        pins[normalize(match[1])] = match[2]
    return pins


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_is_pinned_with_a_hash(lock):
    entries = lock_entries(ROOT / lock)
    assert "django" in entries
    assert not [name for name, (_version, hashes) in entries.items() if not hashes]


@pytest.mark.parametrize(
    ("source", "lock"),
    [
        (["requirements.in"], "requirements.txt"),
        (["requirements.in", "requirements-dev.in"], "requirements-dev.txt"),
    ],
)
def test_the_lock_holds_every_direct_dependency_at_its_pinned_version(source, lock):
    locked = lock_entries(ROOT / lock)
    for name in source:
        for package, version in direct_pins(ROOT / name).items():
            assert package in locked, f"{package} is in {name} but not in {lock}: run make lock"
            assert locked[package][0] == version, f"{package}: {name} says {version}, {lock} {locked[package][0]}"


def test_the_test_lock_installs_the_runtime_lock_unchanged():
    runtime = lock_entries(ROOT / "requirements.txt")
    dev = lock_entries(ROOT / "requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
