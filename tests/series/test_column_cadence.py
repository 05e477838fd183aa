"""A recurring column's cadence: the days its posts are due, only for columns, and the add form a slot opens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from series.models import Series
from tests.factories import SeriesFactory

pytestmark = pytest.mark.django_db

MONDAY = 0
WEDNESDAY = datetime.date(2026, 12, 2)


def column(**fields) -> Series:
    return SeriesFactory(kind=Series.Kind.COLUMN, cadence_weekday=MONDAY, **fields)


def test_the_next_slots_are_the_next_four_of_the_columns_weekday():
    assert column().next_slots(today=WEDNESDAY) == [
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 14),
        datetime.date(2026, 12, 21),
        datetime.date(2026, 12, 28),
    ]


def test_today_is_a_slot_when_it_is_the_columns_day():
    assert column().next_slots(2, today=datetime.date(2026, 12, 7)) == [
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 14),
    ]


def test_a_column_without_a_cadence_has_no_slots():
    assert SeriesFactory(kind=Series.Kind.COLUMN).next_slots(today=WEDNESDAY) == []


def test_a_bounded_series_cannot_have_a_cadence():
    series = SeriesFactory.build(kind=Series.Kind.BOUNDED, cadence_weekday=MONDAY)
    with pytest.raises(ValidationError) as refused:
        series.full_clean()
    assert "Only a recurring column" in str(refused.value.message_dict["cadence_weekday"])


def test_the_database_refuses_a_cadence_on_a_bounded_series():
    with pytest.raises(IntegrityError):
        SeriesFactory(kind=Series.Kind.BOUNDED, cadence_weekday=MONDAY)


def test_a_slots_link_opens_a_new_post_in_the_column_at_the_slots_time(editor_client):
    series = column()
    response = editor_client.get(reverse("admin:series_post_add"), {"series": series.pk, "publish_at": "2026-12-07"})
    initial = response.context["adminform"].form.initial
    assert initial["series"] == str(series.pk)
    assert initial["publish_at"] == timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 0))


@pytest.mark.parametrize("day", ["2026-02-30", "next monday", "<script>"])
def test_a_date_that_is_not_one_is_ignored_on_the_add_form(editor_client, day):
    response = editor_client.get(reverse("admin:series_post_add"), {"publish_at": day})
    assert response.status_code == 200
    assert "publish_at" not in response.context["adminform"].form.initial
