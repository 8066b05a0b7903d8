"""Where the public labelled data are: FACTCHECK_DATASETS_DIR, else ../shared/datasets beside the checkout."""

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent.parent
ABSENT = (
    "the public labelled data are not here: set FACTCHECK_DATASETS_DIR to the folder holding "
    "checkworthiness/ and polnear/ (by default ../shared/datasets beside the checkout)"
)


def datasets_dir():
    """The labelled data folder, or None when it is absent."""
    configured = os.environ.get("FACTCHECK_DATASETS_DIR")
    folder = Path(configured) if configured else REPOSITORY.parent / "shared" / "datasets"
    return folder if folder.is_dir() else None
