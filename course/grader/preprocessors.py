"""nbgrader preprocessors of the course, listed in nbgrader_config.py."""

from __future__ import annotations

from nbgrader.preprocessors import DeduplicateIds as _DeduplicateIds
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.preprocessors import OverwriteCells as _OverwriteCells
from traitlets import Integer


class LimitOutputSize(NbGraderPreprocessor):
    """Cut each code cell's text outputs to `max_chars` characters in total.

    nbgrader's LimitOutput counts lines only: a single 100 MB line (`print("x" * 10**8)`)
    passes it and lands in the autograded notebook, the feedback and the gradebook's cache.
    """

    max_chars = Integer(100_000, help="characters of output kept per cell (-1: no limit)"
                        ).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or self.max_chars < 0:
            return cell, resources
        budget = self.max_chars
        for out in cell.outputs:
            if out.output_type == "stream":
                text = out.text
            elif out.output_type in ("execute_result", "display_data"):
                text = out.get("data", {}).get("text/plain", "")
            else:
                continue
            if len(text) > budget:
                cut = (text[:budget] + f"\n... output truncated: {len(text):,} characters in "
                       "all ...\n")
                if out.output_type == "stream":
                    out.text = cut
                else:
                    out.data["text/plain"] = cut
            budget = max(budget - len(text), 0)
        return cell, resources


class DeduplicateIds(_DeduplicateIds):
    """nbgrader's DeduplicateIds, minus a crash: it empties the metadata of a copied grade cell
    (`nbgrader: {}`), and OverwriteCells.add_missing_cells then fails on the missing grade_id
    (KeyError), so a learner who copy-pasted a test cell could not be graded at all. Here the
    copy loses its nbgrader metadata entirely: it runs as an ordinary cell and scores nothing.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class OverwriteCells(_OverwriteCells):
    """nbgrader's OverwriteCells, minus a crash: to put back a deleted test cell it looks up the
    source cell just before it among the submitted grade and solution cells only, so a test
    cell that follows a read-only cell (a chapter's checker cell) raised KeyError and the
    learner could not be graded. Here the restored cell goes after the nearest earlier source
    cell still in the notebook, whatever its kind (or first, when there is none)."""

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_cells = source_nb.source_cells
        source_ids = [cell.name for cell in source_cells]
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        for grade_id, grade_cell in {c.name: c for c in source_nb.grade_cells}.items():
            present = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
            if grade_id in present:
                continue
            self.log.warning(f"Missing grade cell {grade_id} encountered, adding to notebook")
            index = source_ids.index(grade_id)
            cell = self.missing_cell_transform(source_cells[index], grade_cell.max_score,
                                               is_solution=grade_id in solution_ids)
            position = next((present.index(prev) + 1 for prev in reversed(source_ids[:index])
                             if prev in present), 0)
            nb.cells.insert(position, cell)
        return nb, resources


class HideHiddenTestTracebacks(NbGraderPreprocessor):
    """Feedback: a failing cell with hidden tests shows its error message, not its traceback.

    `ClearHiddenTests` empties the cell's source, but IPython's traceback quotes the lines
    around the failing one, hidden tests included. The message (`AssertionError: v_corrected
    equals v: bias correction missing?`) is what teaches; it stays. Runs before
    `ClearHiddenTests`, which it needs to see the hidden region.
    """

    delimiter = "BEGIN HIDDEN TESTS"

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and self.delimiter in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
