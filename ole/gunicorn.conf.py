"""Gunicorn settings for production: `gunicorn -c ole/gunicorn.conf.py ole.wsgi`.

Everything can be overridden from the environment (or on the command line, e.g. `--workers 4`).
"""

import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gthread keeps connections alive between requests; the benchmark measured it against sync (see docs/performance.md).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Workers are not recycled unless asked (GUNICORN_MAX_REQUESTS, e.g. if a leak ever shows): a restart imports
# the whole app again, and at the rate cached pages are served, recycling after 5,000 requests restarted each
# worker every few seconds; the benchmark halved and its p99 tripled (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", str(max_requests // 10)))

# No access log by default. When one is asked for, it never has the path or query: private status links
# (/stories/status/<token>/) are keys, and Django's own logs redact them; gunicorn's would not.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '"%(m)s" %(s)s %(B)s %(M)sms'  # no address, no path: both can be personal
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker: object) -> None:
    # A thread holds the GIL for up to the switch interval (5 ms by default) before another may run: a reader's
    # cached page (well under 1 ms of work) waited behind a story being saved. A shorter interval lets quick
    # requests through; the benchmark's reads under writes measured it.
    sys.setswitchinterval(max(0.1, float(os.environ.get("GUNICORN_SWITCH_INTERVAL_MS", "1"))) / 1000)
