"""PostgreSQL restarting under the site: every connection is cut by a proxy standing between Django and the
server, mid-request. The writer gets a clear answer with everything they typed, and nothing half-saved."""

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from ole.models import OutboundEmail
from stories.models import Story, StoryEvent
from tests.conftest import reseed
from tests.factories import PostFactory
from tests.stories.test_submission import form_data

from .conftest import on_postgresql
from .proxy import CuttingProxy

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="cuts TCP connections to a database server: PostgreSQL pass only"
)


@pytest.fixture
def proxy(transactional_db):
    """Django's connection goes through a proxy that can cut it, kept open between requests as in production."""
    reseed()
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT", "CONN_MAX_AGE")}
    through = CuttingProxy((settings_dict["HOST"], int(settings_dict["PORT"])))
    connection.close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(through.port), CONN_MAX_AGE=60)
    yield through
    connection.close()
    settings_dict.update(saved)
    through.close()


def test_a_database_restart_mid_submission_keeps_the_form_and_saves_nothing(client, proxy):
    data = form_data(title="Typed before the restart", email="kept@example.org")
    # Cut everything once the story row is written and its history is on its way, inside the transaction.
    proxy.cut_on(b'INSERT INTO "stories_storyevent"')
    response = client.post(reverse("stories:submit"), data)
    assert proxy.cuts == 1
    assert response.status_code == 503
    form = response.context["form"]
    assert form["title"].value() == "Typed before the restart"
    assert form["email"].value() == "kept@example.org"
    assert form["body"].value() == data["body"]
    assert "Nothing was lost" in response.content.decode()
    assert not Story.objects.exists() and not StoryEvent.objects.exists() and not OutboundEmail.objects.exists()

    close_old_connections()  # what Django does as each request starts
    again = client.post(reverse("stories:submit"), data)
    assert again.status_code == 302
    assert Story.objects.get().title == "Typed before the restart"


def test_a_connection_cut_between_requests_is_replaced_before_use(client, proxy):
    post = PostFactory()
    assert client.get(post.get_absolute_url()).status_code == 200
    proxy.cut_all()  # the server restarted while the kept connection sat idle
    close_old_connections()
    assert client.get(post.get_absolute_url()).status_code == 200
    assert proxy.cuts == 1


def test_a_database_that_stays_down_answers_503_not_500(client, proxy):
    post = PostFactory()
    proxy.down()
    close_old_connections()
    response = client.get(post.get_absolute_url())
    assert response.status_code == 503
    assert "cannot reach its records" in response.content.decode()
    proxy.up()
    close_old_connections()
    assert client.get(post.get_absolute_url()).status_code == 200
