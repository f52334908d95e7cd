"""Trusted judging: the learner's kernel computes, the grader judges.

During `nbgrader autograde`, `JudgedExecute` (nbgrader's Execute, configured in
nbgrader_config.py) runs the learner's cells in the learner's kernel as usual, but runs
every grade cell here, in nbgrader's own process, which learner code cannot reach:

* The grade cell's code (visible and hidden tests) and the course's read-only cells (the
  chapter's checkers) and imports run in a namespace of this process. The hidden tests and
  the expected values never exist in the learner's kernel.
* A name the course did not define (a learner's function, a value the notebook computed) is
  looked up in the kernel. A function becomes a `LearnerFunction`: calling it sends the
  arguments to the kernel, runs the learner's function there (`kernel_side.call`) and brings
  back plain data only (`plain`: numbers, strings, lists, tuples, dicts, numeric arrays),
  plus what the call did to its arguments and to numpy's global generator, which are
  mirrored here so the kit's `call()` checks them as in the kernel.
* The grade cell's outputs (its prints, its error and message) are written by this process;
  nbgrader scores them as usual. Nothing a learner does in the kernel (IPython hooks,
  patched modules, frames, printing, exceptions) reaches the verdict.

Chapter authors write checks with the kit as before; in the learner's own kernel (Validate,
running the notebook) the same cells run there, as always.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import inspect
import io
import json
import traceback
from pathlib import Path

import nbformat
import numpy as np
from nbgrader.preprocessors import Execute
from traitlets import Bool

from . import plain, turns
from .kernel_side import MIME
from .precheck import parse_cell

KERNEL_MODULE = "course.grader.kernel_side"
_BUILTIN_ERRORS = {name: obj for name, obj in vars(builtins).items()
                   if isinstance(obj, type) and issubclass(obj, BaseException)}


class JudgeTimeout(Exception):
    """The learner's function ran past the per-cell time limit."""


def _rebuild_error(info: dict) -> BaseException:
    """The learner's exception, rebuilt from its name and plain arguments, so the kit's
    messages ("KeyError 'W0': layers are numbered from 1") work as in the kernel."""
    name, message = str(info.get("type", "Exception")), str(info.get("message", ""))
    try:
        args = plain.decode(info.get("args"))
        args = args if isinstance(args, tuple) else (message,)
    except plain.NotPlainData:
        args = (message,)
    if name in _BUILTIN_ERRORS and name not in ("SystemExit", "KeyboardInterrupt",
                                                 "GeneratorExit"):
        err = _BUILTIN_ERRORS[name].__new__(_BUILTIN_ERRORS[name])
        err.args = args
        return err
    base: type = Exception
    if name == "UFuncTypeError" or "Casting" in name:
        base = getattr(np, "exceptions", np).__dict__.get("UFuncTypeError", TypeError)
    cls = type(name, (base,), {"__str__": lambda self: message, "__module__": "learner"})
    err = cls.__new__(cls)
    err.args = (message,)
    return err


def _mirror(original, post: dict | None) -> None:
    """Make a judge-side argument show what the learner's call did to the kernel's copy."""
    if post is None:
        return
    if isinstance(original, np.random.Generator) and "rng_state" in post:
        try:
            original.bit_generator.state = plain.decode(post["rng_state"])
        except (plain.NotPlainData, TypeError, ValueError):
            pass
        return
    if "value" not in post:
        return
    try:
        _assign(original, plain.decode(post["value"]))
    except plain.NotPlainData:
        pass


def _assign(original, new) -> None:
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            if not np.array_equal(original, new, equal_nan=original.dtype.kind in "fc"):
                original[...] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        for key in list(original):
            if key not in new:
                del original[key]
        for key, value in new.items():
            if key in original and isinstance(original[key], np.ndarray | dict | list):
                before = original[key]
                _assign(before, value)
                if isinstance(before, np.ndarray) and (not isinstance(value, np.ndarray)
                                                       or before.shape != value.shape):
                    original[key] = value
            else:
                original[key] = value
    elif isinstance(original, list) and isinstance(new, list):
        if len(original) == len(new):
            for i, value in enumerate(new):
                if isinstance(original[i], np.ndarray | dict | list):
                    _assign(original[i], value)
                else:
                    original[i] = value
        else:
            original[:] = new


