from django.core.management.base import BaseCommand, CommandError

from claims.eval import evaluate
from claims.eval.checkworthiness import evaluate_checkthat
from claims.eval.datasets import ABSENT
from claims.eval.polnear import evaluate_polnear

# What the extraction must reach on the labelled set (tests/claims/test_extraction.py asserts it too).
TARGETS = {"precision": 0.8, "recall": 0.9, "claimant_accuracy": 0.8}
# What it must keep on the public dev set (tests/claims/test_public_data.py asserts it too): the issue's
# targets are F1 0.80 and 0.85 on CheckThat! test sets kept elsewhere; dev is easier (its n-gram
# baseline scores 0.85), so a model falling under these figures has regressed.
PUBLIC_TARGETS = {"f1": 0.85, "precision": 0.8, "recall": 0.8}
# Claimant accuracy on PolNeAR dev statements with a named source (tests/claims/test_claimants.py too).
POLNEAR_CLAIMANT_TARGET = 0.78


class Command(BaseCommand):
    help = (
        "Score claim extraction against the labelled set (claims/eval/ and the seed article): precision and "
        "recall of check-worthy sentences and accuracy of claimant attribution, per text and overall; then "
        "against the public labelled data when present (../shared/datasets or FACTCHECK_DATASETS_DIR)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--details", action="store_true", help="List missed claims, false alarms and wrong claimants."
        )
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error when an overall figure is below its target."
        )

    def handle(self, *args, details, check, **options):
        below = self.own_texts(details)
        below += self.public_data()
        below += self.write_polnear()
        if below and check:
            raise CommandError(f"Below target: {', '.join(below)}.")

    def public_data(self):
        """CheckThat! 2024 dev: F1, precision and recall of the check-worthy class; what falls short."""
        self.stdout.write("")
        result = evaluate_checkthat("dev")
        if result is None:
            self.stdout.write(self.style.WARNING(f"Public labelled data skipped: {ABSENT}."))
            return []
        header = f"{'public data set':40} {'sentences':>9} {'positive':>8} {'F1':>6} {'precision':>9} {'recall':>6}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        self.stdout.write(
            f"{result.name:40} {result.sentences:>9} {result.positives:>8} {result.f1:>6.3f} "
            f"{result.precision:>9.3f} {result.recall:>6.3f}"
        )
        below = [
            f"{result.name} {name}"
            for name in ("f1", "precision", "recall")
            if getattr(result, name) < PUBLIC_TARGETS[name]
        ]
        summary = (
            f"{result.name}: F1 {result.f1:.3f} (precision {result.precision:.3f}, recall {result.recall:.3f}) of "
            "the check-worthy class, each sentence scored whole at the proposal threshold."
        )
        self.stdout.write(self.style.WARNING(summary) if below else self.style.SUCCESS(summary))
        return below

    def own_texts(self, details):
        """The project's labelled news texts, per text and overall; what falls short of its targets."""
        per_text, overall = evaluate()
        header = (
            f"{'text':40} {'proposed':>8} {'labelled':>8} {'precision':>9} {'recall':>6} {'claimant':>8} {'exact':>6}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for result in [*per_text, overall]:
            if result is overall:
                self.stdout.write("-" * len(header))
            self.stdout.write(
                f"{result.name[:40]:40} {result.proposed:>8} {result.labelled:>8} {result.precision:>9.2f} "
                f"{result.recall:>6.2f} {result.claimant_accuracy:>8.2f} {result.claimant_exact_accuracy:>6.2f}"
            )
            if details and result is not overall:
                for claim in result.misses:
                    self.stdout.write(f"    missed      {claim['quote'][:90]!r}")
                for candidate in result.false_alarms:
                    self.stdout.write(f"    not a claim {candidate.quote[:90]!r} ({candidate.check_worthiness})")
                for claim, claimant in result.wrong_claimants:
                    self.stdout.write(
                        f"    claimant    {claim['quote'][:60]!r}: {claimant or '(article)'!r}, "
                        f"labelled {claim['claimant'] or '(article)'!r}"
                    )
        self.stdout.write(
            "claimant: same speaker (one name's words contain the other's); exact: identical after lower-casing."
        )
        below = [name for name, target in TARGETS.items() if getattr(overall, name) < target]
        summary = (
            f"Overall: precision {overall.precision:.2f}, recall {overall.recall:.2f}, "
            f"claimants {overall.claimant_accuracy:.2f} over {len(per_text)} texts "
            f"and {overall.labelled} labelled claims."
        )
        self.stdout.write(self.style.WARNING(summary) if below else self.style.SUCCESS(summary))
        return below

    def write_polnear(self):
        """Claimant attribution on PolNeAR dev (claims/eval/polnear.py), when the datasets directory has it."""
        result = evaluate_polnear("dev")
        if result is None:
            self.stdout.write("PolNeAR dev: not found (set FACTCHECK_DATASETS_DIR); skipped.")
            return []
        self.stdout.write(
            f"PolNeAR dev claimants: accuracy {result.accuracy:.2f} on {result.covered} named-source statements "
            f"(coverage {result.coverage:.2f} of {result.named}); pronoun or fragment claimants "
            f"{result.bad_claimant_share:.3f} of {result.claimants}."
        )
        if result.accuracy < POLNEAR_CLAIMANT_TARGET:
            return ["PolNeAR dev claimant accuracy"]
        return []
