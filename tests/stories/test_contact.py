""" "Write to us": a message to the editors, kept as typed on any error, saved once, urgent when it speaks of
crisis, answered from the site's address, and never showing the writer's address to anyone."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ole.outbox import deliver_due
from ole.workflow import InvalidTransition
from stories.models import ContactMessage, ContactReply

pytestmark = pytest.mark.django_db
URL = reverse("stories:contact")


def send(client, **data):
    payload = {"name": "Lerato", "email": "lerato@example.org", "body": "Do you take poems?", "form_key": uuid.uuid4()}
    return client.post(URL, {**payload, **data})


def test_a_message_arrives_and_the_page_thanks_without_echoing_it(client):
    response = send(client, body="Do you take poems about tapering?")
    assert response.status_code == 302 and response["Location"] == reverse("stories:contact_thanks")
    assert "poems" not in response["Location"]
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.body) == (
        "Lerato",
        "lerato@example.org",
        "Do you take poems about tapering?",
    )
    assert not message.urgent
    thanks = client.get(response["Location"]).content.decode()
    assert "Your message has arrived" in thanks
    assert "poems" not in thanks and "lerato@example.org" not in thanks
    assert "We noticed you may be going through a very hard time" not in thanks


def test_words_of_crisis_show_the_lines_at_once_and_alert_the_editors(client, editor):
    response = send(client, body="Some nights I don't want to be here anymore. Is there a group?")
    message = ContactMessage.objects.get()
    assert message.urgent and message.flag_crisis
    thanks = client.get(response["Location"]).content.decode()
    assert "We noticed you may be going through a very hard time" in thanks
    deliver_due()
    alert = next(email for email in mail.outbox if email.to == [editor.email])
    assert alert.subject == "A message may need urgent care"
    assert "want to be here" not in alert.body and "Lerato" not in alert.body
    assert reverse("admin:stories_contactmessage_change", args=[message.pk]) in alert.body


def test_the_form_is_linked_from_every_footer_and_the_share_page(client):
    contact = f'href="{URL}"'
    assert contact in client.get(reverse("series:home")).content.decode()
    assert contact in client.get(reverse("series:help")).content.decode()
    assert contact in client.get(reverse("stories:share")).content.decode()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"name": ""}, "Please tell us what to call you"),
        ({"name": "   "}, "Please tell us what to call you"),
        ({"email": "nope"}, "That does not look like an email address"),
        ({"body": "   "}, "Please write your message first."),
        ({"body": "x" * 5001}, "Please keep your message to 5000 characters (it has 5001)."),
        ({"name": "n" * 81}, "Please keep your name to 80 characters (it has 81)."),
        ({"form_key": "not-a-key"}, "Enter a valid UUID."),
    ],
)
def test_a_bad_message_explains_itself_keeps_what_was_typed_and_saves_nothing(client, data, error):
    response = send(client, **{"body": "My careful words <b>here</b>", **data})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    if "body" not in data:
        assert "My careful words &lt;b&gt;here&lt;/b&gt;" in page
    assert not ContactMessage.objects.exists()


def test_html_and_script_are_kept_as_text(client, admin_client):
    send(client, body='<script>alert("x")</script> hello')
    message = ContactMessage.objects.get()
    assert message.body == '<script>alert("x")</script> hello'
    page = admin_client.get(reverse("admin:stories_contactmessage_change", args=[message.pk])).content.decode()
    assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page


def test_the_same_form_sent_twice_saves_one_message(client):
    key = uuid.uuid4()
    send(client, form_key=key)
    send(client, form_key=key)
    assert ContactMessage.objects.count() == 1


def test_a_copied_form_key_gets_no_one_elses_message(client):
    key = uuid.uuid4()
    send(client, form_key=key)
    response = send(Client(), form_key=key, email="someone@example.org")
    assert response.status_code == 302
    assert ContactMessage.objects.count() == 1


def test_a_flood_is_refused_with_everything_kept(client, settings):
    settings.OLE_CONTACT_MESSAGES_PER_HOUR = 2
    send(client)
    send(client)
    response = send(client, body="The third message")
    assert response.status_code == 429
    assert "The third message" in response.content.decode()
    assert ContactMessage.objects.count() == 2


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_kept(client):
    response = send(client, website="http://spam.example")
    assert response.status_code == 302
    assert not ContactMessage.objects.exists()


def test_wrong_methods_and_missing_csrf_are_refused():
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(URL, {"name": "A", "email": "a@example.org", "body": "Hi", "form_key": uuid.uuid4()}).status_code
        == 403
    )
    assert Client().put(URL).status_code == 405
    assert Client().post(reverse("stories:contact_thanks")).status_code == 405
    assert not ContactMessage.objects.exists()


def test_the_pages_are_private(client):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]


def test_editors_read_and_reply_from_the_sites_address_and_never_see_the_writers(editor_client, editor, settings):
    Client().post(URL, {"name": "Lerato", "email": "lerato@example.org", "body": "Hi", "form_key": uuid.uuid4()})
    message = ContactMessage.objects.get()
    changelist = editor_client.get(reverse("admin:stories_contactmessage_changelist")).content.decode()
    change_url = reverse("admin:stories_contactmessage_change", args=[message.pk])
    page = editor_client.get(change_url).content.decode()
    for shown in (changelist, page):
        assert "Lerato" in shown and "lerato@example.org" not in shown
    response = editor_client.post(change_url, {"reply": "Yes, we do. Send one in!", "close": "on", **_inline()})
    assert response.status_code == 302
    reply = ContactReply.objects.get()
    assert (reply.body, reply.sent_by) == ("Yes, we do. Send one in!", editor)
    message.refresh_from_db()
    assert message.closed_at is not None
    mail.outbox.clear()
    deliver_due()
    [email] = mail.outbox
    assert email.to == ["lerato@example.org"] and email.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Yes, we do. Send one in!" in email.body and "Hello Lerato" in email.body
    assert editor.email not in email.body and editor.email not in str(email.message())


def test_a_closed_message_takes_no_reply(editor_client, editor):
    message = ContactMessage.objects.create(
        name="A", email="a@example.org", body="Hi", form_key=uuid.uuid4(), closed_at=timezone.now()
    )
    with pytest.raises(InvalidTransition):
        message.reply(editor=editor, body="Late")
    page = editor_client.post(
        reverse("admin:stories_contactmessage_change", args=[message.pk]), {"reply": "Late", **_inline()}
    )
    assert "This message is closed; it takes no reply." in page.content.decode()
    assert not ContactReply.objects.exists()


def test_no_query_string_reads_the_addresses(editor_client):
    response = editor_client.get(reverse("admin:stories_contactmessage_changelist") + "?email__istartswith=l")
    assert response.status_code == 400


def test_closed_messages_go_after_the_retention_period(settings):
    settings.OLE_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    gone = ContactMessage.objects.create(
        name="A", email="a@example.org", body="Old", form_key=uuid.uuid4(), closed_at=old
    )
    ContactReply.objects.create(message=gone, body="Our answer")
    kept_open = ContactMessage.objects.create(name="B", email="b@example.org", body="Open", form_key=uuid.uuid4())
    recent = ContactMessage.objects.create(
        name="C", email="c@example.org", body="Recent", form_key=uuid.uuid4(), closed_at=timezone.now()
    )
    call_command("apply_retention", verbosity=0)
    assert set(ContactMessage.objects.all()) == {kept_open, recent}
    assert not ContactReply.objects.exists()


def _inline() -> dict:
    prefix = "replies"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "0"}


def test_the_crisis_list_catches_the_words_of_the_table():
    message = ContactMessage(name="x", body="I have a plan to end it all tonight", email="x@example.org")
    message.refresh_flags()
    assert message.urgent


@pytest.mark.parametrize("slug", ["suicidal-thoughts", "self-harm"])
def test_the_writers_own_crisis_note_makes_the_message_urgent(client, slug):
    from series.models import ContentNote

    note = ContentNote.objects.get(slug=slug)
    response = send(client, body="A question about the site.", content_notes=[note.pk])
    message = ContactMessage.objects.get()
    assert message.urgent and list(message.content_notes.all()) == [note]
    assert "We noticed you may be going through a very hard time" in client.get(response["Location"]).content.decode()


def test_other_notes_are_kept_and_change_nothing_else(client):
    from series.models import ContentNote

    note = ContentNote.objects.exclude(signals_crisis=True).first()
    send(client, content_notes=[note.pk])
    message = ContactMessage.objects.get()
    assert not message.urgent and list(message.content_notes.all()) == [note]
