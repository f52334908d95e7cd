"""Project-level checks: the two install paths agree, the README's commands are the real ones."""

import re
import tomllib

from conftest import ROOT


def _name(requirement: str) -> str:
    """'tensorflow[and-cuda]>=2.16' -> 'tensorflow'; '-e .' -> ''."""
    return re.split(r"[\[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_yml_packages() -> set[str]:
    import yaml

    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    names = {_name(d) for d in deps if isinstance(d, str)}
    for d in deps:
        if isinstance(d, dict):
            names |= {_name(x) for x in d["pip"] if not x.startswith("-")}
    return names - {"python", "pip"}


def test_environment_yml_matches_pyproject():
    """Checks environment.yml lists exactly the packages pip installs (TensorFlow counted once)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    pip_names |= {_name(r) for r in extras["dev"]}
    pip_names |= {"tensorflow"}  # tf-cpu / tf-gpu extras are two builds of one package
    assert {_name(r) for r in extras["tf-cpu"]} == {"tensorflow-cpu"}
    assert {_name(r) for r in extras["tf-gpu"]} == {"tensorflow"}
    conda = _environment_yml_packages()
    assert conda == pip_names, (
        f"only in environment.yml: {sorted(conda - pip_names)}; "
        f"only in pyproject.toml: {sorted(pip_names - conda)}")


def test_ci_runs_the_readme_test_command():
    """Checks .ci/run calls `make test` and the README documents the same two commands."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", ci, re.M)
    readme = (ROOT / "README.md").read_text()
    assert "make grade" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: setup$", makefile, re.M) and re.search(r"^grade: setup$", makefile, re.M)


def test_release_never_receives_masters():
    """Checks nbgrader is told to skip the .py masters (they hold the solutions)."""
    config = (ROOT / "nbgrader_config.py").read_text()
    assert '"*.py"' in config
    assert not list((ROOT / "release").rglob("*.py"))


def test_glossary_lists_every_korean_term():
    """Checks each Korean term a chapter introduces in parentheses appears in docs/glossary.md."""
    hangul = re.compile(r"\(([^()]*[\uac00-\ud7a3][^()]*)\)")
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    missing = set()
    for master in (ROOT / "source").glob("*/*.py"):
        for term in hangul.findall(master.read_text()):
            korean = term.split(",")[0].strip()
            if korean not in glossary:
                missing.add(f"{korean} ({master.parent.name})")
    assert not missing, f"add to docs/glossary.md: {sorted(missing)}"


def test_autograded_folder_is_kept_and_its_contents_ignored():
    """Checks autograded/ is in the repository (its README) and learners' graded work never is."""
    import subprocess

    assert (ROOT / "autograded" / "README.md").exists()
    ignored = subprocess.run(["git", "check-ignore", "-q", "autograded/ann/01_minibatch/x.ipynb"],
                             cwd=ROOT, capture_output=True)
    kept = subprocess.run(["git", "check-ignore", "-q", "autograded/README.md"], cwd=ROOT,
                          capture_output=True)
    assert ignored.returncode == 0 and kept.returncode == 1
