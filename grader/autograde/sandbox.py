"""The sandbox a grading worker runs student code in, and the warm runner inside it.

One sandbox per worker: bubblewrap (``bwrap``) with every namespace unshared (no network), a
read-only system (``/usr``, the Python installation, the virtualenv), a private ``$HOME`` and
``/tmp`` in memory, and one exchange folder where the worker writes a job and the runner its
outputs. Inside runs :mod:`vitlab.harness.zygote`: it imports torch once and forks a fresh child
per submission, then kills whatever the child left running and empties every writable folder.

The sandbox sees the course package **without** :mod:`vitlab.checks` (oracles, the catalogue), and
never the instructor package, ``solutions/``, the gradebook, other submissions or any home folder:
``vitlab`` is bound from a copy that leaves those out (:func:`student_view`).

Limits: resident memory per sandbox through a cgroup (v2 ``memory.max``, or v1
``memory.limit_in_bytes``) when the grader runs as root, else address space (``prlimit --as``);
processes (as a per-worker user id when root), file size, CPU time per child (set by the zygote),
wall time per child (the zygote, and this client as a backstop).

The same bwrap setup runs a Jupyter kernel for the optional full notebook run (:mod:`.execute`).
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import course

GiB = 1024**3
MiB = 1024**2
#: parts of the course package the sandbox never sees (they know the answers or import what does)
HIDDEN_FROM_SANDBOX = ("checks", "progress.py")


@dataclass(frozen=True)
class Limits:
    memory: int = 3 * GiB  # resident memory of one sandbox (warm runner + child); see benchmarks/README.md
    address_space: int = 16 * GiB  # only where no cgroup is available (a CUDA torch maps ~4 GiB to import)
    processes: int = 512  # threads count too; only enforced for a non-root user id
    file_size: int = 64 * MiB
    cpu_seconds: int = 300  # CPU time of one notebook's grading program (an honest one needs a few)
    wall_seconds: int = 600  # wall time of one notebook's grading program
    case_seconds: float = 120.0  # one exercise call
    start_seconds: int = 300  # the warm runner's imports
    tmpfs: int = 512 * MiB  # $HOME and /tmp, each

    def settings(self) -> dict[str, float]:
        return {"case_timeout": self.case_seconds}


def _traversable(path: Path) -> bool:
    """True when a user other than the owner may read ``path`` and reach it."""
    parts = [path, *path.parents]
    return all(p.stat().st_mode & stat.S_IXOTH for p in parts) and bool(path.stat().st_mode & stat.S_IROTH)


def _open_up(path: Path) -> None:
    """Let other users reach ``path`` (our own grading folders only)."""
    for p in [path, *path.parents]:
        if _traversable(p) or p == Path("/"):
            break
        os.chmod(p, os.stat(p).st_mode | stat.S_IXOTH | stat.S_IROTH)


def python_home(store: Path) -> Path:
    """The interpreter's installation as a folder any user id may read.

    It is bound into the sandbox at its own path (``sys.base_prefix``). Where that path is not
    readable by other users (a pyenv under a private ``/root``), a copy of the interpreter and its
    standard library (not its own site-packages: the virtualenv has its own) is made once.
    """
    home = Path(sys.base_prefix).resolve()
    if os.geteuid() != 0 or _traversable(home):
        return home
    copy = store / f"python-{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    if not (copy / ".complete").exists():
        tmp = copy.with_name(copy.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        site = home / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
        shutil.copytree(
            home,
            tmp,
            symlinks=True,
            ignore=lambda d, names: [n for n in names if Path(d, n) == site or n == "__pycache__"],
        )
        (tmp / ".complete").touch()
        try:
            tmp.rename(copy)
        except OSError:  # another worker finished first
            shutil.rmtree(tmp, ignore_errors=True)
    _open_up(copy)
    return copy


def student_view(store: Path) -> Path:
    """A folder holding ``vitlab`` as the sandbox may see it: without the checks, by content hash."""
    source = course.ROOT / "vitlab"
    files = sorted(
        p
        for p in source.rglob("*.py")
        if p.relative_to(source).parts[0] not in HIDDEN_FROM_SANDBOX and "__pycache__" not in p.parts
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(source)).encode())
        digest.update(path.read_bytes())
    view = store / f"site-{digest.hexdigest()[:16]}"
    if not (view / ".complete").exists():
        tmp = view.with_name(view.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        for path in files:
            target = tmp / "vitlab" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        (tmp / ".complete").touch()
        try:
            tmp.rename(view)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    for path in [view, *view.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    _open_up(view)
    return view


# --------------------------------------------------------------------------------------------------
# Memory: a cgroup per sandbox when we may make one


class MemoryGroup:
    """A cgroup (v2 or v1) with a resident-memory limit; None-like when this machine allows none."""

    def __init__(self, path: Path, version: int, limit: int):
        self.path, self.version, self.limit = path, version, limit

    @staticmethod
    def create(name: str, limit: int) -> MemoryGroup | None:
        if os.geteuid() != 0:
            return None
        for version, base in ((2, _v2_base()), (1, _v1_base())):
            if base is None:
                continue
            path = base / name
            try:
                path.mkdir(exist_ok=True)
                group = MemoryGroup(path, version, limit)
                group._set_limit()
                return group
            except OSError:
                try:
                    path.rmdir()
                except OSError:
                    pass
        return None

    def _set_limit(self) -> None:
        if self.version == 2:
            (self.path / "memory.max").write_text(str(self.limit))
            if (self.path / "memory.swap.max").exists():
                (self.path / "memory.swap.max").write_text("0")
        else:
            (self.path / "memory.limit_in_bytes").write_text(str(self.limit))
            swap = self.path / "memory.memsw.limit_in_bytes"
            if swap.exists():
                try:
                    swap.write_text(str(self.limit))
                except OSError:
                    pass

    def add_self(self) -> None:
        """Move the calling process into the group (runs in the sandbox's process before exec)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def oom_kills(self) -> int:
        try:
            if self.version == 2:
                text = (self.path / "memory.events").read_text()
            else:
                text = (self.path / "memory.oom_control").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def peak(self) -> int:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return 0

    def remove(self) -> None:
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)

    def __str__(self) -> str:
        return f"cgroup v{self.version} {self.path} ({self.limit // MiB} MiB)"


