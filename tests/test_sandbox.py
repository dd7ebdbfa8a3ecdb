"""The bubblewrap sandbox: what a kernel can see, reach and use, and how each way of failing ends.

Plain commands run inside the sandbox first (seconds); then small notebooks run through the real
client (grader.execute) to show the statuses: timeout, crashed, memory, and capped output.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from grader import course, execute
from grader.sandbox import Limits, Sandbox, available, python_home
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(available() is not None, reason=f"no sandbox here: {available()}")
UID = 61900 if os.geteuid() == 0 else None


@pytest.fixture
def sandbox(tmp_path_factory):
    space = execute.scratch_space()
    box = Sandbox(
        scratch=space / "scratch",
        records=space / "records",
        kernel_dir=space / "k",
        python=python_home(course.GRADING / "sandbox"),
        uid=UID,
        limits=Limits(memory=4 * 1024**3, file_size=1024**2, cell_timeout=5, notebook_timeout=60),
    )
    box.prepare()
    yield box
    execute.cleanup(space)


def run(box: Sandbox, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(box.wrap([sys.executable, "-c", code]), capture_output=True, text=True, timeout=120)


def test_no_network(sandbox):
    done = run(
        sandbox,
        "import socket\ntry:\n socket.create_connection(('1.1.1.1', 53), timeout=3)\n print('open')\n"
        "except OSError as e:\n print('blocked', e)",
    )
    assert "blocked" in done.stdout, done.stderr


def test_sees_no_solutions_grader_tests_gradebook_or_home(sandbox):
    secrets = [
        ROOT / "solutions",
        ROOT / "grader",
        ROOT / "tests",
        ROOT / ".grading",
        ROOT / "notebooks",
        "/etc/passwd",
        "/etc/shadow",
        os.path.expanduser("~"),
    ]
    code = (
        "import os, sys\nfor p in sys.argv[1:]:\n"
        " print(p, os.path.exists(p) and os.listdir(p) if os.path.isdir(p) else os.path.exists(p))"
    )
    done = subprocess.run(
        sandbox.wrap([sys.executable, "-c", code, *map(str, secrets)]), capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        path, seen = line.split(" ", 1)
        if path == os.path.expanduser("~") and path in str(sandbox.python):
            continue
        # the python installation may live under the home folder: only it is bound there
        assert seen in ("False", "[]", "['.pyenv']"), line
    assert len(done.stdout.splitlines()) == len(secrets), done.stderr


def test_system_and_library_are_read_only_scratch_is_writable(sandbox):
    targets = [ROOT / "vitlab" / "sandbox_was_here.txt", "/usr/sandbox_was_here.txt", f"{sys.prefix}/x.txt"]
    code = (
        "import sys\nfor p in sys.argv[1:]:\n try:\n  open(p, 'w').write('x'); print('wrote', p)\n"
        " except OSError as e: print('refused', p)\n"
        "open('/scratch/ok.txt', 'w').write('fine'); print('scratch ok')"
    )
    done = subprocess.run(
        sandbox.wrap([sys.executable, "-c", code, *map(str, targets)]), capture_output=True, text=True
    )
    assert done.stdout.count("refused") == len(targets) and "scratch ok" in done.stdout, (
        done.stdout + done.stderr
    )
    assert (sandbox.scratch / "ok.txt").read_text() == "fine"
    assert not (ROOT / "vitlab" / "sandbox_was_here.txt").exists()


def test_memory_bomb_fails_fast(sandbox):
    done = run(sandbox, "try:\n b = bytearray(2**40)\nexcept MemoryError:\n print('MemoryError')")
    assert "MemoryError" in done.stdout


def test_file_size_is_limited(sandbox):
    done = run(
        sandbox,
        "import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "try:\n open('/scratch/big', 'wb').write(b'x' * 4 * 2**20)\nexcept OSError as e:\n print('refused')",
    )
    assert "refused" in done.stdout
    assert (sandbox.scratch / "big").stat().st_size <= 2**20


@pytest.mark.skipif(
    UID is None, reason="process limits need a user id of their own (the grader runs as root)"
)
def test_processes_are_limited(sandbox):
    done = run(
        sandbox,
        "import os, time\nn = 0\ntry:\n for _ in range(2000):\n"
        "  if os.fork() == 0:\n   time.sleep(5); os._exit(0)\n"
        "  n += 1\nexcept OSError:\n print('limited at', n)",
    )
    assert "limited at" in done.stdout


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_a_kernel_runs_over_unix_sockets_and_its_records_are_taken_out(sandbox, tmp_path):
    nb = notebook(
        "import os\nprint(os.getcwd())",
        "open(os.environ['VITLAB_RECORD_DIR'] + '/000001.safetensors', 'w').write('x')",
    )
    result = execute.run_notebook(nb, sandbox, tmp_path / "store", sandbox.limits)
    assert result.status == "ok", result.message
    assert nb.cells[0].outputs[0]["text"].strip() == "/scratch"
    assert [p.name for p in result.records[1]] == ["000001.safetensors"]
    assert not os.listdir(sandbox.records)  # moved out: later cells cannot touch it


@pytest.mark.parametrize(
    "source, status",
    [
        ("while True:\n    pass", "timeout"),
        ("import os\nos._exit(3)", "crashed"),
        ("x = bytearray(2**40)", "memory"),
    ],
)
def test_each_failure_ends_with_its_status(sandbox, tmp_path, source, status):
    result = execute.run_notebook(
        notebook("x = 1", source, "print('after')"), sandbox, tmp_path, sandbox.limits
    )
    assert result.status == status, result.message


def test_enormous_output_is_capped(sandbox, tmp_path):
    limits = Limits(output=1024 * 1024, cell_timeout=30)
    nb = notebook("for _ in range(40):\n    print('y' * 100_000)", "print('still running')")
    result = execute.run_notebook(nb, sandbox, tmp_path, limits)
    assert result.status == "ok" and result.truncated
    assert sum(len(o.get("text", "")) for c in nb.cells for o in c.outputs) <= 1024 * 1024


def test_one_enormous_message_is_refused_by_the_client(tmp_path):
    space = execute.scratch_space()
    limits = Limits(message=1024 * 1024, cell_timeout=60)
    box = Sandbox(scratch=space / "scratch", records=space / "records", kernel_dir=space / "k",
                  python=python_home(course.GRADING / "sandbox"), uid=UID, limits=limits)
    nb = notebook("print('z' * (8 * 1024 * 1024))", "x = 1")
    try:
        result = execute.run_notebook(nb, box, tmp_path, limits)
    finally:
        execute.cleanup(space)
    assert result.status == "ok" and 1 in result.executed
    assert sum(len(o.get("text", "")) for c in nb.cells for o in c.outputs) < 1024 * 1024
