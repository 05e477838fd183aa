import io
import json
import logging

import pytest

from ole.logging import JsonFormatter


@pytest.fixture
def json_log():
    """The site's own console handler (its filters as configured), writing JSON into a buffer for the test;
    returns a function giving the lines written so far, parsed."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.name == "console")
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)
    handler.setFormatter(formatter)
