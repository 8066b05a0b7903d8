"""Query forms of the claim endpoints that are not filters (the filters are in ``claims/filters.py``)."""

from django import forms


class SimilarQueryForm(forms.Form):
    text = forms.CharField(max_length=5000, strip=True)
    limit = forms.IntegerField(min_value=1, max_value=50, required=False)
