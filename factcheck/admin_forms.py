"""Admin support for optimistic locking: the change form carries the version it was opened at."""

from django import forms


class VersionedAdminForm(forms.ModelForm):
    """Refuses to save when the object changed since the form was opened (no silent lost update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        opened_at = cleaned.get("version")
        if self.instance.pk and opened_at is None and "version" not in self.errors:
            raise forms.ValidationError(
                "This form does not say which version it was opened at. Reload the page and reapply your changes.",
                code="no_version",
            )
        if self.instance.pk and opened_at is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != opened_at:
                raise forms.ValidationError(
                    "Someone else changed this while you were editing it (now version %(current)s, you opened "
                    "version %(opened)s). Reload the page and reapply your changes.",
                    params={"current": current, "opened": opened_at},
                    code="stale",
                )
        return cleaned
