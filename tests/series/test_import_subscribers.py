"""Moving followers in: `manage.py import_subscribers FILE --source ...` records each address as a confirmed
follower of everything and queues it one "we have moved" email; bad rows are reported, never fatal, and
importing the same file again changes nothing."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ole.mail import absolute
from ole.models import OutboundEmail
from ole.outbox import deliver_due
from series.models import CrisisLine, Subscription
from tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db
SOURCE = "WordPress.com followers"


def run(tmp_path, text: str, source: str = SOURCE, name: str = "followers.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_subscribers", str(path), source=source, stdout=out)
    return out.getvalue()


def send_all() -> list:
    mail.outbox.clear()
    OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING).update(send_after=timezone.now())
    deliver_due(limit=1000)
    return list(mail.outbox)


def moved_emails() -> int:
    return OutboundEmail.objects.filter(kind="following.moved").count()


WORDPRESS_EXPORT = (
    "email_address,subscribed_date,status\n"
    "Ada@Example.org,2023-01-04 10:00:00,subscribed\n"
    "bo@example.org,2023-02-04 10:00:00,subscribed\n"
)


def test_each_address_follows_everything_confirmed_with_its_source_and_gets_one_moved_email(tmp_path):
    before = timezone.now()
    output = run(tmp_path, WORDPRESS_EXPORT)
    assert "Imported 2 follower(s)" in output
    followers = Subscription.objects.order_by("email")
    assert [s.email for s in followers] == ["ada@example.org", "bo@example.org"]
    for subscription in followers:
        assert subscription.series is None and subscription.topic is None
        assert subscription.confirmed_at >= before and subscription.source == SOURCE
    assert sorted(email.to[0] for email in send_all()) == ["ada@example.org", "bo@example.org"]


def test_the_moved_email_has_the_manage_link_one_click_unsubscribe_and_crisis_lines(tmp_path):
    run(tmp_path, "reader@example.org\n")
    subscription = Subscription.objects.get()
    [email] = send_all()
    message = email.message()
    unsubscribe = absolute(subscription.get_unsubscribe_url())
    assert "moved" in email.subject
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] and message["Date"]
    body = email.body
    assert absolute(subscription.get_manage_url()) in body and unsubscribe in body
    assert SOURCE in body
    line = CrisisLine.objects.first()
    assert body.index("moved") < body.index(f"- {line.name}")
    assert "<img" not in body and "<a " not in body
    Client(enforce_csrf_checks=True).post(subscription.get_unsubscribe_url(), {"List-Unsubscribe": "One-Click"})
    assert not Subscription.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_and_queues_nothing(tmp_path):
    run(tmp_path, WORDPRESS_EXPORT)
    first = list(Subscription.objects.values_list("pk", "confirmed_at", "source"))
    output = run(tmp_path, WORDPRESS_EXPORT, source="Something else")
    assert "Imported 0 follower(s)" in output and "Skipped 2 already following everything" in output
    assert list(Subscription.objects.values_list("pk", "confirmed_at", "source")) == first
    assert moved_emails() == 2


def test_an_address_stopped_by_refusals_is_not_brought_back(tmp_path):
    Subscription.objects.create(email="gone@example.org", confirmed_at=timezone.now(), stopped_at=timezone.now())
    output = run(tmp_path, "gone@example.org\n")
    assert "Skipped 1 already following everything" in output
    assert Subscription.objects.get().stopped_at is not None and moved_emails() == 0


def test_a_follower_of_one_series_also_comes_to_follow_everything(tmp_path):
    series = SeriesFactory()
    one = Subscription.objects.create(email="one@example.org", series=series, confirmed_at=timezone.now())
    run(tmp_path, "one@example.org\n")
    assert Subscription.objects.filter(email="one@example.org").count() == 2
    assert Subscription.objects.get(pk=one.pk).source == ""  # the series follow is left as it was


def test_an_unconfirmed_request_for_the_same_address_is_confirmed_by_the_import(tmp_path):
    asked = Subscription.ask(email="asked@example.org", series=None, topic=None, frequency="each")
    run(tmp_path, "asked@example.org\n")
    asked.refresh_from_db()
    assert asked.confirmed_at is not None and asked.source == SOURCE
    [email] = send_all()  # the move, not the confirmation too
    assert "moved" in email.subject


def test_bad_rows_are_reported_by_line_and_never_stop_the_good_ones(tmp_path):
    too_long = "a" * 250 + "@example.org"
    text = (
        "Email,Date\n"
        "good@example.org,2023-01-01\n"
        "not an address,2023-01-01\n"
        "\n"
        f"{too_long},2023-01-01\n"
        "GOOD@example.org,2023-01-01\n"
        ",2023-01-01\n"
        "other@example.org\n"
    )
    output = run(tmp_path, text)
    assert "Imported 2 follower(s)" in output
    assert "Skipped 4 bad row(s):" in output
    assert "line 3: not an email address" in output
    assert "line 5: longer than 254 characters" in output
    assert "line 6: the same address as line 2" in output
    assert "line 7: no address in the email column" in output
    assert "good@example.org" not in output  # addresses stay out of terminals and logs
    assert sorted(Subscription.objects.values_list("email", flat=True)) == ["good@example.org", "other@example.org"]


def test_one_address_a_line_with_no_header_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("first@example.org\r\n  second@example.org  \r\n", encoding="utf-8-sig")
    call_command("import_subscribers", str(path), source=SOURCE, stdout=io.StringIO())
    assert sorted(Subscription.objects.values_list("email", flat=True)) == ["first@example.org", "second@example.org"]


def test_a_csv_with_no_email_column_is_refused_whole(tmp_path):
    with pytest.raises(CommandError, match="no email column"):
        run(tmp_path, "name,address\nAda,ada@example.org\n")
    with pytest.raises(CommandError, match="--source"):
        run(tmp_path, "ada@example.org\n", source=" ")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_subscribers", str(tmp_path / "missing.csv"), source=SOURCE)
    assert not Subscription.objects.exists() and moved_emails() == 0


def test_the_import_is_one_transaction(tmp_path, monkeypatch):
    from ole.models import OutboundEmail as Outbound

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Outbound.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(tmp_path, "a@example.org\nb@example.org\n")
    assert not Subscription.objects.exists()


def test_moved_emails_are_paced_behind_those_already_waiting(settings, tmp_path):
    settings.OLE_FOLLOW_EMAILS_PER_MINUTE = 2
    later = timezone.now() + datetime.timedelta(minutes=30)
    OutboundEmail.objects.create(kind="following.post", object_id=1, send_after=later)
    run(tmp_path, "".join(f"r{n}@example.org\n" for n in range(4)))
    times = sorted(OutboundEmail.objects.filter(kind="following.moved").values_list("send_after", flat=True))
    assert times[0] >= later
    assert times[-1] - times[0] == datetime.timedelta(minutes=1.5)


def test_the_summary_names_no_address(tmp_path):
    output = run(tmp_path, WORDPRESS_EXPORT)
    assert not re.search(r"\S+@\S+", output)


def test_a_moved_email_refused_for_good_counts_toward_stopping_the_follower(tmp_path, smtp_server):
    run(tmp_path, "gone@example.org\nhere@example.org\n")
    smtp_server.inbox.refuse.add("gone@example.org")
    OutboundEmail.objects.update(send_after=timezone.now())
    deliver_due()
    assert [message["To"] for message in smtp_server.messages] == ["here@example.org"]
    assert Subscription.objects.get(email="gone@example.org").refusals == 1
    assert OutboundEmail.objects.get(object_id=Subscription.objects.get(email="gone@example.org").pk).state == "failed"


def test_a_long_list_is_imported_and_recognised_again_past_the_query_parameter_limits(tmp_path):
    text = "".join(f"reader{n}@example.org\n" for n in range(1200))
    assert "Imported 1200 follower(s)" in run(tmp_path, text)
    assert "Imported 0 follower(s)" in run(tmp_path, text)
    assert Subscription.objects.count() == 1200 and moved_emails() == 1200


def test_an_address_that_stopped_following_is_never_imported_again(tmp_path):
    run(tmp_path, "gone@example.org\nstays@example.org\n")
    Subscription.objects.get(email="gone@example.org").stop()
    out = run(tmp_path, "gone@example.org\nstays@example.org\nnew@example.org\n")
    assert sorted(Subscription.objects.values_list("email", flat=True)) == ["new@example.org", "stays@example.org"]
    assert "gone@example.org" not in out  # reported by line, never by address
    from series.models.following import StoppedAddress

    assert "gone" not in str(list(StoppedAddress.objects.values_list("digest", flat=True)))
