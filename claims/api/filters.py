"""Query forms of the claim endpoints that are not filters (the filters are in ``claims/filters.py``)."""

from django import forms

from factcheck.filters import WholeNumberField

# In the query string: with the rest of the request line it must fit gunicorn's 4094 bytes
# (factcheck/gunicorn.conf.py), or the client gets a 414 instead of this form's 400 (ASCII text).
TEXT_MAX_LENGTH = 2000
LIMIT_MAX = 50


class SimilarQueryForm(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, strip=True)
    limit = WholeNumberField(min_value=1, max_value=LIMIT_MAX, required=False)
    # Whether external fact-checks come with the newsroom's claims (default true).
    external = forms.CharField(required=False, strip=False)

    def clean_external(self):
        value = self.data.get("external")
        if value is None:
            return True
        choice = {"true": True, "1": True, "false": False, "0": False}.get(value.lower())
        if choice is None:
            raise forms.ValidationError("Must be true or false.")
        return choice
