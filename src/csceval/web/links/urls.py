"""The short address of every anonymous link: ``/r/<token>/``."""

from __future__ import annotations

from django.urls import path

from csceval.web.links import views

app_name = "links"

urlpatterns = [path("<str:token>/", views.open_link, name="open")]
