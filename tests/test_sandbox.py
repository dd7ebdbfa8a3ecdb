"""The sandbox: what student code can see, reach and use, how each way of failing ends, and that one
forked child leaves nothing the next one can see.

Plain commands run inside the sandbox first (seconds); then the warm runner runs small jobs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch

from grader import course
from grader.autograde import sandbox
from grader.autograde.sandbox import Box, Limits, MemoryGroup, WarmRunner
from tests.conftest import ROOT
from vitlab.harness import wire
from vitlab.harness.wire import CaseCall, ProgramCell

pytestmark = pytest.mark.skipif(
    sandbox.available() is not None, reason=f"no sandbox here: {sandbox.available()}"
)
UID = 61900 if os.geteuid() == 0 else None
STORE = course.GRADING / "sandbox"
MiB = 2**20


def make_box(**limits) -> Box:
    STORE.mkdir(parents=True, exist_ok=True)
    exchange = Path(tempfile.mkdtemp(prefix="vt"))
    return Box(
        python=sandbox.python_home(STORE),
        site=sandbox.student_view(STORE),
        exchange=exchange,
        limits=Limits(**limits),
        uid=UID,
    )


@pytest.fixture
def box():
    made = make_box(file_size=MiB)
    made.prepare()
    yield made
    subprocess.run(["rm", "-rf", str(made.exchange)], check=False)


def run(box: Box, code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        box.wrap([sys.executable, "-c", code, *args], sandbox.base_env("/scratch")),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_network(box):
    done = run(
        box,
        "import socket\ntry:\n socket.create_connection(('1.1.1.1', 53), timeout=3)\n print('open')\n"
        "except OSError as e:\n print('blocked', e)",
    )
    assert "blocked" in done.stdout, done.stderr


def test_sees_no_answers_no_grader_no_other_submissions(box):
    secrets = [
        ROOT / "solutions",
        ROOT / "grader",
        ROOT / "tests",
        ROOT / ".grading",
        ROOT / "notebooks",
        ROOT / "instructor",
        ROOT / "vitlab",
        "/site/vitlab/checks",
        "/etc/passwd",
        "/etc/shadow",
        os.path.expanduser("~"),
    ]
    code = (
        "import os, sys\nfor p in sys.argv[1:]:\n"
        " print(p, os.path.exists(p) and os.listdir(p) if os.path.isdir(p) else os.path.exists(p))"
    )
    done = run(box, code, *map(str, secrets))
    assert len(done.stdout.splitlines()) == len(secrets), done.stderr
    for line in done.stdout.splitlines():
        path, seen = line.split(" ", 1)
        if path == os.path.expanduser("~") and path in str(box.python):
            continue  # the python installation may live under the home folder: only it is bound there
        assert seen in ("False", "[]", "['.pyenv']"), line


def test_the_checks_and_the_instructor_package_cannot_be_imported(box):
    code = (
        "import importlib\nfor name in ('vitlab.checks', 'vitlab.checks.patchify', 'instructor',"
        " 'instructor.patchify', 'grader', 'vitlab.progress'):\n"
        " try:\n  importlib.import_module(name); print('IMPORTED', name)\n"
        " except ImportError:\n  print('refused', name)\n"
        "import vitlab.harness.runner, vitlab.data, vitlab.plots.patches\nprint('harness ok')"
    )
    done = run(box, code)
    assert "IMPORTED" not in done.stdout and done.stdout.count("refused") == 6, done.stdout + done.stderr
    assert "harness ok" in done.stdout


def test_system_and_library_are_read_only_home_is_writable(box):
    targets = [f"{box.site}/vitlab/x.txt", "/site/vitlab/x.txt", "/usr/x.txt", f"{sys.prefix}/x.txt"]
    code = (
        "import sys\nfor p in sys.argv[1:]:\n try:\n  open(p, 'w').write('x'); print('wrote', p)\n"
        " except OSError as e: print('refused', p)\n"
        "open('/scratch/ok.txt', 'w').write('fine'); print('home ok')"
    )
    done = run(box, code, *targets)
    assert done.stdout.count("refused") == len(targets) and "home ok" in done.stdout, (
        done.stdout + done.stderr
    )


def test_file_size_is_limited(box):
    done = run(
        box,
        "import signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "try:\n open('/scratch/big', 'wb').write(b'x' * 4 * 2**20)\nexcept OSError as e:\n print('refused')",
    )
    assert "refused" in done.stdout


@pytest.mark.skipif(
    UID is None, reason="process limits need a user id of their own (the grader runs as root)"
)
def test_processes_are_limited(box):
    done = run(
        box,
        "import os, time\nn = 0\ntry:\n for _ in range(2000):\n"
        "  if os.fork() == 0:\n   time.sleep(5); os._exit(0)\n  n += 1\n"
        "except OSError:\n print('limited at', n)",
    )
    assert "limited at" in done.stdout


# --------------------------------------------------------------------------------------------------
# The warm runner: a fresh child per job


def job(runner: WarmRunner, source: str, calls=()) -> Path:
    folder = runner.fresh_job_folder()
    wire.write_job(folder, [ProgramCell("answer", "a", source)], list(calls), {"case_timeout": 30})
    return folder


def seen_by(folder: Path) -> str:
    report = wire.read_outputs(folder)
    return report.cells[0].error_message if report.cells[0].error_type else ""


@pytest.fixture(scope="module")
def warm():
    box = make_box(cpu_seconds=20, wall_seconds=30)
    runner = WarmRunner(box)
    runner.start()
    yield runner
    runner.close()
    subprocess.run(["rm", "-rf", str(box.exchange)], check=False)


LEAVE_BEHIND = """
import os, subprocess, time
for folder in (os.environ['HOME'], '/tmp', '/dev/shm'):
    open(os.path.join(folder, 'left-by-the-last-student'), 'w').write('answers')
