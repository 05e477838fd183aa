"""The "Share your story" form: the happy path and every kind of bad input."""

import io
import re
import time
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from PIL import Image

from ole.models import OutboundEmail, SafetyTerm
from ole.outbox import deliver_due
from stories.forms import StoryForm
from stories.models import ConsentVersion, Story
from stories.views import THANKS_COOKIE
from tests.factories import ContentNoteFactory, SeriesFactory, image_bytes

pytestmark = pytest.mark.django_db

STORY_TEXT = "When I first noticed the tablets were not working the way they used to, I told nobody. " * 6


def form_data(**overrides) -> dict:
    data = {
        "title": "Finding my feet",
        "body": STORY_TEXT,
        "credit": "pen_name",
        "credit_name": "Quiet Reader",
        "email": "writer@example.org",
        "suggested_tags": "sleep, family",
        "photo_alt": "A window at dawn",  # kept only with a photo
        "series": "",
        "consent_publish": "on",
        "consent_editing": "on",
        "consent_adult": "on",
        "website": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, **overrides):
    return client.post(reverse("stories:submit"), form_data(**overrides))


class TestHappyPath:
    def test_story_is_saved_with_its_consent_and_the_writer_gets_a_private_link(
        self, client, django_capture_on_commit_callbacks
    ):
        note = ContentNoteFactory(slug="relapse", name="relapse")
        series = SeriesFactory(slug="benzos")
        response = submit(client, content_notes=[note.pk], series=series.pk)
        assert response.status_code == 302
        story = Story.objects.get()
        assert story.status == Story.Status.SUBMITTED
        assert story.consent_version.version == 1 and story.consented_at is not None
        assert list(story.content_notes.all()) == [note] and story.series == series
        assert story.events.get().to_status == Story.Status.SUBMITTED
        thanks = client.get(response["Location"])
        # The link is signed with a timestamp, so it is found on the page and followed, not recomputed.
        links = re.findall(r"/stories/status/[^\s\"<]+/", thanks.content.decode())
        assert len(set(links)) == 1
        assert story.title in client.get(links[0]).content.decode()
        assert thanks["Referrer-Policy"] == "same-origin"
        assert "no-store" in thanks["Cache-Control"]
        # Shown once only.
        assert "/stories/status/" not in client.get(response["Location"]).content.decode()

    def test_the_link_is_emailed_by_the_worker(self, client):
        submit(client)
        assert mail.outbox == []  # nothing is sent inside the request
        assert deliver_due() == (1, 0)
        story = Story.objects.get()
        assert mail.outbox[0].to == ["writer@example.org"]
        link = re.search(r"/stories/status/\S+/", mail.outbox[0].body).group(0)  # signed with a time: follow it
        assert story.title in client.get(link).content.decode()
        assert "0800 567 567" in mail.outbox[0].body

    def test_the_series_of_the_invitation_is_preselected(self, client):
        series = SeriesFactory(slug="benzos")
        response = client.get(reverse("stories:submit"), {"series": "benzos"})
        assert response.context["form"].initial["series"] == series

    def test_the_intro_page_has_the_wellbeing_check(self, client):
        html = client.get(reverse("stories:share")).content.decode()
        assert "If you are in crisis right now" in html
        assert "0800 567 567" in html
        assert "withdraw it at any time" in html

    def test_a_writer_in_crisis_sees_the_crisis_lines_straight_away(self, client):
        response = submit(client, body=STORY_TEXT + " Some nights I want to end it all.")
        story = Story.objects.get()
        assert story.urgent and story.flag_crisis
        thanks = client.get(response["Location"]).content.decode()
        assert "We noticed you may be going through a very hard time" in thanks
        assert "0800 567 567" in thanks
        assert "story.urgent" in OutboundEmail.objects.values_list("kind", flat=True)

    def test_flags_for_contact_details_and_doses(self, client):
        submit(client, body=STORY_TEXT + " Call me on 082 123 4567. I was on 2 mg a day.")
        story = Story.objects.get()
        assert story.flag_identity and story.flag_medication and not story.flag_crisis

    def test_photo_is_reencoded_without_location_data(self, client):
        exif = Image.Exif()
        exif[0x8825] = {1: "S", 2: (33.0, 55.0, 0.0)}  # GPS
        exif[0x010F] = "PhoneMaker"
        photo = SimpleUploadedFile("IMG_0001.jpg", image_bytes(640, 480, fmt="JPEG", exif=exif.tobytes()), "image/jpeg")
        assert submit(client, photo=photo).status_code == 302
        story = Story.objects.get()
        assert "IMG_0001" not in story.photo.name
        with Image.open(story.photo.path) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info


