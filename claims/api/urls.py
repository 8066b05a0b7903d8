"""The claims API's own routes. ``articles/`` and ``claims/`` are registered in reviews/api/urls.py, over
the viewsets of claims/api/views.py: readers are shown them as published."""

from django.urls import path

from claims.api.views import CheckWorthinessView

urlpatterns = [
    path("check-worthiness/", CheckWorthinessView.as_view(), name="check-worthiness"),
]
