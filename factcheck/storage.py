from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files after ``collectstatic``; plain names before it.

    Without this fallback a server started before ``collectstatic`` (tests, a quick gunicorn run)
    would answer 500 on every page that links a static file; WhiteNoise serves the plain names
    from the app directories in that case (``WHITENOISE_USE_FINDERS``).
    """

    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
