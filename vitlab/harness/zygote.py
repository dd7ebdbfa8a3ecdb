"""A warm runner: import torch once, then fork one fresh, isolated child per job.

    python -m vitlab.harness.zygote          # inside the grader's sandbox (grader/sandbox.py)

Protocol: one JSON object per line. The zygote writes ``{"ready": ...}`` once its imports are done,
then for every request ``{"job": "<folder>", "cpu_seconds": N, "wall_seconds": M}`` it forks a
child that runs the job (``vitlab.harness.runner.run_job``) and answers
``{"status": "exited" | "signaled" | "timeout", "code": ..., "signal": ..., "seconds": ...,
"cpu_seconds": ...}``.

The child gets no handle on the protocol (its stdin, stdout and stderr are re-opened elsewhere),
its own session, a CPU-time limit, and a high OOM score (the memory limit kills it, not the
zygote). The zygote itself is not dumpable, so a child cannot ptrace it or write its memory.
After each child the zygote kills every other process of the sandbox (it is their subreaper) and
empties every writable folder (``$HOME``, ``/tmp``, ``/dev/shm``) and the System V IPC objects, so
nothing one child leaves behind is seen by the next one.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
SCRATCH_FOLDERS = ("/tmp", "/dev/shm")


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(option, value, 0, 0, 0)


def warm_up() -> object:
    """Import what every notebook imports, once, and build the shell the children inherit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import torch

    torch.set_num_threads(1)
    import torch.nn.functional  # noqa: F401
    import torchvision  # noqa: F401
    import tqdm.auto  # noqa: F401

    from vitlab.harness import calls

    calls.import_all()
    from vitlab import (  # noqa: F401
        data,
        device,
        models,
        plots,  # noqa: F401
    )

    torch.zeros(2, 2) @ torch.zeros(2, 2)  # load the kernels once, in one thread
    return make_shell()


def make_shell() -> object:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(history_length=0)
    shell.history_manager.enabled = False
    return shell


def _scratch_folders() -> list[Path]:
    home = Path(os.environ.get("HOME", "/scratch"))
    return [home, *map(Path, SCRATCH_FOLDERS)]


def empty(folder: Path) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
        except OSError:
            pass


def kill_others() -> None:
    """SIGKILL every process of the sandbox except init (1) and this zygote; reap them."""
    me = os.getpid()
    for _ in range(20):
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.005)


def clean() -> None:
    kill_others()
    for folder in _scratch_folders():
        empty(folder)
    if shutil.which("ipcrm"):
        subprocess.run(["ipcrm", "--all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def child(job: Path, shell: object, cpu_seconds: int, protocol: tuple[int, int]) -> None:
    """In the forked child: cut every tie to the zygote, then run the job. Never returns."""
    code = 0
    try:
        os.setsid()
        for fd in protocol:
            os.close(fd)
        log = os.open(
            os.path.join(os.environ.get("HOME", "/tmp"), ".program.log"),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
            0o600,
        )
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        for fd in (null, log):
            os.close(fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            Path("/proc/self/oom_score_adj").write_text("1000")
        except OSError:
            pass
        _prctl(PR_SET_DUMPABLE, 1)
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))  # SIGXCPU first
        os.chdir(os.environ.get("HOME", "/tmp"))
        from vitlab.harness.runner import run_job

        run_job(job, shell)
    except BaseException:  # noqa: BLE001 - the job's outputs say what went wrong, or their absence does
        code = 1
        try:
            import traceback

            (job / "runner-error.txt").write_text(traceback.format_exc()[-4000:])
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def wait(pid: int, wall_seconds: float) -> dict:
    """Wait for the child, at most ``wall_seconds``; SIGKILL its whole session on time-out."""
    start = time.monotonic()
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], wall_seconds)
    finally:
        os.close(fd)
    timed_out = not ready
    if timed_out:
        for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except OSError:
                pass
    _, status, usage = os.wait4(pid, 0)
    reply = {
        "seconds": round(time.monotonic() - start, 4),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4),
    }
    if timed_out:
        return {"status": "timeout", **reply}
    if os.WIFSIGNALED(status):
        return {"status": "signaled", "signal": os.WTERMSIG(status), **reply}
    return {"status": "exited", "code": os.WEXITSTATUS(status), **reply}


def serve() -> int:
    started = time.perf_counter()
    proto_in, proto_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    shell = warm_up()
    _prctl(PR_SET_DUMPABLE, 0)
    requests = os.fdopen(proto_in, "r")
    replies = os.fdopen(proto_out, "w")

    def reply(message: dict) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    clean()
    reply({"ready": True, "seconds": round(time.perf_counter() - started, 3), "pid": os.getpid()})
    for line in requests:
        try:
            request = json.loads(line)
            job = Path(request["job"])
            cpu_seconds = int(request.get("cpu_seconds") or 0)
            wall_seconds = float(request.get("wall_seconds") or 600)
        except (ValueError, KeyError, TypeError) as error:
            reply({"status": "bad-request", "error": str(error)[:200]})
            continue
        pid = os.fork()
        if pid == 0:
            child(job, shell, cpu_seconds, (proto_in, proto_out))
        result = wait(pid, wall_seconds)
        clean_start = time.perf_counter()
        clean()
        result["clean_seconds"] = round(time.perf_counter() - clean_start, 4)
        reply(result)
    return 0


if __name__ == "__main__":
    sys.exit(serve())
