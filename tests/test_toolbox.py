"""The toolbox build step: a read-only cell filled with other chapters' solution code."""

from __future__ import annotations

import pytest

from course import notebooks

MASTER = '''# %% [markdown]
# # A chapter

# %%
import numpy as np


# %% solution="double"
@staticmethod
def double(x):
    """Twice x."""
    y = 1
    ### BEGIN SOLUTION
    y = 2 * x
    ### END SOLUTION
    return y


# %% test="test_double" points=1
"""Checks double."""
### BEGIN HIDDEN TESTS
assert double(2) == 4
### END HIDDEN TESTS


# %% solution="halve"
def halve(x):
    """Half of x."""
    ### BEGIN SOLUTION
    return x / 2
    ### END SOLUTION
'''

USER = '''# %% readonly="toolbox" pieces="01_demo:halve,double 02_more:triple"
# ruff: noqa: F821 (filled by the build)

# %%
print(double(halve(4)))
'''


@pytest.fixture
def source(tmp_path):
    (tmp_path / "01_demo").mkdir()
    (tmp_path / "01_demo" / "demo.py").write_text(MASTER)
    (tmp_path / "01_demo" / "demo_keras.py").write_text("def halve(x):\n    return 0\n")
    (tmp_path / "02_more").mkdir()
    (tmp_path / "02_more" / "more.py").write_text(
        'def triple(x):\n    """Three times x."""\n    ### BEGIN SOLUTION\n    return 3 * x\n'
        '    ### END SOLUTION\n')
    (tmp_path / "03_user").mkdir()
    (tmp_path / "03_user" / "user.py").write_text(USER)
    return tmp_path


def test_toolbox_source_takes_whole_definitions_without_markers(source):
    """Checks decorators, signature, docstring and the code around the solution region are
    kept, the markers dropped, the order is the one asked for, and the Keras master is ignored."""
    code = notebooks.toolbox_source("01_demo:halve,double 02_more:triple", source)
    assert "BEGIN" not in code and "END SOLUTION" not in code
    assert code.index("def halve") < code.index("def double") < code.index("def triple")
    assert "@staticmethod\ndef double(x):\n    \"\"\"Twice x.\"\"\"\n    y = 1\n    y = 2 * x\n" in code
    assert "# From 01_demo/demo.py: halve, double" in code
    assert "return 0" not in code  # not the Keras master's halve
    namespace = {}
    exec(code.replace("@staticmethod\n", ""), namespace)  # noqa: S102
    assert namespace["halve"](4) == 2 and namespace["triple"](2) == 6


def test_toolbox_cell_is_filled_by_the_build(source):
    """Checks the built notebook's toolbox cell holds the code (and no trace of `pieces`)."""
    nb = notebooks.build_notebook(source / "03_user" / "user.py")
    cell = nb.cells[0]
    assert cell.metadata["nbgrader"]["grade_id"] == "toolbox" and "pieces" not in cell.metadata
    assert cell.metadata["nbgrader"]["locked"] and not cell.metadata["nbgrader"]["grade"]
    assert "def triple(x):" in cell.source and "ruff" not in cell.source


@pytest.mark.parametrize("pieces, error", [
    ("01_demo:nowhere", "defines 'nowhere' 0 times"),
    ("09_missing:halve", "one graded master"),
    ("01_demo", "one graded master"),
])
def test_toolbox_names_what_is_wrong(source, pieces, error):
    """Checks a missing function or chapter stops the build with a message naming it."""
    with pytest.raises(ValueError, match=error):
        notebooks.toolbox_source(pieces, source)


def test_toolbox_refuses_hidden_tests_and_code_in_the_master(source):
    """Checks hidden tests never reach a toolbox, and code written in the master's toolbox
    cell (which the build would drop) stops the build."""
    (source / "01_demo" / "demo.py").write_text(MASTER.replace(
        "    return x / 2\n", "    ### BEGIN HIDDEN TESTS\n    return x / 2\n"))
    with pytest.raises(ValueError, match="hidden tests"):
        notebooks.toolbox_source("01_demo:halve", source)
    (source / "03_user" / "user.py").write_text(USER.replace("# ruff", "x = 1\n# ruff"))
    with pytest.raises(ValueError, match="comments only"):
        notebooks.build_notebook(source / "03_user" / "user.py")


def test_toolbox_pieces_match_their_chapters():
    """Checks every toolbox cell of the course equals the current solution code of its
    chapters (the committed notebooks are fresh builds; this names the cell when not)."""
    import jupytext

    for master in notebooks.masters():
        for cell in jupytext.read(master, fmt="py:percent").cells:
            if "pieces" in cell.metadata:
                built = {c.id: c.source for c in notebooks.build_notebook(master).cells}
                expected = notebooks.toolbox_source(cell.metadata["pieces"])
                assert built[cell.metadata["readonly"]] == expected, master
