from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("share/", views.share, name="share"),
    path("share/write/", views.submit, name="submit"),
    path("share/thanks/", views.thanks, name="thanks"),
    path("lost-link/", views.lost_link, name="lost_link"),
    path("write-to-us/", views.contact, name="contact"),
    path("write-to-us/thanks/", views.contact_thanks, name="contact_thanks"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/edit/", views.edit, name="edit"),
    path("status/<str:token>/approve-edits/", views.accept_edits, name="accept_edits"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("status/<str:token>/new-link/", views.replace_link, name="replace_link"),
    path("status/<str:token>/my-story.json", views.export, name="export"),
    path("status/<str:token>/photo/", views.photo, name="photo"),
]
