"""`manage.py backup` and `manage.py restore` on whole installations (tests/faults/sites.py): the file is its
owner's only and encrypted with a key, old backups go, a restore refuses to overwrite, and nothing withdrawn or
erased after a backup comes back with it. Every test runs on SQLite, and again on PostgreSQL (pg_dump) in the
PostgreSQL pass."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest

from ole import backups

from .conftest import on_postgresql

CANARY = "Canary-7f3a9 the blue kettle on Vos Street"
MEDIA_CANARY = b"media-canary-55e1c bytes of a private photo"
KEY = "qRjYc3n4Yy2l7u9p0Zb8m1xW5vQ6tK3hJ2gF1dS0aAE="

MAKE_STORY = f"""
from tests.factories import StoryFactory
story = StoryFactory(title="{CANARY}", body="{CANARY} " * 30)
print(story.public_id.hex)
"""


def only_backup(folder: Path) -> Path:
    (path,) = [path for path in folder.iterdir() if backups.NAME.match(path.name)]
    return path


def members(path: Path, key: str = "") -> dict[str, bytes]:
    """What a backup file holds, read as restore reads it."""
    raw = path.read_bytes()
    if key:
        chunks = backups._decrypted_chunks(io.BytesIO(raw[len(backups.MAGIC) :]), backups._master_key(key))
        raw = b"".join(chunks)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as archive:
        return {member.name: archive.extractfile(member).read() for member in archive if member.isfile()}


def test_a_backup_is_one_file_readable_by_its_owner_only_in_a_folder_of_its_own(sites, tmp_path):
    site = sites.new("live")
    site.run(MAKE_STORY)
    shelf = tmp_path / "backups"
    site.manage("backup", str(shelf))
    path = only_backup(shelf)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(shelf.stat().st_mode) == 0o700
    assert [p.name for p in shelf.iterdir()] == [path.name]  # no work files left behind
    held = members(path)
    assert json.loads(held["manifest.json"])["engine"] == ("postgresql" if on_postgresql() else "sqlite")
    database = held["database.pgdump" if on_postgresql() else "database.sqlite3"]
    assert database.startswith(b"PGDMP" if on_postgresql() else b"SQLite format 3")


def test_an_encrypted_backup_holds_no_plaintext_and_restores_only_with_its_key(sites, tmp_path):
    site = sites.new("live", OLE_BACKUP_KEY=KEY)
    site.run(MAKE_STORY)
    (site.private / "stories").mkdir(parents=True)
    (site.private / "stories" / "photo.bin").write_bytes(MEDIA_CANARY * 4000)  # past one encrypted chunk
    site.manage("backup", str(tmp_path / "backups"))
    path = only_backup(tmp_path / "backups")
    assert path.name.endswith(".tar.gz.enc")
    raw = path.read_bytes()
    assert raw.startswith(backups.MAGIC)
    for needle in (CANARY.encode(), MEDIA_CANARY, b"SQLite format 3", b"PGDMP", b"manifest.json"):
        assert needle not in raw
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(raw)
    # The canaries are in there: decrypted with the key, the archive holds them.
    held = members(path, KEY)
    assert held["private/stories/photo.bin"] == MEDIA_CANARY * 4000

    keyless = sites.new("without-key", migrated=False)
    refused = keyless.manage("restore", str(path), check=False)
    assert refused.returncode != 0 and "This backup is encrypted: set OLE_BACKUP_KEY" in refused.stderr
    assert not keyless.media.exists() and not keyless.private.exists()

    target = sites.new("with-key", migrated=False, OLE_BACKUP_KEY=KEY)
    target.manage("restore", str(path))
    assert target.run("from stories.models import Story; print(Story.objects.get().title)") == CANARY
    assert (target.private / "stories" / "photo.bin").read_bytes() == MEDIA_CANARY * 4000


def encrypt(plain: bytes, key: str) -> bytes:
    out = io.BytesIO()
    writer = backups._EncryptingWriter(out, backups._master_key(key))
    writer.write(plain)
    writer.close()
    return out.getvalue()


def decrypt(sealed: bytes, key: str) -> bytes:
    source = io.BytesIO(sealed)
    assert source.read(len(backups.MAGIC)) == backups.MAGIC
    return b"".join(backups._decrypted_chunks(source, backups._master_key(key)))


def records(sealed: bytes) -> tuple[bytes, list[bytes]]:
    """The header (magic and salt) and each sealed chunk with its length, as the file lays them out."""
    at = len(backups.MAGIC) + backups.SALT_BYTES
    head, parts = sealed[:at], []
    while at < len(sealed):
        size = 4 + int.from_bytes(sealed[at : at + 4], "big")
        parts.append(sealed[at : at + size])
        at += size
    return head, parts


def test_an_encrypted_stream_refuses_a_wrong_key_and_any_changed_reordered_or_missing_chunk(monkeypatch):
    monkeypatch.setattr(backups, "CHUNK", 64)
    plain = bytes(range(256)) * 3  # twelve chunks, the last one marked as the last
    sealed = encrypt(plain, KEY)
    assert decrypt(sealed, KEY) == plain
    head, parts = records(sealed)
    assert len(parts) == 12
    flipped = bytearray(sealed)
    flipped[len(head) + 10] ^= 1
    damaged = {
        "a wrong key": (sealed, backups.generate_key()),
        "a changed byte": (bytes(flipped), KEY),
        "two chunks swapped": (head + parts[1] + parts[0] + b"".join(parts[2:]), KEY),
        "the last chunk gone": (head + b"".join(parts[:-1]), KEY),
        "a chunk dropped": (head + parts[0] + b"".join(parts[2:]), KEY),
        "cut mid-chunk": (sealed[:-7], KEY),
        "something added after the end": (sealed + parts[0], KEY),
    }
    for case, (data, key) in damaged.items():
        with pytest.raises(backups.BackupError):
            decrypt(data, key)
            pytest.fail(f"{case} was not noticed")


def test_a_key_that_is_not_a_key_is_refused():
    for bad in ("", "short", "x" * 44):
        with pytest.raises(backups.BackupError, match="generate-key"):
            backups._master_key(bad)


@pytest.mark.skipif(on_postgresql(), reason="SQLite's file: the SQLite pass")
def test_deleted_text_is_not_in_a_sqlite_backup(sites, tmp_path):
    site = sites.new("live")
    site.run(MAKE_STORY + "story.withdraw()\n")
    site.manage("backup", str(tmp_path / "backups"))
    database = members(only_backup(tmp_path / "backups"))["database.sqlite3"]
    assert b"Canary-7f3a9" not in database
    assert b"Quiet Reader" not in database  # the withdrawn story's pen name


def test_old_backups_go_keeping_the_newest_few_and_none_older_than_the_retention_period(tmp_path):
    now = datetime.datetime(2026, 12, 3, 2, 0, tzinfo=datetime.UTC)
    made = {}
    for days in (0, 1, 2, 3, 40, 91, 400):
        when = now - datetime.timedelta(days=days)
        made[days] = tmp_path / f"ole-backup-{when:%Y%m%dT%H%M%SZ}.tar.gz"
        made[days].write_bytes(b"x")
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("mine")

    deleted = backups.prune(tmp_path, keep=3, max_age_days=90, now=now)
    assert sorted(deleted) == sorted(made[d] for d in (3, 40, 91, 400))
    assert sorted(tmp_path.iterdir()) == sorted([made[0], made[1], made[2], unrelated])

    # Backups that stopped months ago: the newest few are kept only within the retention period.
    deleted = backups.prune(tmp_path, keep=3, max_age_days=90, now=now + datetime.timedelta(days=91))
    assert sorted(deleted) == sorted(made[d] for d in (0, 1, 2))
    assert list(tmp_path.iterdir()) == [unrelated]


def test_the_backup_command_prunes_with_the_settings(sites, tmp_path):
    site = sites.new("live", OLE_BACKUP_KEEP="2", OLE_RETENTION_DAYS="30")
    shelf = tmp_path / "backups"
    shelf.mkdir()
    ancient = shelf / "ole-backup-20200101T000000Z.tar.gz"
    recent = [shelf / f"ole-backup-{datetime.datetime.now(datetime.UTC):%Y%m%d}T00000{n}Z.tar.gz" for n in (1, 2)]
    for path in (ancient, *recent):
        path.write_bytes(b"x")
    site.manage("backup", str(shelf))
    kept = sorted(path.name for path in shelf.iterdir())
    assert len(kept) == 2 and ancient.name not in kept and recent[0].name not in kept


def test_a_restore_refuses_a_database_or_media_folder_that_is_not_empty_unless_forced(sites, tmp_path):
    source = sites.new("source")
    source.run(MAKE_STORY)
    source.manage("backup", str(tmp_path / "backups"))
    path = only_backup(tmp_path / "backups")

    used = sites.new("used")  # migrated: it has tables
    used.run('from tests.factories import StoryFactory; StoryFactory(title="Already here")')
    refused = used.manage("restore", str(path), check=False)
    assert refused.returncode != 0 and "the database has tables" in refused.stderr
    assert used.run("from stories.models import Story; print(Story.objects.get().title)") == "Already here"

    files_only = sites.new("files-only", migrated=False)
    (files_only.media / "features").mkdir(parents=True)
    (files_only.media / "features" / "kept.jpg").write_bytes(b"jpeg")
    refused = files_only.manage("restore", str(path), check=False)
    assert refused.returncode != 0 and "holds files" in refused.stderr and "--force" in refused.stderr
    assert (files_only.media / "features" / "kept.jpg").exists()

    used.manage("restore", "--force", str(path))
    titles = used.run("from stories.models import Story; print([s.title for s in Story.objects.all()])")
    assert titles == repr([CANARY])


WITHDRAW = """
from stories.models import Story
Story.objects.get(public_id="{public_id}").withdraw()
"""
STORY_STATE = """
import json
from stories.models import Story
story = Story.objects.get(public_id="{public_id}")
print(json.dumps([story.status, story.title, story.body, story.email, bool(story.photo), story.post_id]))
"""


def test_a_story_withdrawn_after_the_backup_stays_withdrawn_after_a_restore(sites, tmp_path):
    site = sites.new("live")
    public_id = site.run(
        MAKE_STORY.replace("print(story.public_id.hex)", "")
        + "from django.core.files.base import ContentFile\n"
        + "from tests.factories import image_bytes\n"
        + "story.photo_alt = 'A window at dawn'\n"
        + "story.photo.save('me.png', ContentFile(image_bytes()), save=True)\n"
        + "print(story.public_id.hex)"
    )
    photos = list((site.private / "stories").rglob("*.*"))
    assert len(photos) == 1
    site.manage("backup", str(tmp_path / "backups"))
    site.run(WITHDRAW.format(public_id=public_id))  # after the backup: recorded in the ledger

    # A bad day: the database and media are lost; the ledger (its own database) is not.
    site.manage("restore", "--force", str(only_backup(tmp_path / "backups")))
    status, title, body, email, photo, post = json.loads(site.run(STORY_STATE.format(public_id=public_id)))
    assert (status, title, body, email, photo, post) == ("withdrawn", "", "", "", False, None)
    assert not list((site.private / "stories").rglob("*.*"))  # the restored photo is deleted again
    # A second restore of the same backup erases it again, and the ledger holds ids and times only.
    site.manage("restore", "--force", str(only_backup(tmp_path / "backups")))
    assert json.loads(site.run(STORY_STATE.format(public_id=public_id)))[0] == "withdrawn"
    ledger = (site.data / "ledger.sqlite3").read_bytes()
    assert CANARY.encode() not in ledger and b"Quiet Reader" not in ledger


COMMENTS = """
from series.models import Comment
from tests.factories import PostFactory
post = PostFactory()
fields = {"name": "Mo", "email": "mo@example.org", "body": "Words of mine: WORDS", "status": "approved"}
mine = [Comment.objects.create(post=post, **fields) for _ in range(2)]
reply = {"name": "Lu", "email": "lu@example.org", "body": "Hi", "status": "approved"}
Comment.objects.create(post=post, parent=mine[1], depth=1, **reply)
other = Comment.objects.create(post=post, name="Lu", email="lu@example.org", body="Not erased", status="approved")
print(mine[0].erase_url())
"""


def comments(words: str) -> str:
    return COMMENTS.replace("WORDS", words)


def test_a_commenters_erasure_after_the_backup_stays_erased_after_a_restore(sites, tmp_path):
    site = sites.new("live")
    erase_url = site.run(comments(CANARY))
    site.manage("backup", str(tmp_path / "backups"))
    token = erase_url.rstrip("/").rsplit("/", 1)[-1]
    assert site.run(f"from series.models import Comment; print(Comment.erase_all_from({token!r}))") == "2"

    site.manage("restore", "--force", str(only_backup(tmp_path / "backups")))
    left = site.run(
        "import json; from series.models import Comment\n"
        "print(json.dumps(list(Comment.objects.order_by('pk').values_list('status', 'name', 'email', 'body'))))"
    )
    # The first had no reply: gone. The second keeps its place for its reply, without a word of its writer's.
    assert json.loads(left) == [
        ["removed", "", "", ""],
        ["approved", "Lu", "lu@example.org", "Hi"],
        ["approved", "Lu", "lu@example.org", "Not erased"],
    ]


def test_a_story_erased_by_retention_after_the_backup_stays_erased_after_a_restore(sites, tmp_path):
    site = sites.new("live")
    public_id = site.run(
        MAKE_STORY.replace("print(story.public_id.hex)", "")
        + "import datetime\nfrom django.utils import timezone\nfrom stories.models import Story\n"
        + "Story.objects.filter(pk=story.pk).update(status='declined', "
        + "status_changed_at=timezone.now() - datetime.timedelta(days=91))\n"
        + "print(story.public_id.hex)"
    )
    site.manage("backup", str(tmp_path / "backups"))
    site.manage("apply_retention")
    site.manage("restore", "--force", str(only_backup(tmp_path / "backups")))
    status, title, body, email, _photo, _post = json.loads(site.run(STORY_STATE.format(public_id=public_id)))
    assert (status, title, body, email) == ("declined", "", "", "")


def test_a_number_handed_out_again_after_a_restore_is_not_erased_by_the_ledger(sites, tmp_path):
    """The ledger names a record with its creation time: a new comment that gets an erased one's number after a
    restore is someone else's, and stays."""
    site = sites.new("live")
    site.manage("backup", str(tmp_path / "backups"))  # before any comment
    numbers = "print(sorted(Comment.objects.values_list('pk', flat=True)))"
    erase = "Comment.erase_all_from(mine[0].erase_url().rstrip('/').rsplit('/', 1)[-1])\n"
    before = site.run(comments(CANARY).replace("print(mine[0].erase_url())", numbers + "\n" + erase))
    site.manage("restore", "--force", str(only_backup(tmp_path / "backups")))
    again = site.run(comments("a newcomer").replace("print(mine[0].erase_url())", numbers))
    assert json.loads(again) == json.loads(before)  # the erased comments' numbers, handed out again
    assert site.run("from ole import erasures; print(erasures.replay())") == "0"
    bodies = site.run("from series.models import Comment; print(list(Comment.objects.values_list('body', flat=True)))")
    assert bodies.count("Words of mine: a newcomer") == 2


