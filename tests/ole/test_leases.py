"""Leases: the right to do something alone for a while, shared by every process through the database."""

import datetime

import pytest
from django.utils import timezone

from ole.models import Lease

pytestmark = pytest.mark.django_db


def test_a_lease_is_held_by_one_holder_until_it_is_released():
    first = Lease.take("job", 60)
    assert first and Lease.take("job", 60) is None
    assert Lease.take("another job", 60)  # leases by other names are their own
    Lease.release("job", "not-the-holder")
    assert Lease.take("job", 60) is None
    Lease.release("job", first)
    assert Lease.take("job", 60)


def test_a_lease_runs_out_when_its_holder_stops_renewing_it_and_the_holder_then_knows():
    first = Lease.take("job", 60)
    assert Lease.renew("job", first, 60)
    Lease.objects.filter(name="job").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    second = Lease.take("job", 60)
    assert second and second != first
    assert not Lease.renew("job", first, 60)
    Lease.release("job", first)  # the first holder's release leaves the second's lease alone
    assert Lease.take("job", 60) is None and Lease.renew("job", second, 60)
