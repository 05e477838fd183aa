from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.static import serve

from ole.health import healthz, readyz
from ole.pagecache import public_page
from series.sitemaps import SITEMAPS
from series.views.reading import robots_txt

admin.site.site_header = "OLE editors"
admin.site.site_title = "OLE editors"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    # An index of sitemap pages of at most 5,000 addresses each (the protocol allows 50,000 a file).
    path(
        "sitemap.xml",
        public_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemaps.sitemap, params=["p"]),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", public_page(robots_txt), name="robots"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("stories/", include("stories.urls")),
    path("", include("series.urls")),
]

if (settings.DEBUG or settings.OLE_SERVE_MEDIA) and not settings.MEDIA_URL.startswith("http"):
    # Production serves media from object storage or the proxy; this is for development and tests.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
