"""Beyond one machine: media in S3-compatible object storage, and two app servers sharing one database and one
Redis. The object storage is moto's server on 127.0.0.1; the app servers are gunicorn processes."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from moto.server import ThreadedMotoServer
from PIL import Image

from ole.storage import private_storage
from stories.models import Story
from stories.services import story_promote
from tests.conftest import reseed
from tests.factories import PostFactory, UserFactory, image_bytes, image_file
from tests.stories.test_submission import STORY_TEXT, form_data

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
KEYS = {"access_key": "ole-test-key", "secret_key": "ole-test-secret"}  # moto accepts any credentials
HTTP_TIMEOUT = 15
PUBLIC_FOLDERS = ("features", "renditions")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ObjectStore:
    """One bucket on the local S3-compatible server, and the storage settings that point at it."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.bucket = f"ole-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["access_key"],
            aws_secret_access_key=KEYS["secret_key"],
        )
        self.client.create_bucket(Bucket=self.bucket)
        # As docs/deploying.md says: anyone may read public media's folders, nothing else.
        public = [f"arn:aws:s3:::{self.bucket}/{folder}/*" for folder in PUBLIC_FOLDERS]
        statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": public}
        self.client.put_bucket_policy(
            Bucket=self.bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    def keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return {item["Key"] for item in listing.get("Contents", [])}

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def storages(self) -> dict:
        """STORAGES as ole/settings.py builds them from AWS_STORAGE_BUCKET_NAME, aimed at this bucket."""
        common = {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "signature_version": "s3v4",
            **KEYS,
        }
        return {
            **django_settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**common, "querystring_auth": False, "file_overwrite": False},
            },
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    **common,
                    "location": "private",
                    "querystring_auth": True,
                    "querystring_expire": 300,
                    "file_overwrite": False,
                },
            },
        }

    def environment(self) -> dict[str, str]:
        """The same, as the environment variables a deployed app server reads."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": KEYS["access_key"],
            "AWS_SECRET_ACCESS_KEY": KEYS["secret_key"],
        }


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def object_store(s3_endpoint, settings) -> ObjectStore:
    store = ObjectStore(s3_endpoint)
    settings.STORAGES = store.storages()
    return store


# Object storage -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_feature_image_is_stored_in_the_bucket_served_by_its_public_address_and_erased(
    object_store, client, django_capture_on_commit_callbacks
):
    post = PostFactory(feature_image=image_file(width=900, height=600), feature_image_alt="A quiet field")
    names = [post.feature_image.name, post.image_card.name, post.image_wide.name, post.image_social.name]
    assert object_store.keys() == set(names)
    assert default_storage.exists(post.feature_image.name)

    url = post.feature_image.url
    assert url.startswith(f"{object_store.endpoint}/{object_store.bucket}/features/")
    assert "Signature" not in url and "X-Amz" not in url  # public media: a plain, cacheable address
    served = requests.get(url, timeout=HTTP_TIMEOUT)
    assert served.status_code == 200
    assert served.content == object_store.body(post.feature_image.name)
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("JPEG", (900, 600))
    assert post.image_wide.url in client.get(post.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        post.erase()
    assert object_store.keys() == set()
    assert requests.get(url, timeout=HTTP_TIMEOUT).status_code == 404


@pytest.mark.django_db
def test_a_story_photo_goes_to_the_private_prefix_is_copied_public_on_promotion_and_erased_on_withdrawal(
    object_store, client, editor, django_capture_on_commit_callbacks
):
    photo = SimpleUploadedFile("IMG_0001.jpg", image_bytes(640, 480, fmt="JPEG"), "image/jpeg")
    assert client.post(reverse("stories:submit"), {**form_data(), "photo": photo}).status_code == 302
    story = Story.objects.get()
    private_key = f"private/{story.photo.name}"
    assert object_store.keys() == {private_key}
    assert private_storage.exists(story.photo.name) and not default_storage.exists(story.photo.name)
    # Not readable by its plain address; an address the storage makes is signed and expires.
    assert (
        requests.get(f"{object_store.endpoint}/{object_store.bucket}/{private_key}", timeout=HTTP_TIMEOUT).status_code
        == 403
    )
    signed = story.photo.url
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=300" in signed
    assert requests.get(signed, timeout=HTTP_TIMEOUT).content == object_store.body(private_key)

    streamed = client.get(reverse("stories:photo", kwargs={"token": story.status_token()}))
    assert streamed.status_code == 200 and "no-store" in streamed["Cache-Control"]
    assert b"".join(streamed.streaming_content) == object_store.body(private_key)

    story.start_review(editor=editor)
    story.approve(editor=editor)
    post = story_promote(story=story, editor=editor, series=None)
    public_keys = {post.feature_image.name, post.image_card.name, post.image_wide.name, post.image_social.name}
    assert object_store.keys() == {private_key, *public_keys}
    assert requests.get(post.feature_image.url, timeout=HTTP_TIMEOUT).status_code == 200

    story.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    assert object_store.keys() == set()


# Two app servers ------------------------------------------------------------------------------------------

needs_shared_services = pytest.mark.skipif(
    not (
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and os.environ.get("REDIS_URL")
    ),
    reason="Two app servers need a database and a cache they can share: this runs on the PostgreSQL + Redis pass "
    "(DATABASE_URL=postgres://…, REDIS_URL=redis://…), which .ci/run makes",
)


class AppServer:
    """A gunicorn process serving OLE with production settings on its own port."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (log_dir / f"{name}.log").open("w+")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ole.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-4000:]

    def wait_until_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"app server {self.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still loading the app
                pass
            time.sleep(0.2)
        pytest.fail(f"app server {self.name} did not answer within the time allowed:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def app_servers(transactional_db, s3_endpoint, tmp_path, request):
    """Two app servers on the test database (committed rows, so every process sees them), the same Redis and
    one bucket; stopped when the test ends, however it ends."""
    if not Group.objects.filter(name="Editors").exists():
        reseed()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CACHE_KEY_PREFIX": django_settings.CACHES["default"].get("KEY_PREFIX", "ole"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # No collectstatic here: WhiteNoise serves the source files (production serves hashed collected ones).
        "OLE_PLAIN_STATIC": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATA_DIR": str(tmp_path / "data"),
        **ObjectStore(s3_endpoint).environment(),
    }
    servers = []
    request.addfinalizer(lambda: [server.stop() for server in servers])
    for name in ("a", "b"):
        servers.append(AppServer(name, env, tmp_path))
    deadline = time.monotonic() + 60
    for server in servers:
        server.wait_until_ready(deadline)
    return servers


