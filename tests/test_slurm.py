"""Sharded grading on a real Slurm: the job array of docs/slurm/ on a one-node cluster started here.

The test starts munge and a single-node Slurm (Debian's ``slurm-wlm`` and ``munge``, installed by
``make system``) with every file in a temporary folder, submits ``docs/slurm/autograde.sbatch`` as a
job array of two shards and ``docs/slurm/merge.sbatch`` after it (``--dependency=afterok``), waits,
and checks that the merged grade sheet equals a one-process run of the same class. It stops the
daemons whatever happens. It needs root (the daemons and the grader's sandbox users).
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from grader import samples
from grader.autograde import run as autograde
from grader.autograde.sandbox import Limits
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
DAEMONS = ("munged", "slurmctld", "slurmd")
COMMANDS = ("sbatch", "squeue", "scontrol", "sinfo")
LIMITS = Limits(cpu_seconds=60, wall_seconds=300)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """munged, slurmctld and slurmd, configured and running in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.host = socket.gethostname().split(".")[0]
        self.conf = folder / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.processes: list[subprocess.Popen] = []

    def configure(self) -> None:
        f = self.folder
        for name in ("state", "spool", "munge"):
            (f / name).mkdir(mode=0o700)
        key = f / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
        self.conf.write_text(f"""\
ClusterName=vitlab-test
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={f / "munge" / "munge.socket"}
StateSaveLocation={f / "state"}
SlurmdSpoolDir={f / "spool"}
SlurmctldPidFile={f / "slurmctld.pid"}
SlurmdPidFile={f / "slurmd.pid"}
SlurmctldLogFile={f / "slurmctld.log"}
SlurmdLogFile={f / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
MpiDefault=none
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory={memory} State=UNKNOWN
PartitionName=grading Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")

    def start(self) -> None:
        self.configure()
        f = self.folder / "munge"
        self.spawn(
            [
                "munged",
                "--foreground",
                "--force",
                f"--key-file={f / 'munge.key'}",
                f"--socket={f / 'munge.socket'}",
                f"--pid-file={f / 'munged.pid'}",
                f"--log-file={f / 'munged.log'}",
                f"--seed-file={f / 'munged.seed'}",
            ]
        )
        self.wait_for(lambda: (f / "munge.socket").exists(), "munged's socket", 30)
        self.spawn(["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self.spawn(["slurmd", "-D", "-N", self.host, "-f", str(self.conf)])
        self.wait_for(self.idle, "the node to come up idle in Slurm", 120)

    def spawn(self, command: list[str]) -> None:
        log = (self.folder / f"{command[0]}.out").open("w")
        self.processes.append(
            subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    def idle(self) -> bool:
        done = self.slurm("sinfo", "-h", "-o", "%t", check=False)
        return done.returncode == 0 and done.stdout.strip() in ("idle", "mix", "alloc")

    def slurm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)}: {done.stderr}\n{self.logs()}")
        return done

    def state(self, job: str) -> str:
        text = self.slurm("scontrol", "show", "job", job, "-o").stdout
        return " ".join(sorted({w.split("=", 1)[1] for w in text.split() if w.startswith("JobState=")}))

    def wait_for(self, ready, what: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(1)
        raise AssertionError(f"gave up waiting for {what}\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for path in sorted(self.folder.glob("*.log")) + sorted(self.folder.glob("*.out")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def cluster(tmp_path):
    missing = [c for c in DAEMONS + COMMANDS if shutil.which(c) is None and not Path("/usr/sbin", c).exists()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: install the Debian packages slurm-wlm and munge (make system)"
        )
    if os.geteuid() != 0:
        pytest.skip("a one-node Slurm and the grader's sandbox users need root")
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin"
    one = Cluster(tmp_path / "slurm")
    one.folder.mkdir()
    try:
        one.start()
        yield one
    finally:
        one.stop()


def class_names(count: int = 5) -> list[str]:
    """The reference, the blank notebook and sample mistakes of notebook 1, both shards of 2 holding some."""
    names = [s.name for s in samples.all_samples("01_patchify")]
    chosen = names[:count]
    for name in names[count:]:
        if len({autograde.in_shard(n, (1, 2)) for n in chosen}) == 2:
            break
        chosen[-1] = name
    return chosen


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return sorted(csv.DictReader(f), key=lambda r: (r["student"], r["assignment"], r["notebook"]))


def test_a_slurm_job_array_of_shards_merges_into_the_one_process_sheet(cluster, tmp_path):
    started = time.monotonic()
    submissions = tmp_path / "submissions"
    names = class_names()
    samples.write_class(submissions, ["01_patchify"], names)
    assert sorted(p.name for p in submissions.iterdir()) == sorted(names)
    assert {autograde.in_shard(n, (1, 2)) for n in names} == {True, False}  # both shards hold someone
    grading = tmp_path / "grading"
    grading.mkdir()
    env = f"ALL,COURSE={ROOT},SUBMISSIONS={submissions},GRADING={grading}"
    array = cluster.slurm(
        "sbatch",
        "--parsable",
        "--array=1-2",
        "--cpus-per-task=1",
        "--mem=2G",
        "--time=00:20:00",
        f"--export={env}",
        f"--chdir={grading}",
        str(ROOT / "docs" / "slurm" / "autograde.sbatch"),
    )
    array_id = array.stdout.strip().split(";")[0]
    merge = cluster.slurm(
        "sbatch",
        "--parsable",
        f"--dependency=afterok:{array_id}",
        "--mem=1G",
        f"--export={env}",
        f"--chdir={grading}",
        str(ROOT / "docs" / "slurm" / "merge.sbatch"),
    )
    merge_id = merge.stdout.strip().split(";")[0]
    single_dir, _, _ = autograde.autograde(
        submissions, tmp_path / "single", progress=False, jobs=1, limits=LIMITS
    )

    def finished() -> bool:
        return cluster.state(merge_id) not in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING")

    cluster.wait_for(finished, "the job array and the merge job", 1500)
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(grading.glob("*.log")))
    assert cluster.state(array_id) == "COMPLETED", f"{cluster.state(array_id)}\n{logs}\n{cluster.logs()}"
    assert cluster.state(merge_id) == "COMPLETED", f"{cluster.state(merge_id)}\n{logs}"
    assert sorted(p.name for p in grading.glob("shard-*")) == ["shard-1", "shard-2"]
    merged, single = rows(grading / "all" / "grades.csv"), rows(tmp_path / "single" / "grades.csv")
    assert [r["student"] for r in merged] == sorted(names)
    assert merged == single
    assert rows(single_dir / "grades.csv")  # the one-process run's own sheet is there too
    print(f"\nSlurm job array test: {time.monotonic() - started:.0f} s wall")
