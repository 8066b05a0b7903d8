"""The layers hold: the import contracts in ``.importlinter`` are kept, and no module imports itself back.

grimp (import-linter's graph) reads every import statement, those inside functions included, so an
import moved into a function to dodge a cycle still counts.
"""

from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("factcheck", "claims", "reviews")


def test_the_import_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    assert exit_code == 0, capsys.readouterr().out


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = {}
    for module in sorted(graph.modules):
        # The modules it imports (directly or not) that import it in turn: its import cycle, if any.
        both_ways = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if both_ways:
            cycles[module] = sorted(both_ways)
    assert cycles == {}
