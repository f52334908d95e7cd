"""Command line of the course: `python -m course <command>` (see `--help`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ROOT


def _cmd_build(args) -> int:
    from . import notebooks

    stale = notebooks.build_all(check=args.check)
    for p in stale:
        print(("stale: " if args.check else "built: ") + str(p.relative_to(ROOT)))
    if args.check and stale:
        print("Run `python -m course build` and commit the notebooks.", file=sys.stderr)
        return 1
    return 0


def _cmd_run(args) -> int:
    """Execute notebooks and report each grade cell; exit 1 on any error."""
    from . import notebooks

    failed = False
    for path in args.notebooks:
        nb = notebooks.execute(Path(path), timeout=args.timeout)
        errors = notebooks.cell_errors(nb)
        for i, cell in enumerate(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("grade"):
                print(f"  {'FAIL' if i in errors else 'ok  '} {grade_id}"
                      + (f": {errors[i]}" if i in errors else ""))
            elif i in errors:
                print(f"  ERROR in cell {i} ({grade_id or 'not graded'}): {errors[i]}")
        failed |= bool(errors)
        print(f"{path}: {'errors' if errors else 'ran cleanly'}")
    return 1 if failed else 0


def _cmd_release(args) -> int:
    from . import notebooks
    from .grader import release

    course_dir = Path(args.course_dir)
    release(course_dir, args.assignments or notebooks.assignments(course_dir / "source"))
    return 0


def _cmd_grade(args) -> int:
    from .grader import Status, format_table, grade, write_reports
    from .grader.analytics import write_class_reports
    from .grader.reports import where_it_went

    course_dir = Path(args.course_dir)
    results = grade(course_dir, args.assignments or None, students=args.student or None,
                    workers=args.workers, db_url=args.db_url, force=args.force,
                    memory_limit=args.memory_limit, sandboxed=not args.no_sandbox,
                    scheduler=args.scheduler)
    csv_path = write_reports(course_dir, results)
    print()
    print(format_table(results))
    print(where_it_went(course_dir.resolve(), csv_path))
    for report in write_class_reports(course_dir, {r.assignment for r in results}):
        print(f"class report: {report.paths['html']}  (`python -m course report "
              f"{report.assignment}`)")
    errors = [r for r in results if r.status == Status.ERROR]
    if errors:
        print(f"\n{len(errors)} notebook(s) could not be graded (status error: an infrastructure "
              "problem, not the learner's; nothing was stored for them, so the next run "
              "retries them). See the logs named in results.csv.", file=sys.stderr)
        return 1
    unwritten = [r for r in results if r.feedback]
    if unwritten:
        print(f"\nFeedback was not written for {len(unwritten)} notebook(s) (an infrastructure "
              "problem; the grades are stored): see the `feedback` column of results.csv and "
              "the logs it names; the next run writes the missing pages.", file=sys.stderr)
        return 1
    return 0


def _cmd_demo(args) -> int:
    from .grader import demo

    return demo(Path(args.course_dir), args.assignments or None, workers=args.workers,
                        work_dir=Path(args.work_dir) if args.work_dir else None,
                        publish=not args.no_publish)


def _cmd_report(args) -> int:
    from .grader.analytics import summary, write_report

    print(summary(write_report(Path(args.course_dir), args.assignment)))
    return 0


def _cmd_bench(args) -> int:
    from . import bench

    return bench.main(args)


def _cmd_bench_grading(args) -> int:
    from .grader import bench

    return bench.main(args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build source/*/*.ipynb from their percent masters")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if any is stale")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("run", help="execute notebooks and list each grade cell's result")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--timeout", type=int, default=120)
    p.set_defaults(func=_cmd_run)

    for name, func, text in [
        ("release", _cmd_release, "regenerate release/ from source/ with nbgrader"),
        ("grade", _cmd_grade, "autograde submitted/; write feedback, results.csv and a summary"),
        ("demo", _cmd_demo, "the main job: release, build the simulated class, grade, report"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("assignments", nargs="*", help="default: every assignment in source/")
        p.add_argument("--course-dir", default=str(ROOT))
        if name != "release":
            p.add_argument("--workers", type=int, default=None,
                           help="parallel grading workers (default: CPU count)")
        if name == "demo":
            p.add_argument("--work-dir", default=None,
                           help="course directory for the simulated class (default: demo/)")
            p.add_argument("--no-publish", action="store_true",
                           help="do not copy the fresh release into release/")
        if name == "grade":
            p.add_argument("--student", action="append", help="grade only these learners")
            p.add_argument("--db-url", default=None,
                           help="gradebook URL, e.g. postgresql+psycopg2://grader@host/optdl "
                                "(default: $NBGRADER_DB_URL or gradebook.db); put the password "
                                "in ~/.pgpass, not in the URL")
            p.add_argument("--force", action="store_true",
                           help="regrade learners whose stored result is still valid")
            p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                           help="a Dask scheduler (tcp://host:8786): one task per learner on "
                                "its workers (see docs/grading.md)")
            p.add_argument("--memory-limit", default=None,
                           help="address-space limit per grading kernel (default 4G)")
            p.add_argument("--no-sandbox", action="store_true",
                           help="run kernels without course.grader.sandbox (limits, isolation)")
        p.set_defaults(func=func)

    p = sub.add_parser("report", help="the class report of a graded assignment: score "
                                      "histogram, statuses, pass rate per grade cell, mistakes "
                                      "by diagnosis; writes reports/<assignment>/")
    p.add_argument("assignment")
    p.add_argument("--course-dir", default=str(ROOT))
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("bench-grading",
                       help="submissions per minute: stock nbgrader vs the driver with 1 and N "
                            "workers; time lost per hostile submission; writes "
                            "benchmarks/grading.md")
    p.add_argument("--learners", type=int, default=12, help="correct learners in the class")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--repeat", type=int, default=3,
                   help="rounds of every grader, taking turns (speed-ups are per round)")
    p.add_argument("--output", default=str(ROOT / "benchmarks" / "grading.md"))
    p.set_defaults(func=_cmd_bench_grading)

    p = sub.add_parser("bench", help="time notebooks and grading; write benchmarks/RESULTS.md")
    p.add_argument("--repeat", type=int, default=1)
    p.set_defaults(func=_cmd_bench)

    from .learners import add_parsers  # workspace, check, solutions

    add_parsers(sub)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
