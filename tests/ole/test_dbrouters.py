"""The read-replica router: plain reads to the replica; writes, locking reads and transactions to the primary."""

import json

import pytest
from django.db import connections, transaction

from ole.dbrouters import PRIMARY, REPLICA, PrimaryReplicaRouter
from stories.models import Story
from tests.settings_probe import settings_from

ROUTER = "ole.dbrouters.PrimaryReplicaRouter"


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = [ROUTER]


def test_plain_reads_go_to_the_replica(routed):
    assert not connections[PRIMARY].in_atomic_block
    assert Story.objects.all().db == REPLICA
    assert Story.objects.filter(status=Story.Status.SUBMITTED).order_by("pk").db == REPLICA


def test_locking_reads_go_to_the_primary(routed):
    # select_for_update() marks its query as a write, so Django asks db_for_write.
    assert Story.objects.select_for_update().db == PRIMARY
    assert Story.objects.select_for_update(skip_locked=True).filter(pk=1).db == PRIMARY


def test_writes_go_to_the_primary(routed):
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Story) == PRIMARY
    queryset = Story.objects.filter(pk=1)
    assert queryset.db == REPLICA
    queryset._for_write = True  # what update() and delete() set before they run
    assert queryset.db == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(routed):
    assert Story.objects.all().db == REPLICA
    with transaction.atomic():
        assert Story.objects.all().db == PRIMARY
    assert Story.objects.all().db == REPLICA


def test_migrations_run_only_on_the_primary():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(PRIMARY, "stories")
    assert not router.allow_migrate(REPLICA, "stories")


def test_a_replica_url_adds_the_replica_and_the_router(tmp_path):
    code = (
        "d = settings.DATABASES; r = d['replica']; "
        "print(json.dumps([sorted(d), r['HOST'], r['TEST']['MIRROR'], settings.DATABASE_ROUTERS]))"
    )
    out = settings_from(
        tmp_path,
        code,
        DATABASE_URL="postgres://u:p@primary.example.org:5432/ole",
        DATABASE_REPLICA_URL="postgres://u:p@replica.example.org:5432/ole",
    )
    ledger = "ole.dbrouters.LedgerRouter"
    assert json.loads(out) == [["default", "ledger", "replica"], "replica.example.org", "default", [ledger, ROUTER]]


def test_without_a_replica_url_there_is_no_replica_router(settings):
    assert "replica" not in settings.DATABASES
    assert "ole.dbrouters.PrimaryReplicaRouter" not in settings.DATABASE_ROUTERS


def test_the_erasure_ledger_lives_in_its_own_database_and_nothing_else_does():
    from ole.dbrouters import LEDGER, LedgerRouter
    from ole.models import ErasureRecord, OutboundEmail

    router = LedgerRouter()
    assert router.db_for_write(ErasureRecord) == router.db_for_read(ErasureRecord) == LEDGER
    assert router.db_for_write(Story) is None and router.db_for_read(OutboundEmail) is None
    assert router.allow_migrate(LEDGER, "ole", "erasurerecord") is True
    assert router.allow_migrate(PRIMARY, "ole", "erasurerecord") is False
    assert router.allow_migrate(LEDGER, "stories", "story") is False
    assert router.allow_migrate(LEDGER, "ole") is False  # data migrations (seeding) never run there
    assert router.allow_migrate(PRIMARY, "stories", "story") is None
    assert ErasureRecord.objects.all().db == LEDGER
