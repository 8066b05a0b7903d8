"""The extractor on public labelled data nobody here wrote: CheckThat! 2024 English dev (ClaimBuster).

Read from the labelled data folder (../shared/datasets, or FACTCHECK_DATASETS_DIR); skipped with the
reason where it is absent. Dev only: test splits are kept elsewhere and never read.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.eval.checkworthiness import evaluate_checkthat, load_sentences
from claims.eval.datasets import ABSENT, datasets_dir
from claims.management.commands.evaluate_extraction import PUBLIC_TARGETS

needs_data = pytest.mark.skipif(datasets_dir() is None, reason=ABSENT)


@needs_data
def test_checkthat_dev_stays_above_its_targets():
    result = evaluate_checkthat("dev")
    assert result.sentences == 1032 and result.positives == 238
    for name, target in PUBLIC_TARGETS.items():
        assert getattr(result, name) >= target, f"{name} {getattr(result, name):.3f} < {target}"


@needs_data
def test_evaluate_extraction_reports_the_public_dev_set():
    out = StringIO()
    call_command("evaluate_extraction", "--check", stdout=out)
    result = evaluate_checkthat("dev")
    assert f"CheckThat! 2024 dev: F1 {result.f1:.3f}" in out.getvalue()


def test_without_the_data_the_report_says_so_and_still_checks_the_own_texts(settings, tmp_path):
    settings.FACTCHECK_DATASETS_DIR = tmp_path / "absent"
    out = StringIO()
    call_command("evaluate_extraction", "--check", stdout=out)
    assert "Public labelled data skipped" in out.getvalue()
    assert "FACTCHECK_DATASETS_DIR" in out.getvalue()


def test_a_public_figure_below_target_fails_the_check(settings, tmp_path):
    folder = tmp_path / "checkworthiness"
    folder.mkdir()
    # Two plain check-worthy claims labelled "No", and a greeting labelled "Yes": every decision is wrong.
    (folder / "dev.tsv").write_text(
        "Sentence_id\tText\tclass_label\n"
        "1\tUnemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.\tNo\n"
        "2\tThe city spent $40 million on the new bridge in 2021.\tNo\n"
        "3\tThank you all for coming tonight.\tYes\n",
        encoding="utf-8",
    )
    settings.FACTCHECK_DATASETS_DIR = tmp_path
    with pytest.raises(CommandError, match="CheckThat! 2024 dev f1"):
        call_command("evaluate_extraction", "--check", stdout=StringIO())


def test_the_release_row_that_runs_into_the_next_is_read_as_two(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text(
        "Sentence_id\tText\tclass_label\n"
        "24098\tWe've got to invest and grow.\tNo29286\tYou can't bring back jobs.\tNo\n"
        "7\tA tab-free sentence.\tYes\n",
        encoding="utf-8",
    )
    assert load_sentences(path) == [
        ("We've got to invest and grow.", False),
        ("You can't bring back jobs.", False),
        ("A tab-free sentence.", True),
    ]
