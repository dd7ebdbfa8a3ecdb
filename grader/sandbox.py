"""A bubblewrap sandbox for one notebook's kernel; the grading client stays outside.

The kernel sees a read-only system (``/usr``), the Python installation and the virtualenv, the
``vitlab`` package (public checks and the hidden cases it must run) and the prepared Fashion-MNIST
files; nothing else of the host: no ``solutions/``, no gradebook, no other submission, no home
folder, no network (``--unshare-all``). It writes only to its private scratch folder (also its
``$HOME``, working directory and ``/tmp``-sized tmpfs) and to the folder where the checks record
their outcomes. Limits: address space, processes (as a per-worker user id when the grader runs as
root), file size (``prlimit``); per-cell and per-notebook time are enforced by the client.

The client talks to the kernel over unix sockets (jupyter's ``ipc`` transport) in a folder bound
into the sandbox, so no TCP port is opened and the network namespace stays empty.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Any

from grader import course

GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class Limits:
    memory: int = 8 * GiB  # address space; a CUDA build of torch maps ~4 GiB just to import
    processes: int = 512  # threads count too; only enforced for a non-root user id
    file_size: int = 64 * MiB
    cell_timeout: int = 300  # seconds per cell
    notebook_timeout: int = 1200  # seconds per notebook, kernel start included
    output: int = 4 * MiB  # outputs kept per notebook; the rest is dropped and flagged
    message: int = 64 * MiB  # one kernel message larger than this is refused by the client
    tmpfs: int = 256 * MiB


def _traversable(path: Path) -> bool:
    """True when a user other than the owner may read ``path`` and reach it."""
    parts = [path, *path.parents]
    return all(p.stat().st_mode & stat.S_IXOTH for p in parts) and bool(path.stat().st_mode & stat.S_IROTH)


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
    for p in [copy, *copy.parents]:
        if _traversable(p) or p == Path("/"):
            break
        os.chmod(p, os.stat(p).st_mode | stat.S_IXOTH | stat.S_IROTH)  # our own grading folders only
    return copy


@dataclass
class Sandbox:
    """Everything one kernel may see and the limits it runs under."""

    scratch: Path  # private, writable: $HOME, cwd
    records: Path  # where vitlab.checks records outcomes
    kernel_dir: Path  # connection file and unix sockets, bound at the same path
    python: Path  # the host's python home to bind at sys.base_prefix
    data: Path | None = None  # prepared torchvision root of Fashion-MNIST, read-only
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None  # run as this user id (the grader runs as root)
    extra_env: dict[str, str] = field(default_factory=dict)

    def prepare(self) -> None:
        for parent in {self.scratch.parent, self.records.parent, self.kernel_dir.parent}:
            parent.mkdir(parents=True, exist_ok=True)
            os.chmod(parent, 0o711)  # the sandbox's user id passes through, lists nothing
        for folder in (self.scratch, self.records, self.kernel_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if self.uid is not None:
                os.chown(folder, self.uid, self.uid)
            os.chmod(folder, 0o700)

    def env(self) -> dict[str, str]:
        venv = Path(sys.prefix)
        env = {
            "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/scratch",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": "/scratch/.matplotlib",
            "IPYTHONDIR": "/scratch/.ipython",
            "JUPYTER_RUNTIME_DIR": "/scratch/.jupyter",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "VITLAB_FAST": "1",
            "VITLAB_CACHE": "/scratch/.cache/vitlab",
            "VITLAB_RECORD_DIR": "/grading/records",
            "CUDA_VISIBLE_DEVICES": "",
            "VIRTUAL_ENV": str(venv),
            "PYTHONPATH": str(course.ROOT),  # this checkout's vitlab, whatever the editable install points at
        }
        if self.data is not None:
            env["VITLAB_DATA"] = "/data/fashion-mnist"
        env.update(self.extra_env)
        return env

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` run inside the sandbox, under the limits."""
        lim = self.limits
        cmd: list[str] = []
        if self.uid is not None:
            cmd += ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--"]
        cmd += ["prlimit", f"--as={lim.memory}", f"--fsize={lim.file_size}", "--core=0"]
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
            # the private /tmp first: the binds below may lie under /tmp (a checkout or venv in /tmp)
            "--size",
            str(lim.tmpfs),
            "--tmpfs",
            "/tmp",
            "--ro-bind",
            "/usr",
            "/usr",
        ]
        for name in ("bin", "lib", "lib32", "lib64", "sbin"):
            host = Path("/") / name
            if host.is_symlink():
                cmd += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                cmd += ["--ro-bind", str(host), str(host)]
        for name in ("ld.so.cache", "fonts", "localtime", "alternatives", "ssl/certs"):
            if (Path("/etc") / name).exists():
                cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        venv = Path(sys.prefix)
        cmd += [
            "--ro-bind",
            str(self.python),
            str(Path(sys.base_prefix).resolve()),
            "--ro-bind",
            str(venv),
            str(venv),
            "--ro-bind",
            str(course.ROOT / "vitlab"),
            str(course.ROOT / "vitlab"),
        ]
        if self.data is not None:
            cmd += ["--ro-bind", str(self.data), "/data/fashion-mnist"]
        cmd += [
            "--bind",
            str(self.scratch),
            "/scratch",
            "--bind",
            str(self.records),
            "/grading/records",
            "--bind",
            str(self.kernel_dir),
            str(self.kernel_dir),
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--chdir",
            "/scratch",
            "--clearenv",
        ]
        for key, value in self.env().items():
            cmd += ["--setenv", key, value]
        return cmd + ["--", *argv]


class SandboxKernelManager(AsyncKernelManager):
    """An (async, as nbclient needs) KernelManager whose kernel starts inside :class:`Sandbox`, over ipc."""

    sandbox = Any()

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if self.sandbox is not None and self.sandbox.uid is not None:  # the kernel must read it
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.uid)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        inner = [
            str(Path(sys.prefix) / "bin" / "python"),
            "-m",
            "ipykernel_launcher",
            "-f",
            self.connection_file,
        ]
        return self.sandbox.wrap(inner + list(extra_arguments or []))


def kernel_manager(sandbox: Sandbox) -> SandboxKernelManager:
    import zmq

    sandbox.prepare()
    km = SandboxKernelManager(
        kernel_name="python3",
        transport="ipc",
        ip=str(sandbox.kernel_dir / "k"),
        connection_file=str(sandbox.kernel_dir / "kernel.json"),
    )
    km.sandbox = sandbox
    make_client = km.client

    def client(**kwargs):  # the client refuses a single enormous message from the kernel
        kc = make_client(**kwargs)
        kc.context.setsockopt(zmq.MAXMSGSIZE, sandbox.limits.message)
        return kc

    km.client = client
    return km


def available() -> str | None:
    """None when sandboxing works here, else why not (the grader refuses to run unsandboxed)."""
    for tool in ("bwrap", "prlimit") + (("setpriv",) if os.geteuid() == 0 else ()):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: apt-get install bubblewrap util-linux)"
    import subprocess

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
