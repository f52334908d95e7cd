"""Learners' commands of `python -m course`: workspace, check, solutions."""

from __future__ import annotations

import argparse


def _workspace(args) -> int:
    from . import workspace

    return workspace.main(args)


def _check(args) -> int:
    from . import selfcheck

    return selfcheck.main(args)


def _solutions(args) -> int:
    from . import solutions

    return solutions.main(args)


def add_parsers(sub) -> None:
    p = sub.add_parser("workspace", help="learners: set up or update workspace/ (your copies of "
                                         "the assignments) and open JupyterLab on it")
    p.add_argument("--no-browser", action="store_true", help="start the server, open no browser")
    p.add_argument("--port", type=int, default=None, help="server port (default: 8888 or next)")
    p.add_argument("--setup-only", action="store_true",
                   help="set up or update workspace/, start nothing")
    p.add_argument("--dir", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_workspace)

    p = sub.add_parser("check", help="learners: grade your notebook in a fresh sandboxed kernel "
                                     "(visible tests; --full: hidden tests too) and print a table")
    p.add_argument("target", help="a chapter (01_minibatch, or 01): your copy in workspace/; "
                                  "or a notebook's path")
    p.add_argument("--full", action="store_true",
                   help="also run the hidden tests, as autograding does; write feedback HTML")
    p.add_argument("--feedback-dir", default=None,
                   help="where --full writes feedback HTML (default: workspace/feedback/)")
    p.set_defaults(func=_check)

    p = sub.add_parser("solutions", help="worked solutions: executed reference notebooks "
                                         "without hidden tests, written to solutions/")
    p.add_argument("assignments", nargs="*", help="chapters (01_minibatch, or 01); default: all")
    p.add_argument("--output", default=None, help="default: solutions/")
    p.set_defaults(func=_solutions)

