"""The public pages of reviews (the API's routes are in reviews/api/urls.py)."""

from django.urls import path

from reviews.views import review_page

urlpatterns = [
    path("reviews/<int:review_id>/", review_page, name="review-page"),
]