class LearnerFunction:
    """A learner's function seen from the grader: calls run in the learner's kernel."""

    def __init__(self, judge: JudgedExecute, name: str, shown: str, params: list | None):
        self._judge, self._name = judge, name
        self.__name__ = self.__qualname__ = shown
        if params is not None:
            try:
                self.__signature__ = inspect.Signature([
                    inspect.Parameter(p, inspect._ParameterKind(kind),
                                      default=... if has_default else inspect.Parameter.empty)
                    for p, kind, has_default in params])
            except (ValueError, TypeError):
                pass

    def __reduce__(self):  # passed to another learner function: the kernel's own object
        from . import kernel_side

        return kernel_side.learner_function, (self._name,)

    def __repr__(self):
        return f"<the learner's {self.__name__}>"

    def __call__(self, *args, **kwargs):
        import cloudpickle

        payload = base64.b64encode(cloudpickle.dumps((args, kwargs))).decode()
        reply = self._judge.kernel_call(
            f"__import__({KERNEL_MODULE!r}, fromlist=['call']).call({self._name!r}, "
            f"{payload!r})")
        for original, post in zip(args, reply.get("args") or []):
            _mirror(original, post)
        for key, post in (reply.get("kwargs") or {}).items():
            if key in kwargs:
                _mirror(kwargs[key], post)
        if reply.get("rng_used"):
            np.random.random()  # mirror the side effect: the kit's call() checks for it
        if "error" in reply:
            raise _rebuild_error(reply["error"])
        if "unsupported" in reply:
            raise TypeError(f"{self.__name__} returned {reply['unsupported']}: the grader "
                            "accepts numbers, strings, arrays, lists, tuples and dicts")
        return plain.decode(reply["result"])


class JudgeNamespace(dict):
    """The grade cells' globals: the course's names, and the kernel's on demand."""

    def __init__(self, judge: JudgedExecute):
        super().__init__()
        self._judge = judge

    def __missing__(self, key):
        if key in vars(builtins) or key.startswith("__"):
            raise KeyError(key)
        value = self._judge.fetch(key)
        if isinstance(value, LearnerFunction):
            self[key] = value
        return value


def _trusted_code(source_nb) -> list[str]:
    """The course's own code to run in the judge before any grade cell: the imports of every
    course cell, and the read-only cells (checkers, fixtures) whole."""
    import ast

    chunks = []
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("solution"):
            continue
        if meta.get("locked"):
            chunks.append(cell.source)
            continue
        tree = parse_cell(cell.source)
        if tree is None:
            continue
        chunks += [ast.get_source_segment(cell.source, node) for node in tree.body
                   if isinstance(node, ast.Import | ast.ImportFrom)]
    return chunks