def csrf_token(page: requests.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def hidden(page: requests.Response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)


@needs_shared_services
def test_a_story_sent_through_one_server_and_approved_through_the_other_shows_the_same_on_both(app_servers):
    a, b = app_servers
    editor = UserFactory(username="editor-on-call", is_staff=True)
    authenticator = TOTPDevice.objects.create(user=editor, name="Authenticator app", confirmed=True)
    # The servers know only the production password hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    editor.password = hasher.encode("a-long-test-password-42", hasher.salt())
    editor.save(update_fields=["password"])
    editor.groups.add(Group.objects.get(name="Editors"))

    # The writer: the form from A, the story sent to A with a photo, the thank-you page from B (one session).
    writer = requests.Session()
    form = writer.get(f"{a.url}/stories/share/write/", timeout=HTTP_TIMEOUT)
    assert form.status_code == 200
    fields = {
        **form_data(title="Two servers, one story", body=STORY_TEXT, email="two@example.org"),
        "csrfmiddlewaretoken": csrf_token(form),
        "submission_key": hidden(form, "submission_key"),
        "consent_version": hidden(form, "consent_version"),
    }
    photo = {"photo": ("me.jpg", image_bytes(300, 200, fmt="JPEG"), "image/jpeg")}
    sent = writer.post(
        f"{a.url}/stories/share/write/", data=fields, files=photo, allow_redirects=False, timeout=HTTP_TIMEOUT
    )
    assert sent.status_code == 302, sent.text[:2000]
    thanks = writer.get(f"{b.url}/stories/share/thanks/", timeout=HTTP_TIMEOUT)
    status_path = re.search(r"https?://[^/\"]+(/stories/status/[^/\"]+/)", thanks.text).group(1)
    story = Story.objects.get(title="Two servers, one story")
    assert story.status == Story.Status.SUBMITTED
    for server in (a, b):
        page = writer.get(f"{server.url}{status_path}", timeout=HTTP_TIMEOUT)
        assert page.status_code == 200 and "We have your story." in page.text
        # The photo, stored in the bucket by A, streams from either server.
        picture = writer.get(f"{server.url}{status_path}photo/", timeout=HTTP_TIMEOUT)
        assert picture.status_code == 200 and "no-store" in picture.headers["Cache-Control"]
        assert Image.open(io.BytesIO(picture.content)).size == (300, 200)

    # The editor signs in on B, starts the review on A (the session is shared) and approves on B.
    desk = requests.Session()
    login = desk.get(f"{b.url}/admin/login/", timeout=HTTP_TIMEOUT)
    signed_in = desk.post(
        f"{b.url}/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": csrf_token(login),
            "username": "editor-on-call",
            "password": "a-long-test-password-42",
            "next": "/admin/",
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    # Production settings ask for a second factor: the code step on A continues the password step made on B.
    assert signed_in.headers.get("Location") == "/admin/sign-in/code/", signed_in.text[:2000]
    step = desk.get(f"{a.url}/admin/sign-in/code/", timeout=HTTP_TIMEOUT)
    app = TOTP(authenticator.bin_key)
    app.time = time.time()
    verified = desk.post(
        f"{a.url}/admin/sign-in/code/",
        data={"csrfmiddlewaretoken": csrf_token(step), "code": f"{app.token():06d}"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    assert verified.status_code == 302 and verified.headers["Location"] == "/admin/", verified.text[:2000]
    changelist = "/admin/stories/story/"
    for server, action, extra in ((a, "start_review", {}), (b, "approve", {"apply": "1", "message": ""})):
        queue = desk.get(f"{server.url}{changelist}", timeout=HTTP_TIMEOUT)
        assert queue.status_code == 200 and "Two servers, one story" in queue.text
        done = desk.post(
            f"{server.url}{changelist}",
            data={
                "csrfmiddlewaretoken": csrf_token(queue),
                "action": action,
                "_selected_action": str(story.pk),
                **extra,
            },
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        assert done.status_code == 302, done.text[-3000:]

    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED and story.approved_by == editor
    for server in (a, b):
        page = writer.get(f"{server.url}{status_path}", timeout=HTTP_TIMEOUT)
        assert "Your story has been approved and will be published soon." in page.text
        assert "no-store" in page.headers["Cache-Control"]
        admin_page = desk.get(f"{server.url}/admin/stories/story/{story.pk}/change/", timeout=HTTP_TIMEOUT)
        assert admin_page.status_code == 200
        assert re.search(r'<div class="readonly">Approved</div>', admin_page.text)
