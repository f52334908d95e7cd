"""Work done once in the warm nbgrader (`nbgrader_cli.WarmNbgrader`'s fork server) so that
every run forked from it inherits the result instead of redoing it.

Imported last of `nbgrader_cli.PRELOAD`. Rendering one small feedback page compiles what a
first page builds and every later one reuses: the regular expressions of Pygments, the
Markdown parser and latex2mathml, BeautifulSoup's entity tables, nbformat's JSON-schema
validator. Stock `nbgrader generate_feedback` pays for them once per class; a learner's
feedback forked from here did pay for them per learner (about 0.4 s of CPU of 0.8 s on a
2-core machine, benchmarks/grading.md).

Then `gc.freeze()`: everything the fork server holds (nbgrader, nbconvert, numpy, ...)
moves to the permanent generation, so a forked run's garbage collections skip the inherited
heap instead of walking all of it (and copying its pages): about 0.2 s of CPU less per
feedback page, and as much per autograde.

A failure here only costs that time: nothing is raised (the fork server must start).
"""

from __future__ import annotations

import gc


def _sample_notebook():
    """A notebook with what feedback pages show: Markdown with formulas, code, a printed
    line, a traceback in colour, a figure."""
    import nbformat

    v4 = nbformat.v4
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
           "RU5ErkJggg==")
    code = v4.new_code_cell("def f(x):\n    return x ** 2  # square\n\nprint(f(3))")
    code.outputs = [v4.new_output("stream", name="stdout", text="9\n"),
                    v4.new_output("display_data", data={"image/png": png, "text/plain": "<F>"}),
                    v4.new_output("error", ename="AssertionError", evalue="wrong",
                                  traceback=["\x1b[0;31mAssertionError\x1b[0m: wrong"])]
    code.metadata["nbgrader"] = {"grade": True, "grade_id": "t", "points": 1, "solution": False,
                                 "locked": True, "schema_version": 3, "score": 0.0,
                                 "comment": "a *comment*"}
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Title\n\nThe update $v = \\beta v + (1-\\beta) g$ and\n"
                             "$$\\hat{s} = \\frac{s}{1-\\beta_2^t}$$\n\n| a | b |\n|---|---|\n"
                             "| 1 | 2 |\n\n* **bold** `code` [link](https://example.org)"),
        code])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


def warm_feedback() -> None:
    """Validate and render one feedback page, as `nbgrader generate_feedback` does."""
    import os

    import nbformat
    import nbgrader.converters.generate_feedback as gf
    from nbconvert.exporters import HTMLExporter
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from traitlets.config import Config

    from .preprocessors import MathToMathML

    nb = _sample_notebook()
    nbformat.validate(nb)
    nbformat.reads(nbformat.writes(nb), as_version=4)
    formgrader = os.path.join(os.path.dirname(gf.__file__), "..", "server_extensions",
                              "formgrader")
    config = Config()  # as GenerateFeedback.__init__ configures its exporter
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [os.path.abspath(f"{formgrader}/templates")]
    config.HTMLExporter.extra_template_paths = [os.path.abspath(
        f"{formgrader}/static/node_modules/bootstrap/dist/css")]
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(CSSHTMLHeaderPreprocessor, enabled=True)
    resources = {"nbgrader": {"student": "x", "assignment": "a", "notebook": "n",
                              "score": 0, "max_score": 1, "late_penalty": 0}}
    nb, resources = MathToMathML().preprocess(nb, resources)
    exporter.from_notebook_node(nb, resources=resources)


try:
    warm_feedback()
except Exception:  # noqa: BLE001 (see the module: a cold start is slower, not wrong)
    pass
gc.collect()
gc.freeze()
