"""A throwaway single-node Slurm cluster for the end-to-end test (Debian 12's Slurm 22.05, no systemd).

`SlurmCluster.start()` runs munged (as the munge user, on a private socket with a fresh key), slurmctld
and slurmd as daemons; `stop()` ends them by their pid files. All state, spool, pid and log files live in
one temporary folder. Only slurm.conf and gres.conf go to /etc/slurm: the executor plugin's job step
(snakemake-executor-plugin-slurm-jobstep 0.6.1) removes every SLURM_* variable, SLURM_CONF included,
before its nested `srun`, so inside a job only the compiled-in config path is found. A config there that
this module did not write is never touched (`foreign_config()`).

The node declares 8 CPUs, 64 GB and one GPU whatever the machine has (`SlurmdParameters=config_overrides`;
the GPU is a `gpu` GRES on /dev/null), so the profile's requests schedule on a 2-core CI machine. There is
no accounting: `sacct` does not work, job status comes from `squeue`, and `scontrol show job` tells what
ran where (finished jobs stay listed for MinJobAge = 600 s).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PACKAGES = ("slurmctld", "slurmd", "munge", "slurm-client")
COMMANDS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol", "srun")
ETC = Path("/etc/slurm")
MARKER = "# Written by engage tests/slurm_cluster.py for a throwaway test cluster; removed when it stops."


def missing_commands() -> list[str]:
    return [c for c in COMMANDS if not (shutil.which(c) or Path("/usr/sbin", c).exists())]


def cannot_start_reason() -> str | None:
    """Why this machine cannot host the throwaway cluster, or None (then `install()` and `start()` work)."""
    if os.geteuid() != 0:
        return "starting Slurm daemons (and installing them with apt) needs root; CI runs as root"
    if missing_commands() and not shutil.which("apt-get"):
        return f"Slurm is not installed ({', '.join(missing_commands())} missing) and there is no apt-get to install it"
    if foreign_config():
        return (f"{ETC / 'slurm.conf'} belongs to this machine's own Slurm: not replaced. Run the test against that "
                "cluster with ENGAGE_SLURM_TEST=existing (profiles/slurm/README.md)")
    return None


def foreign_config() -> bool:
    conf = ETC / "slurm.conf"
    return conf.exists() and MARKER not in conf.read_text(errors="replace")


def install() -> None:
    """apt-get install Debian's Slurm and MUNGE when any command is missing (about 15 s)."""
    if not missing_commands():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
    res = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], env=env,
                         capture_output=True, text=True, timeout=900)
    if res.returncode != 0 or missing_commands():
        raise RuntimeError(f"apt-get install {' '.join(PACKAGES)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _sbin(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


class SlurmCluster:
    """One node (this machine, by its short hostname at test time), partitions `cpu` (default) and `gpu`."""

    def __init__(self, cpus: int = 8, mem_mb: int = 64000, gpus: int = 1):
        self.cpus, self.mem_mb, self.gpus = cpus, mem_mb, gpus
        self.host = socket.gethostname().split(".")[0]
        self.dir: Path | None = None
        self._lock = None

    # --- configuration -------------------------------------------------------------------------------------
    def slurm_conf(self) -> str:
        d = self.dir
        ctld_port, slurmd_port = _free_ports(2)
        return "\n".join([
            MARKER,
            "ClusterName=engage-test",
            f"SlurmctldHost={self.host}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}",
            f"SlurmdPort={slurmd_port}",
            "SlurmUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={d}/munge/munge.socket",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "MinJobAge=600",  # finished jobs stay in squeue/scontrol this long (status and the test's checks)
            "GresTypes=gpu",
            "SlurmdParameters=config_overrides",
            "ReturnToService=2",
            f"StateSaveLocation={d}/state",
            f"SlurmdSpoolDir={d}/spool",
            f"SlurmctldPidFile={d}/slurmctld.pid",
            f"SlurmdPidFile={d}/slurmd.pid",
            f"SlurmctldLogFile={d}/slurmctld.log",
            f"SlurmdLogFile={d}/slurmd.log",
            f"NodeName={self.host} NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.mem_mb} "
            f"Gres=gpu:{self.gpus} State=UNKNOWN",
            f"PartitionName=cpu Nodes={self.host} Default=YES MaxTime=INFINITE State=UP",
            f"PartitionName=gpu Nodes={self.host} MaxTime=INFINITE State=UP",
            "",
        ])

    def gres_conf(self) -> str:
        return f"{MARKER}\nNodeName={self.host} Name=gpu File=/dev/null\n"

    # --- lifecycle -----------------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> "SlurmCluster":
        ETC.mkdir(parents=True, exist_ok=True)
        self._lock = open(Path(tempfile.gettempdir()) / "engage-slurm-test.lock", "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # one throwaway cluster per machine at a time
        if foreign_config():
            raise RuntimeError(f"{ETC / 'slurm.conf'} is not ours; refusing to replace it")
        # the munge user must reach its socket: not below pytest's private (0700) temp folders
        self.dir = Path(tempfile.mkdtemp(prefix="engage-slurm-"))
        self.dir.chmod(0o755)
        for sub in ("state", "spool", "munge"):
            (self.dir / sub).mkdir()
        self._start_munge()
        (ETC / "slurm.conf").write_text(self.slurm_conf())
        (ETC / "gres.conf").write_text(self.gres_conf())
        for daemon in ("slurmctld", "slurmd"):
            subprocess.run([_sbin(daemon)], check=True, capture_output=True, timeout=60)
        deadline = time.time() + timeout
        while time.time() < deadline:
            res = subprocess.run(["sinfo", "-h", "-N", "-o", "%P %T"], capture_output=True, text=True, timeout=30)
            states = dict(line.split() for line in res.stdout.splitlines() if line.strip())
            if {"cpu*", "gpu"} <= set(states) and all(s == "idle" for s in states.values()):
                return self
            time.sleep(0.3)
        raise RuntimeError(f"Slurm node not idle after {timeout} s: {res.stdout}{res.stderr}\n{self.logs()}")

    def _start_munge(self) -> None:
        m = self.dir / "munge"
        (m / "munge.key").write_bytes(os.urandom(1024))
        (m / "munge.key").chmod(0o600)
        shutil.chown(m, "munge", "munge")
        shutil.chown(m / "munge.key", "munge", "munge")
        m.chmod(0o755)  # munged: every user needs execute permission on the socket's folder
        cmd = (f"{_sbin('munged')} --socket={m}/munge.socket --key-file={m}/munge.key --pid-file={m}/munged.pid "
               f"--log-file={m}/munged.log --seed-file={m}/munged.seed")
        subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", cmd], check=True, capture_output=True, timeout=60)

    def pid_files(self) -> list[Path]:
        return [self.dir / "slurmd.pid", self.dir / "slurmctld.pid", self.dir / "munge" / "munged.pid"]

    def stop(self) -> None:
        """SIGTERM each daemon named in its pid file, SIGKILL what is left after 10 s; remove our config."""
        if self.dir is None:
            return
        for pid_file in self.pid_files():
            try:
                pid = int(pid_file.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            _terminate(pid)
        for name in ("slurm.conf", "gres.conf"):
            conf = ETC / name
            if conf.exists() and MARKER in conf.read_text(errors="replace"):
                conf.unlink()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        if self._lock:
            self._lock.close()
            self._lock = None

    def logs(self) -> str:
        out = []
        for name in ("slurmctld.log", "slurmd.log", "munge/munged.log"):
            p = self.dir / name
            if p.exists():
                out.append(f"--- {name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-30:]))
        return "\n".join(out)


def job_record(jobid: str) -> dict[str, str] | None:
    """`scontrol show job` fields of a job (JobState, ExitCode, Partition, TresPerJob, CPUs/Task, ...), or
    None once Slurm has forgotten it (MinJobAge after it finished)."""
    res = subprocess.run(["scontrol", "show", "job", "-o", jobid], capture_output=True, text=True, timeout=30)
    if res.returncode != 0 or "JobState=" not in res.stdout:
        return None
    return dict(f.split("=", 1) for f in res.stdout.split() if "=" in f)


def _terminate(pid: int, grace: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + grace
    while time.time() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    """Running (a zombie left for a non-reaping init counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