def _own_cgroup(version: int) -> str | None:
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if version == 2 and number == "0":
            return path
        if version == 1 and "memory" in controllers.split(","):
            return path
    return None


def _v2_base() -> Path | None:
    root = Path("/sys/fs/cgroup")
    if not (root / "cgroup.controllers").exists():
        return None
    own = _own_cgroup(2)
    if own is None:
        return None
    base = root / own.lstrip("/")
    try:
        if "memory" not in (base / "cgroup.controllers").read_text().split():
            return None
    except OSError:
        return None
    return base


def _v1_base() -> Path | None:
    root = Path("/sys/fs/cgroup/memory")
    own = _own_cgroup(1)
    if own is None or not (root / "memory.limit_in_bytes").exists():
        return None
    base = root / own.lstrip("/")
    return base if base.is_dir() else None


# --------------------------------------------------------------------------------------------------
# The bwrap command line


def _system_binds() -> list[str]:
    cmd = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        host = Path("/") / name
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), str(host)]
    for name in ("ld.so.cache", "fonts", "localtime", "alternatives", "ssl/certs"):
        if (Path("/etc") / name).exists():
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return cmd


def base_env(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    venv = Path(sys.prefix)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "VITLAB_FAST": "1",
        "VITLAB_CACHE": f"{home}/.cache/vitlab",
        "CUDA_VISIBLE_DEVICES": "",
        "VIRTUAL_ENV": str(venv),
        "PYTHONPATH": "/site",
    }
    env.update(extra or {})
    return env


@dataclass
class Box:
    """What one sandbox sees and the limits it runs under."""

    python: Path  # the host's python home to bind at sys.base_prefix
    site: Path  # the student view of vitlab (student_view), bound at /site
    exchange: Path  # read-write: jobs in, outputs out
    data: Path | None = None  # prepared torchvision root of Fashion-MNIST, read-only
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None  # run as this user id (the grader runs as root)
    extra_binds: list[tuple[str, str]] = field(default_factory=list)  # (host, inside) read-write
    memory: MemoryGroup | None = None

    def wrap(self, argv: list[str], env: dict[str, str]) -> list[str]:
        lim = self.limits
        cmd: list[str] = []
        if self.uid is not None:
            cmd += ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--"]
        cmd += ["prlimit", f"--fsize={lim.file_size}", "--core=0"]
        if self.memory is None:
            cmd.append(f"--as={max(lim.address_space, lim.memory)}")
        if self.uid is not None:
            cmd.append(f"--nproc={lim.processes}")
        cmd += [
            "--",
            "bwrap",
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
            "--hostname",
            "sandbox",
            # the private folders first: the binds below may lie under /tmp (a checkout in /tmp)
            "--size",
            str(lim.tmpfs),
            "--tmpfs",
            "/tmp",
            "--size",
            str(lim.tmpfs),
            "--tmpfs",
            "/scratch",
        ]
        cmd += _system_binds()
        venv = Path(sys.prefix)
        cmd += [
            "--ro-bind",
            str(self.python),
            str(Path(sys.base_prefix).resolve()),
            "--ro-bind",
            str(venv),
            str(venv),
            "--ro-bind",
            str(self.site),
            "/site",
            "--bind",
            str(self.exchange),
            "/exchange",
        ]
        if self.data is not None:
            cmd += ["--ro-bind", str(self.data), "/data/fashion-mnist"]
            env = {**env, "VITLAB_DATA": "/data/fashion-mnist"}
        for host, inside in self.extra_binds:
            cmd += ["--bind", host, inside]
        cmd += ["--proc", "/proc", "--dev", "/dev", "--chdir", "/scratch", "--clearenv"]
        for key, value in env.items():
            cmd += ["--setenv", key, value]
        return cmd + ["--", *argv]

    def prepare(self) -> None:
        self.exchange.mkdir(parents=True, exist_ok=True)
        if self.uid is not None:
            os.chown(self.exchange, self.uid, self.uid)
        os.chmod(self.exchange, 0o700)