class TestBadInput:
    def assert_kept(self, response, **typed):
        assert response.status_code in (200, 429)
        form = response.context["form"]
        for name, value in typed.items():
            assert form[name].value() == value
        assert not Story.objects.exists()
        assert not OutboundEmail.objects.exists()

    @pytest.mark.parametrize(
        "overrides, field, message",
        [
            ({"title": ""}, "title", "Please give your story a title."),
            ({"title": "     "}, "title", "Please give your story a title."),
            ({"title": "x" * 151}, "title", "at most 150 characters"),
            ({"body": ""}, "body", "Please write your story here."),
            ({"body": "Too short."}, "body", "Please write at least 50 words"),
            ({"body": "word " * 5001}, "body", "Please keep it to 5,000 words"),
            ({"email": ""}, "email", "We need an email address"),
            ({"email": "not-an-address"}, "email", "valid email"),
            ({"email": "a@b.org\r\nBcc: x@y.org"}, "email", "valid email"),
            ({"credit_name": "me@example.org"}, "credit_name", "please don't use an email address or phone number"),
            ({"credit_name": "+27 82 123 4567"}, "credit_name", "please don't use an email address or phone number"),
            ({"credit_name": ""}, "credit_name", "Please tell us the name to use"),
            ({"consent_publish": None}, "consent_publish", "Please tick this box"),
            ({"consent_editing": None}, "consent_editing", "Please tick this box"),
            ({"consent_adult": None}, "consent_adult", "Please tick this box"),
            ({"credit": "famous"}, "credit", "Select a valid choice"),
            ({"series": "999999"}, "series", "Select a valid choice"),
            ({"body": STORY_TEXT + "\x00"}, "body", "Null characters are not allowed"),
        ],
    )
    def test_a_clear_error_and_everything_typed_is_kept(self, client, overrides, field, message):
        response = submit(client, **overrides)
        assert any(message in error for error in response.context["form"].errors[field])
        kept = {
            name: value
            for name, value in form_data().items()
            if name in ("title", "body", "email") and name not in overrides
        }
        self.assert_kept(response, **kept)
        assert "Please check" in response.content.decode()
        assert f'href="#id_{field}' in response.content.decode()

    def test_anonymous_writers_need_no_name(self, client):
        assert submit(client, credit="anonymous", credit_name="").status_code == 302
        assert Story.objects.get().public_credit == "Anonymous"

    def test_html_and_script_are_kept_as_text_and_never_run(self, client):
        hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
        submit(client, title=hostile, body=STORY_TEXT + hostile, credit_name="<b onmouseover=alert(3)>Bo</b>")
        story = Story.objects.get()
        page = client.get(story.get_status_url()).content.decode()
        assert "<script>alert(1)" not in page and "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")
        assert "&lt;script&gt;" in page

    @pytest.mark.parametrize(
        "name, content, message",
        [
            ("photo.jpg", b"I am not a picture at all", "could not be read as an image"),
            ("photo.jpg", image_bytes(300, 300, fmt="JPEG")[:200], "could not be read as an image"),
            ("photo.gif", image_bytes(fmt="GIF"), "Please upload a JPEG, PNG or WebP image"),
        ],
    )
    def test_broken_images_are_refused_and_the_text_is_kept(self, client, name, content, message):
        response = submit(client, photo=SimpleUploadedFile(name, content, "image/jpeg"))
        assert message in response.content.decode()
        assert "Please choose it again" in response.content.decode()
        self.assert_kept(response, title="Finding my feet", email="writer@example.org")

    def test_a_decompression_bomb_is_refused_before_decoding(self, client):
        buffer = io.BytesIO()
        Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")
        response = submit(client, photo=SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png"))
        assert "too many pixels" in response.content.decode()
        self.assert_kept(response)

    def test_a_50_mb_upload_is_refused(self, client):
        huge = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), "image/jpeg")
        response = submit(client, photo=huge)
        assert "larger than 10 MB" in response.content.decode()
        self.assert_kept(response)

    def test_a_double_submit_makes_one_story(self, client):
        data = form_data()
        first = client.post(reverse("stories:submit"), data)
        second = client.post(reverse("stories:submit"), data)
        assert first.status_code == second.status_code == 302
        assert Story.objects.count() == 1
        assert OutboundEmail.objects.filter(kind="story.received").count() == 1

    def test_a_bot_filling_the_honeypot_is_accepted_silently_and_nothing_is_kept(self, client):
        response = submit(client, website="http://spam.example")
        assert response.status_code == 302
        assert not Story.objects.exists()
        assert "Thank you" in client.get(response["Location"]).content.decode()

    def test_too_many_submissions_from_one_address_are_asked_to_wait(self, client, settings):
        settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 2
        for _ in range(2):
            assert submit(client).status_code == 302
        response = submit(client, title="A third one")
        assert response.status_code == 429
        assert "Please try again a little later" in response.content.decode()
        assert response.context["form"]["title"].value() == "A third one"
        assert Story.objects.count() == 2

    def test_a_missing_csrf_token_is_refused(self):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(reverse("stories:submit"), form_data())
        assert response.status_code == 403
        assert not Story.objects.exists()

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_wrong_methods_are_refused(self, client, method):
        assert getattr(client, method)(reverse("stories:submit")).status_code == 405

    def test_a_mail_server_that_refuses_loses_nothing(self, client, settings):
        settings.EMAIL_BACKEND = "tests.stories.test_submission.RefusingBackend"
        assert submit(client).status_code == 302
        assert Story.objects.count() == 1
        assert deliver_due() == (0, 1)
        email = OutboundEmail.objects.get()
        assert email.state == "pending" and email.attempts == 1 and email.last_error == "SMTPRecipientsRefused"
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        OutboundEmail.objects.update(send_after=email.created)
        assert deliver_due() == (1, 0)
        assert len(mail.outbox) == 1


