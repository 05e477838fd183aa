"""Log lines: one JSON object per line with LOG_FORMAT=json, tied to their request by a request id, redacted."""

import json
import logging
import re

import pytest
from django.urls import reverse

from tests.settings_probe import settings_from

pytestmark = pytest.mark.django_db


def test_a_request_id_from_the_proxy_is_kept_and_sent_back(client):
    for given in ["0f3c9a2b7d1e4f5a8b6c0d2e4f6a8b0c", "3b241101-e2bb-4255-8caf-4136c566a962"]:
        response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=given)
        assert response["X-Request-ID"] == given


@pytest.mark.parametrize(
    "hostile", ["", "short", "x" * 65, "abc12345 injected=1", 'abc12345"}', "abc12345\nforged line", "ünïcödé-123"]
)
def test_a_missing_or_hostile_request_id_is_replaced_by_a_fresh_one(client, hostile):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=hostile)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["X-Request-ID"] != client.get(reverse("healthz"))["X-Request-ID"]


def test_json_log_lines_parse_and_carry_the_request_id_without_the_private_link(client, json_log):
    client.get("/stories/status/canary-token-8d7f6e/", HTTP_X_REQUEST_ID="req-from-proxy-42")
    lines = json_log()
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert (line["level"], line["logger"], line["request_id"]) == ("WARNING", "django.request", "req-from-proxy-42")
    assert line["message"] == "Not Found: /stories/status/[redacted]/"
    assert line["time"].endswith("+00:00")


def test_lines_written_outside_a_request_have_no_request_id(client, json_log):
    client.get(reverse("healthz"))
    logging.getLogger("django.request").warning("After the request, about someone@example.org")
    assert json_log()[-1]["request_id"] is None
    assert json_log()[-1]["message"] == "After the request, about [email]"


def test_log_format_json_writes_one_redacted_json_object_per_line(tmp_path):
    code = (
        "import logging, sys; logging.getLogger().handlers[0].setStream(sys.stdout); "
        "log = logging.getLogger('ole.example'); "
        "log.warning('Link %s for %s', '/comments/12/edit/canary-key/', 'canary@example.org'); "
        "log.info('second line')"
    )
    output = settings_from(tmp_path, code, LOG_FORMAT="json")
    lines = [json.loads(line) for line in output.splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [("WARNING", "ole.example"), ("INFO", "ole.example")]
    assert lines[0]["message"] == "Link /comments/12/edit/[redacted]/ for [email]"
    assert "canary" not in output


def test_an_exception_in_a_log_line_is_redacted_too(json_log):
    try:
        raise ValueError("No story for /stories/status/canary-token-1/ (canary@example.org)")
    except ValueError:
        logging.getLogger("django.request").exception("Failed")
    line = json_log()[-1]
    assert "ValueError: No story for /stories/status/[redacted]/ ([email])" in line["exception"]
    assert "canary" not in json.dumps(line)
