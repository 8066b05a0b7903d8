from django.core.management.base import BaseCommand, CommandError

from claims import matching
from claims.eval.datasets import ABSENT
from claims.eval.matching import PRECISION_TARGET, evaluate_matching


class Command(BaseCommand):
    help = (
        "Measure match suggestions (recurring claims) on labelled sentence pairs: precision and recall at the "
        "suggestion threshold on claims/eval/pairs/paraphrases.json, then on CheckThat! sentences that recur across US "
        "debates when the public data are present (../shared/datasets or FACTCHECK_DATASETS_DIR); each beside "
        "trigram similarity alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=f"Exit with an error when the precision of suggestions falls below {PRECISION_TARGET}.",
        )

    def handle(self, *args, check, **options):
        results = evaluate_matching()
        header = f"{'pairs':48} {'pairs':>5} {'same':>5} {'suggested':>9} {'precision':>9} {'recall':>6}"
        self.stdout.write(f"Threshold {matching.THRESHOLD}")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for result in results:
            self.stdout.write(
                f"{result.name:48} {result.pairs:>5} {result.same:>5} {result.suggested:>9} "
                f"{result.precision:>9.3f} {result.recall:>6.3f}"
            )
        if not any(result.name.startswith("CheckThat!") for result in results):
            self.stdout.write(self.style.WARNING(f"Public labelled data skipped: {ABSENT}."))
        below = [
            result.name
            for result in results
            if "trigram alone" not in result.name and result.precision < PRECISION_TARGET
        ]
        if below and check:
            raise CommandError(f"Precision below {PRECISION_TARGET}: {', '.join(below)}.")
