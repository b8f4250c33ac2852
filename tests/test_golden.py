"""The example's build against the golden output tree (tests/golden/, `python -m tests.golden`)."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.golden import build_example, golden_tree, readable_tree


def test_the_example_builds_to_the_golden_output_tree(tmp_path: Path) -> None:
    assert build_example(tmp_path / "output") == 0
    built, golden = readable_tree(tmp_path / "output"), golden_tree()

    assert sorted(built) == sorted(golden), "files differ; regenerate with python -m tests.golden"
    for name, text in golden.items():
        diff = "".join(difflib.unified_diff(text.splitlines(True), built[name].splitlines(True),
                                            f"golden/{name}", f"built/{name}"))
        assert not diff, diff
