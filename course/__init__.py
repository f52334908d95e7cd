"""Helpers shared by the notebooks of *Optimization for Deep Learning*.

Learners import data loaders (`course.data`), a small numpy network (`course.nn`), plots
(`course.plots`) and test helpers (`course.testing`). Instructors use the command line
(`python -m course --help`). Nothing here is the answer to a graded exercise.
"""

from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parent.parent
