"""Build what students get: build/student-release/vit-from-scratch/ and a zip of it.

The bundle holds the released notebooks, the student-side helper package ``vitlab`` whole (its
public checks, the harness, the figures; the hidden cases and instructor-only oracles live in the
top-level ``instructor`` package, which is never copied), the environment files, the student
Makefile, the README's student part with its screenshots and glossary (docs/) and ``make lab``'s JupyterLab
configuration (.jupyter-student/). It never holds solutions, hidden cases, instructor oracles or
the grader; the build fails if any of their text slipped in.
"""

from __future__ import annotations

import re
import shutil
import sys
import zipfile
from pathlib import Path

from grader import course
from grader.release.notebooks import check_all

NAME = "vit-from-scratch"
BUILD = course.ROOT / "build" / "student-release"
INSTRUCTOR_ONLY: tuple[str, ...] = ()  # vitlab subpackages that stay in the instructor repository (none)
#: `make lab`'s JupyterLab configuration; nbgrader_config.json gives Validate its cell timeout
LAB_CONFIG = (
    ".jupyter-student/jupyter_server_config.json",
    ".jupyter-student/nbgrader_config.json",
    ".jupyter-student/labconfig/page_config.json",
)
FORBIDDEN_TEXT = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "vitlab.hidden")
#: importing the instructor-only package (a docstring may name it; code may only look it up by name)
HIDDEN_IMPORT = re.compile(r"^\s*(from\s+instructor\b|import\s+instructor\b|from\s+vitlab\.hidden\b)", re.M)


def student_readme(readme: str) -> str:
    """The README's student part, between the markers <!-- student:start --> and <!-- student:end -->."""
    match = re.search(r"<!-- student:start -->(.*?)<!-- student:end -->", readme, re.S)
    if not match:
        raise ValueError("README.md has no <!-- student:start --> ... <!-- student:end --> section")
    return "# ViT from Scratch\n" + match.group(1).strip() + "\n"


def _ignore(folder: str, names: list[str]) -> set[str]:
    skip = {"__pycache__", ".ipynb_checkpoints"}
    if Path(folder).name == "vitlab":
        skip |= set(INSTRUCTOR_ONLY)
    return {n for n in names if n in skip or n.endswith(".pyc")}


def build(into: Path = BUILD) -> tuple[Path, Path]:
    root = into / NAME
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(course.RELEASE, root / "notebooks", ignore=_ignore)
    shutil.copytree(course.ROOT / "vitlab", root / "vitlab", ignore=_ignore)
    for name in ("pyproject.toml", "environment.yml"):
        shutil.copy(course.ROOT / name, root / name)
    shutil.copy(course.ROOT / "student.mk", root / "Makefile")
    readme = student_readme((course.ROOT / "README.md").read_text())
    (root / "README.md").write_text(readme)
    # what the README's student part links to: its screenshots and the glossary
    for linked in sorted(set(re.findall(r"\((docs/[\w.-]+\.(?:png|md))\)", readme))):
        (root / linked).parent.mkdir(exist_ok=True)
        shutil.copy(course.ROOT / linked, root / linked)
    for name in LAB_CONFIG:  # `make lab`'s own JupyterLab configuration, without its run-time files
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(course.ROOT / name, root / name)
    (root / ".gitignore").write_text(
        ".venv/\n__pycache__/\n.ipynb_checkpoints/\n*.egg-info/\n"
        ".jupyter-student/*\n!.jupyter-student/labconfig/\n"
        "!.jupyter-student/jupyter_server_config.json\n"
        "!.jupyter-student/nbgrader_config.json\n"
    )
    problems = audit(root)
    if problems:
        raise RuntimeError("the student release would leak:\n" + "\n".join(problems))
    archive = into / f"{NAME}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(into))
    return root, archive


def audit(root: Path) -> list[str]:
    """Instructor-only things found in a bundle (empty when it is clean)."""
    problems = [
        f"{p.relative_to(root)}: instructor-only folder"
        for p in root.rglob("*")
        if p.is_dir() and p.name in ("solutions", "grader", "hidden", "tests", "instructor", "benchmarks")
    ]
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".toml", ".yml", ""):
            text = path.read_text(errors="ignore")
            problems += [f"{path.relative_to(root)}: contains '{t}'" for t in FORBIDDEN_TEXT if t in text]
            problems += [
                f"{path.relative_to(root)}: imports the instructor package"
                for _ in HIDDEN_IMPORT.findall(text)[:1]
            ]
    problems += check_all(root / "notebooks")
    return problems


def main() -> int:
    root, archive = build()
    print(f"student release: {root}\nzip: {archive} ({archive.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
