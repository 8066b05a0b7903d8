"""Query forms of the claim endpoints that are not filters (the filters are in ``claims/filters.py``)."""

from django import forms

from factcheck.filters import WholeNumberField

TEXT_MAX_LENGTH = 5000
LIMIT_MAX = 50


class SimilarQueryForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, strip=True)
    limit = WholeNumberField(min_value=1, max_value=LIMIT_MAX, required=False)