os.makedirs(os.environ['HOME'] + '/.cache/vitlab', exist_ok=True)
subprocess.Popen(['sleep', '600'], start_new_session=True)       # a daemon in its own session
if os.fork() == 0:                                                  # and a double-forked one
    if os.fork() == 0:
        os.setsid(); time.sleep(600)
    os._exit(0)
import ctypes
libc = ctypes.CDLL(None)
libc.shmget(0x5eed, 4096, 0o1666)                                   # a System V shared memory segment
"""

LOOK = """
import os, glob, ctypes
found = []
for folder in (os.environ['HOME'], '/tmp', '/dev/shm'):
    found += glob.glob(os.path.join(folder, '*left-by*'))
found += [p for p in os.listdir('/proc')
          if p.isdigit() and open(f'/proc/{p}/cmdline').read().startswith('sleep')]
found += [p for p in os.listdir('/exchange') if p != 'job']
if ctypes.CDLL(None).shmget(0x5eed, 0, 0) != -1:
    found.append('shared memory')
if found:
    raise RuntimeError(f'saw {found}')
"""


def test_one_child_leaves_nothing_the_next_one_can_see(warm):
    first = warm.run(job(warm, LEAVE_BEHIND))
    assert first.status == "exited", first
    second = warm.run(job(warm, LOOK))
    assert second.status == "exited", second
    assert seen_by(warm.box.exchange / "job") == ""


def test_a_child_cannot_write_into_the_runner(warm):
    code = (
        "import os\nppid = os.getppid()\nerrors = []\n"
        "try:\n open(f'/proc/{ppid}/mem', 'wb')\nexcept OSError as e:\n errors.append(e.errno)\n"
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "if libc.ptrace(16, ppid, 0, 0) == 0:\n raise RuntimeError('attached to the runner')\n"
        "if not errors:\n raise RuntimeError('opened the runner memory')"
    )
    assert warm.run(job(warm, code)).status == "exited"
    assert seen_by(warm.box.exchange / "job") == ""


def test_the_runner_survives_a_child_that_kills_it(warm):
    done = warm.run(job(warm, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    assert done.status == "lost"
    after = warm.run(job(warm, "x = 1"))
    assert after.status == "exited" and seen_by(warm.box.exchange / "job") == ""


@pytest.mark.parametrize(
    "source, status",
    [
        (
            "while True:\n    pass",
            {"timeout", "signaled"},
        ),  # CPU limit (SIGXCPU) or wall limit, whichever first
        ("import os\nos._exit(3)", {"exited"}),
    ],
)
def test_each_failure_ends_with_its_status(warm, source, status):
    assert warm.run(job(warm, source)).status in status


def test_outputs_only_the_harness_calls(warm):
    calls = [
        CaseCall(
            "c/0",
            "vitlab.harness.calls.patchify:patchify",
            ("patchify",),
            {"images": torch.arange(16.0).reshape(1, 1, 4, 4), "patch_size": 2},
        )
    ]
    source = (
        "def patchify(images, patch_size):\n    B, C, H, W = images.shape\n    P = patch_size\n"
        "    grid = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)\n"
        "    return grid.reshape(B, -1, C * P * P)"
    )
    folder = job(warm, source, calls)
    assert warm.run(folder).status == "exited"
    assert wire.read_outputs(folder).outcomes["c/0"].tensors["patches"].shape == (1, 4, 4)


@pytest.mark.skipif(
    MemoryGroup.create("vitlab-probe-test", MiB * 512) is None,
    reason="no memory cgroup here (needs root): the limit is on address space only",
)
def test_resident_memory_is_limited_before_torch_or_after(tmp_path):
    """Touching more memory than the limit ends the child (not the runner) with status memory."""
    MemoryGroup.create("vitlab-probe-test", MiB * 512).remove()
    box = make_box(memory=1200 * MiB, cpu_seconds=60, wall_seconds=60)
    box.memory = MemoryGroup.create(f"vitlab-test-{os.getpid()}", box.limits.memory)
    runner = WarmRunner(box)
    try:
        runner.start()
        hoard = "hoard = bytearray(2 * 2**30)\nfor i in range(0, len(hoard), 4096):\n    hoard[i] = 1"
        assert runner.run(job(runner, hoard)).status == "memory"
        assert runner.run(job(runner, "x = [0] * 1000")).status == "exited"  # the runner lived on
    finally:
        runner.close()
        subprocess.run(["rm", "-rf", str(box.exchange)], check=False)