@pytest.mark.skipif(
    not on_postgresql(), reason="pg_dump and pg_restore: the PostgreSQL pass (DATABASE_URL=postgres://…)"
)
def test_postgresql_is_backed_up_with_pg_dump_and_restored_into_an_empty_database(sites, tmp_path):
    site = sites.new("live")
    site.run(MAKE_STORY)
    site.manage("backup", str(tmp_path / "backups"))
    path = only_backup(tmp_path / "backups")
    assert members(path)["database.pgdump"].startswith(b"PGDMP")  # pg_dump's custom format
    target = sites.new("target", migrated=False)
    target.manage("restore", str(path))
    assert target.run("from stories.models import Story; print(Story.objects.get().title)") == CANARY
    # Search runs on the restored database (its trigger and index came back with it).
    target.run("from tests.factories import PostFactory; PostFactory(title='Kettle weather', body='x')")
    found = target.run("from series.models import Post; print(Post.objects.search('kettle').count())")
    assert found == "1"


def test_with_object_storage_a_backup_holds_the_database_only(sites, tmp_path):
    """The bucket's own versioning is the media's backup (docs/deploying.md): nothing is read from it."""
    site = sites.new("bucket", AWS_STORAGE_BUCKET_NAME="ole-media-nowhere", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9")
    site.media.mkdir(parents=True)
    (site.media / "left-over.jpg").write_bytes(b"not the media any more")
    site.manage("backup", str(tmp_path / "backups"))
    held = members(only_backup(tmp_path / "backups"))
    assert json.loads(held["manifest.json"])["media"] is False
    assert sorted(held) == sorted(["manifest.json", "database.pgdump" if on_postgresql() else "database.sqlite3"])