class TestWhatASubmissionCosts:
    """A story is saved with as little work as it needs: bursts of them share the machine with readers."""

    def test_a_story_takes_a_fixed_number_of_queries_and_makes_no_session(self, client, django_assert_num_queries):
        from django.contrib.sessions.models import Session

        client.get(reverse("stories:submit"))
        SafetyTerm.phrases()  # the word lists come from the cache once read
        # The consent shown, the form's check of the photo-description constraint and the rate limit's count
        # (one statement each, in a savepoint of its own inside a test's transaction), the form key, and in one
        # transaction the story, its history line and its email.
        with django_assert_num_queries(13):
            response = submit(client, consent_version="1")
        assert response.status_code == 302
        assert Story.objects.count() == 1
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert not Session.objects.exists()

    def test_the_link_reaches_the_thank_you_page_in_a_short_signed_cookie_only_that_page_receives(self, client):
        response = submit(client)
        cookie = response.cookies[THANKS_COOKIE]
        assert cookie["path"] == reverse("stories:thanks")
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["max-age"] == 600
        thanks = client.get(reverse("stories:thanks"))
        assert "/stories/status/" in thanks.content.decode()
        assert thanks.cookies[THANKS_COOKIE]["max-age"] == 0  # taken back as soon as it is shown

    def test_a_forged_thank_you_cookie_shows_no_link(self, client):
        client.cookies[THANKS_COOKIE] = "1:" + "x" * 40
        thanks = client.get(reverse("stories:thanks"))
        assert thanks.status_code == 200
        html = thanks.content.decode()
        assert "/stories/status/" not in html
        assert "We noticed you may be going through a very hard time" not in html

    def test_the_cookie_is_secure_on_https(self, client):
        response = client.post(reverse("stories:submit"), form_data(), secure=True)
        assert response.cookies[THANKS_COOKIE]["secure"]

    def test_the_cookie_holds_the_link_alone_and_the_page_reads_the_rest_from_the_story(self, client):
        response = submit(client, body=STORY_TEXT + " Some nights I want to end it all.")
        value = response.cookies[THANKS_COOKIE].value
        assert not value.startswith(("0:", "1:"))  # whether the writer may be in crisis is not in the browser
        thanks = client.get(response["Location"]).content.decode()
        assert "We noticed you may be going through a very hard time" in thanks

    def test_an_old_or_replaced_link_is_not_shown(self, client, monkeypatch):
        import django.core.signing

        real = time.time
        monkeypatch.setattr(django.core.signing.time, "time", lambda: real() - 11 * 60)
        response = submit(client)
        monkeypatch.setattr(django.core.signing.time, "time", real)
        assert "/stories/status/" not in client.get(response["Location"]).content.decode()  # over 10 minutes old
        response = submit(client)
        Story.objects.latest("pk").issue_new_link()
        assert "/stories/status/" not in client.get(response["Location"]).content.decode()

    @pytest.mark.parametrize("overrides", [{"website": "http://spam.example"}, {"email": "someone.else@example.org"}])
    def test_a_thank_you_without_a_story_takes_back_a_link_left_from_an_earlier_one(self, client, overrides):
        first = form_data()
        assert THANKS_COOKIE in client.post(reverse("stories:submit"), first).cookies
        # A bot's post, or a copied form key from another address, in the same browser:
        response = client.post(reverse("stories:submit"), {**first, **overrides})
        assert response.cookies[THANKS_COOKIE]["max-age"] == 0
        assert "/stories/status/" not in client.get(response["Location"]).content.decode()

    def test_the_same_form_saved_meanwhile_by_another_request_is_the_answer_even_at_the_limit(self):
        from stories.services import story_submit

        form = StoryForm(form_data(), consent=ConsentVersion.current())
        assert form.is_valid()
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name not in ("photo", "content_notes")}
        story = {"submission_key": form.cleaned_data["submission_key"], "consent": form.consent, "fields": fields}

        def the_twin_is_saved_then_the_limit_says_no() -> bool:
            story_submit(**story, content_notes=[])
            return False

        saved, created = story_submit(**story, content_notes=[], allow_new=the_twin_is_saved_then_the_limit_says_no)
        assert saved == Story.objects.get() and not created

    def test_a_form_resent_at_the_hourly_limit_still_gets_its_thank_you_page(self, client, settings):
        settings.OLE_STORY_SUBMISSIONS_PER_HOUR = 1
        data = form_data()
        assert client.post(reverse("stories:submit"), data).status_code == 302
        again = client.post(reverse("stories:submit"), data)
        assert again.status_code == 302 and THANKS_COOKIE in again.cookies
        assert submit(client).status_code == 429  # a new story is still refused
        assert Story.objects.count() == 1


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"writer@example.org": (550, b"No such user")})


def test_the_series_list_is_written_escaped_and_keeps_the_choice():
    chosen = SeriesFactory(title="Nights & <mornings>")
    SeriesFactory(title="Another")
    html = str(StoryForm(data={"series": str(chosen.pk)}, consent=ConsentVersion.current())["series"])
    assert f'<option value="{chosen.pk}" selected>Nights &amp; &lt;mornings&gt;</option>' in html
    assert '<option value="">None in particular</option>' in html
    assert html.count(" selected") == 1


class TestABusyDatabase:
    """The database stays locked past its timeout (SQLite under a burst): nothing is saved, nothing typed is lost."""

    @pytest.fixture(autouse=True)
    def busy(self, monkeypatch):
        def locked(**kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr("stories.views.story_submit", locked)

    def test_a_photo_is_asked_for_again(self, client):
        photo = SimpleUploadedFile("me.png", image_bytes(), content_type="image/png")
        response = client.post(reverse("stories:submit"), form_data(photo=photo))
        assert response.status_code == 503
        assert "Please choose it again before sending" in response.content.decode()
