"""nbgrader configuration of the course (read by grader.course and by `nbgrader` run from grader/).

solutions/<assignment>/<notebook>.ipynb is the source; notebooks/<assignment>/<notebook>.ipynb the
student release. Every grading artefact lives under the git-ignored .grading/ folder.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "vit-from-scratch"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = ".grading/submitted"
c.CourseDirectory.autograded_directory = ".grading/autograded"
c.CourseDirectory.feedback_directory = ".grading/feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / '.grading' / 'gradebook.db'}"
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "data",
    "*.pt",
]  # checkpoints a run leaves

# what a student sees in place of each solution region
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# grading: quick mode is set by the grader; a cell may not run for more than 5 minutes
c.Execute.timeout = 300
c.Execute.allow_errors = True
