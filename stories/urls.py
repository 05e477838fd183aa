from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("share/", views.share, name="share"),
]
