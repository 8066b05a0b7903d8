"""Where the public labelled data are: the setting FACTCHECK_DATASETS_DIR (by default ../shared/datasets beside
the checkout)."""

from pathlib import Path

from django.conf import settings

ABSENT = (
    "the public labelled data are not here: set FACTCHECK_DATASETS_DIR to the folder holding "
    "checkworthiness/ and polnear/ (by default ../shared/datasets beside the checkout)"
)


def datasets_dir():
    """The labelled data folder, or None when it is absent."""
    folder = Path(settings.FACTCHECK_DATASETS_DIR)
    return folder if folder.is_dir() else None