# --------------------------------------------------------------------------------------------------
# The warm runner


class SandboxError(RuntimeError):
    pass


@dataclass(frozen=True)
class ChildReport:
    """How one job's child ended, as the zygote saw it (and the memory group)."""

    status: str  # exited | signaled | timeout | memory | lost
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    code: int | None = None
    signal: int | None = None
    clean_seconds: float = 0.0
    message: str = ""


class WarmRunner:
    """One sandboxed zygote, restarted when it dies; runs one job at a time."""

    def __init__(self, box: Box):
        self.box = box
        self.process: subprocess.Popen | None = None
        self.start_seconds = 0.0
        self.starts = 0

    def start(self) -> None:
        self.stop()
        self.box.prepare()
        env = base_env("/scratch")
        argv = [str(Path(sys.prefix) / "bin" / "python"), "-m", "vitlab.harness.zygote"]
        memory = self.box.memory
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.box.wrap(argv, env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=memory.add_self if memory is not None else None,
            close_fds=True,
        )
        line = self._read_line(self.box.limits.start_seconds)
        if not line or not json.loads(line).get("ready"):
            error = self._stderr()
            self.stop()
            raise SandboxError(f"the sandboxed runner did not start ({error or 'no answer'})")
        self.start_seconds = time.perf_counter() - started
        self.starts += 1

    def _stderr(self) -> str:
        if self.process is None or self.process.stderr is None:
            return ""
        try:
            if self.process.poll() is None:
                return ""
            return self.process.stderr.read().decode(errors="replace").strip()[-500:]
        except (OSError, ValueError):
            return ""

    def _read_line(self, timeout: float) -> str | None:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return line.decode() if line else None

    def fresh_job_folder(self) -> Path:
        """An empty job folder, alone in the exchange folder: nothing of an earlier job is left to see."""
        for entry in self.box.exchange.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        folder = self.box.exchange / "job"
        folder.mkdir()
        if self.box.uid is not None:
            os.chown(folder, self.box.uid, self.box.uid)
        return folder

    def run(self, job: Path) -> ChildReport:
        """Run the job folder ``job`` (under the exchange folder) in a fresh child."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        lim = self.box.limits
        inside = Path("/exchange") / job.relative_to(self.box.exchange)
        oom_before = self.box.memory.oom_kills() if self.box.memory else 0
        request = {"job": str(inside), "cpu_seconds": lim.cpu_seconds, "wall_seconds": lim.wall_seconds}
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            line = self._read_line(lim.wall_seconds + 30)
        except (BrokenPipeError, OSError):
            line = None
        oom = self.box.memory is not None and self.box.memory.oom_kills() > oom_before
        if line is None:  # the zygote died or hung: start afresh for the next job
            self.stop()
            if oom:
                return ChildReport("memory", message="the runner was stopped by the memory limit")
            return ChildReport("lost", message="the sandboxed runner stopped answering")
        reply = json.loads(line)
        status = reply.get("status", "lost")
        if oom and status in ("signaled", "exited"):
            status = "memory"
        return ChildReport(
            status,
            float(reply.get("seconds", 0)),
            float(reply.get("cpu_seconds", 0)),
            reply.get("code"),
            reply.get("signal"),
            float(reply.get("clean_seconds", 0)),
        )

    def stop(self) -> None:
        if self.process is not None:
            try:
                self.process.kill()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
        self.process = None

    def close(self) -> None:
        self.stop()
        if self.box.memory is not None:
            self.box.memory.remove()


def available() -> str | None:
    """None when sandboxing works here, else why not (the grader refuses to run unsandboxed)."""
    for tool in ("bwrap", "prlimit") + (("setpriv",) if os.geteuid() == 0 else ()):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: apt-get install bubblewrap util-linux)"
    probe = subprocess.run(
        [
            "bwrap",
            "--unshare-all",
            "--ro-bind",
            "/usr",
            "/usr",
            "--symlink",
            "usr/bin",
            "/bin",
            "--symlink",
            "usr/lib",
            "/lib",
            "--symlink",
            "usr/lib64",
            "/lib64",
            "--",
            "/usr/bin/true",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        why = probe.stderr.strip()[:200]
        return f"bubblewrap cannot create a sandbox here ({why}); are user namespaces off?"
    return None


def memory_limit_kind(limits: Limits) -> str:
    """What the memory limit will be on this machine, in words (printed by the grader)."""
    group = MemoryGroup.create(f"vitlab-probe-{os.getpid()}", limits.memory)
    if group is None:
        size = limits.address_space // GiB
        return f"address space {size} GiB (no cgroup: run as root for a resident-memory limit)"
    text = f"resident memory {limits.memory // MiB} MiB per sandbox (cgroup v{group.version})"
    group.remove()
    return text
