"""The site's URLs plus the minimal view; used only when OLE_ROOT_URLCONF=bench.urls (the benchmark's servers)."""

from django.urls import path

from bench.views import minimal
from ole.urls import urlpatterns as site_patterns

urlpatterns = [*site_patterns, path("bench/minimal/", minimal, name="bench_minimal")]
