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


class ShortenPaths(NbGraderPreprocessor):
    """Feedback: tracebacks name `course/testing.py`, not the grading machine's folders.

    The grader's absolute paths (the checkout, the virtual environment, the sandbox's scratch
    folder) teach a learner nothing and tell anyone who reads the feedback how the grading
    machine is laid out."""

    def _replacements(self) -> list[tuple[str, str]]:
        import sys
        import sysconfig
        from pathlib import Path

        import course

        pairs = [(str(Path(course.__file__).resolve().parent.parent) + "/", ""),
                 (sysconfig.get_paths()["purelib"] + "/", "site-packages/"),
                 (sys.prefix + "/", "python/"), (sys.base_prefix + "/", "python/")]
        return sorted(set(pairs), key=lambda p: -len(p[0]))

    def preprocess(self, nb, resources):
        import re

        self._pairs = self._replacements()
        self._scratch = re.compile(r"/[^\s'\"]*optdl-sandbox-[^/\s]+/kernel-[^/\s]+/")
        return super().preprocess(nb, resources)

    def _shorten(self, text: str) -> str:
        for old, new in self._pairs:
            text = text.replace(old, new)
        return self._scratch.sub("", text)

    def preprocess_cell(self, cell, resources, cell_index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output.traceback = [self._shorten(line) for line in output.get("traceback", [])]
                output.evalue = self._shorten(output.get("evalue", ""))
            elif output.get("output_type") == "stream":
                output.text = self._shorten(output.get("text", ""))
        return cell, resources


class MathToMathML(NbGraderPreprocessor):
    """Feedback: formulas in Markdown cells become MathML, which browsers draw without
    MathJax. nbconvert's HTML loads MathJax from a CDN, so offline (or behind a firewall)
    a learner would see raw `$...$`; MathML needs no network. A formula latex2mathml cannot
    read is left as it was (MathJax still renders it when online)."""

    _code = None

    def preprocess(self, nb, resources):
        import re

        # Fenced code blocks and inline code spans are never formulas.
        self._code = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
        self._display = re.compile(r"\$\$(.+?)\$\$", re.S)
        self._inline = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)")
        return super().preprocess(nb, resources)

    @staticmethod
    def _mathml(latex: str, display: bool, original: str) -> str:
        from latex2mathml.converter import convert

        try:
            return convert(latex.strip(), display="block" if display else "inline")
        except Exception:  # an unsupported macro: keep the TeX
            return original

    def _convert(self, text: str) -> str:
        text = self._display.sub(lambda m: "\n\n" + self._mathml(m.group(1), True, m.group(0))
                                 + "\n\n", text)
        return self._inline.sub(lambda m: self._mathml(m.group(1), False, m.group(0)), text)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            parts = self._code.split(cell.source)
            cell.source = "".join(p if i % 2 else self._convert(p) for i, p in enumerate(parts))
        return cell, resources


class RemoveHiddenTestText(NbGraderPreprocessor):
    """Feedback: no line of a hidden test's source in any output of any cell.

    A learner's function can read the source of the grade cell that calls it (`linecache`,
    the frame's code, IPython's input history) and print it, in the grade cell or in a cell
    the learner added after it: the hidden tests would then reach the learner's feedback.
    Every output line (stream text, text and HTML results, error messages and tracebacks,
    colour codes and HTML escapes ignored) that contains a line of any hidden test in the
    notebook (a line with a letter or digit) is replaced by `replacement`. Runs before
    `ClearHiddenTests`, which it needs to see the hidden regions.
    """

    begin = "BEGIN HIDDEN TESTS"
    end = "END HIDDEN TESTS"
    replacement = "[line removed: it quotes a hidden test]"

    def hidden_lines(self, nb) -> set[str]:
        lines = set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            inside = False
            for line in cell.source.splitlines():
                if self.begin in line:
                    inside = True
                elif self.end in line:
                    inside = False
                elif inside and any(ch.isalnum() for ch in line):
                    lines.add(line.strip())
        return lines

    def preprocess(self, nb, resources):
        import re

        hidden = self.hidden_lines(nb)
        if not hidden:
            return nb, resources
        pattern = re.compile("|".join(re.escape(h) for h in sorted(hidden, key=len, reverse=True)))
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                self._clean_output(out, pattern)
        return nb, resources

    def _clean_output(self, out, pattern) -> None:
        if "text" in out:
            out.text = self._clean(out.text, pattern)
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                if isinstance(value, str):
                    out.data[mime] = self._clean(value, pattern)
                elif isinstance(value, list):
                    out.data[mime] = [self._clean(v, pattern) if isinstance(v, str) else v
                                      for v in value]
                else:  # JSON data: cleaned as its text
                    import json

                    text = json.dumps(value)
                    if pattern.search(self._plain(text)):
                        out.data[mime] = {"removed": self.replacement}
        if out.get("output_type") == "error":
            out.ename = self._clean(str(out.get("ename", "")), pattern)
            out.evalue = self._clean(str(out.get("evalue", "")), pattern)
            out.traceback = [self._clean(t, pattern) for t in out.get("traceback", [])]

    @staticmethod
    def _plain(line: str) -> str:
        import html
        import re

        text = html.unescape(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|<[^>]*>", "", line))
        # A repr of the source (a list of history entries) escapes quotes and backslashes.
        return text.replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")

    def _clean(self, text: str, pattern) -> str:
        lines = text.splitlines(keepends=True)
        out = []
        for line in lines:
            if pattern.search(line) or pattern.search(self._plain(line)):
                end = "\n" if line.endswith("\n") else ""
                if not out or out[-1].rstrip("\n") != self.replacement:
                    out.append(self.replacement + end)
            else:
                out.append(line)
        return "".join(out)