class JudgedExecute(Execute):
    """nbgrader's Execute with grade cells judged in this process (see the module)."""

    judge = Bool(True, help="Run grade cells in the grader, not in the learner's kernel"
                 ).tag(config=True)

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs):
        """nbclient's kernel, then the driver's turn (`turns`): a learner's autograde started
        ahead of need waits here with its kernel up; once the cells have run and the kernel
        is stopped, the turn goes to the next learner while nbgrader writes the results."""
        turned = False
        try:
            with super().setup_kernel(**kwargs):
                turns.wait_for_turn()
                turned = True
                yield
        finally:  # the kernel is stopped (or dead): its turn is over, whatever happened
            if turned:
                turns.turn_over()

    def preprocess(self, nb, resources=None, km=None):
        self._namespace = None
        self._resources = resources or {}
        return super().preprocess(nb, resources, km)

    # ------------------------------------------------------------------ the kernel side

    def kernel_call(self, code: str) -> dict:
        """Run `code` in the learner's kernel; the one reply it displayed, as a dict. Other
        outputs (the learner's prints) go to the grade cell being judged."""
        cell = nbformat.v4.new_code_cell(code)
        try:
            self.execute_cell(cell, self._cell_index, store_history=False)
        finally:  # nbclient stores the cell it ran at that index: put the grade cell back
            self.nb.cells[self._cell_index] = self._judged_cell
        replies = []
        for out in cell.outputs:
            data = out.get("data", {}) if out.get("output_type") == "display_data" else {}
            if MIME in data:
                replies.append(data[MIME])
            elif out.get("output_type") == "error":
                if out.get("ename") == "CellTimeoutError":
                    raise JudgeTimeout("the function ran past the per-cell time limit and "
                                       "was interrupted")
                raise RuntimeError(f"the learner's kernel failed to run the call: "
                                   f"{out.get('ename')}: {out.get('evalue')}")
            else:
                self._forwarded.append(out)
        if len(replies) != 1:
            raise RuntimeError("the learner's kernel did not answer the grader's call "
                               f"({len(replies)} answers)")
        try:
            reply = json.loads(replies[0])
        except (TypeError, ValueError) as err:
            raise RuntimeError("the learner's kernel answered with something that is not "
                               "JSON") from err
        if not isinstance(reply, dict):
            raise RuntimeError("the learner's kernel answered with something that is not a dict")
        return reply

    def fetch(self, name: str):
        reply = self.kernel_call(
            f"__import__({KERNEL_MODULE!r}, fromlist=['describe']).describe({name!r})")
        if reply.get("missing"):
            raise KeyError(name)
        if reply.get("callable"):
            return LearnerFunction(self, name, str(reply.get("name") or name),
                                   reply.get("params"))
        if "unsupported" in reply:
            raise NameError(f"{name} is {reply['unsupported']} in your notebook; the grader "
                            "reads only numbers, strings, arrays, lists, tuples and dicts")
        return plain.decode(reply.get("value"))

    # ------------------------------------------------------------------ the judge side

    def _source_notebook(self):
        info = self._resources.get("nbgrader", {})
        path = Path.cwd() / "source" / str(info.get("assignment", "")) / \
            f"{info.get('notebook', '')}.ipynb"
        return nbformat.read(path, as_version=4)

    def _judge_namespace(self) -> JudgeNamespace:
        if self._namespace is None:
            ns = JudgeNamespace(self)
            ns["__name__"] = "__main__"
            ns["__builtins__"] = builtins
            for chunk in _trusted_code(self._source_notebook()):
                with contextlib.redirect_stdout(io.StringIO()), \
                        contextlib.redirect_stderr(io.StringIO()):
                    exec(compile(chunk, "<course cell>", "exec"), ns)  # noqa: S102 (course code)
            self._namespace = ns
        return self._namespace

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if not (self.judge and cell.cell_type == "code" and meta.get("grade")):
            return super().preprocess_cell(cell, resources, index)
        self._cell_index, self._judged_cell, self._forwarded = index, cell, []
        cell.outputs = []
        stdout, stderr = io.StringIO(), io.StringIO()
        error = None
        try:
            ns = self._judge_namespace()
            code = compile(cell.source, f"<grade cell {meta.get('grade_id')}>", "exec")
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                exec(code, ns)  # noqa: S102 (the course's test code)
        except JudgeTimeout as err:
            error = nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=str(err),
                                           traceback=[f"CellTimeoutError: {err}"])
        except Exception as err:  # the verdict: this grade cell fails with this message
            lines = traceback.format_exception_only(type(err), err)
            frames = [f for f in traceback.extract_tb(err.__traceback__)
                      if f.filename.startswith("<grade cell")]
            shown = traceback.format_list(frames) + lines
            error = nbformat.v4.new_output("error", ename=type(err).__name__,
                                           evalue=str(err), traceback=shown)
        outputs = list(self._forwarded)
        if stdout.getvalue():
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=stdout.getvalue()))
        if stderr.getvalue():
            outputs.append(nbformat.v4.new_output("stream", name="stderr", text=stderr.getvalue()))
        if error is not None:
            outputs.append(error)
        cell.outputs = outputs
        return cell, resources
