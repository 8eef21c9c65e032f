"""Starting the ranks of a job without torchrun (Debian's torchrun 1.13 fails
under Python 3.11 before it starts any worker): one process per device on
this machine, each given the env:// description torchrun would give it
(MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
GROUP_RANK). Several machines: run the same command on each with its
--node-rank; they meet at --master-addr:--master-port (node 0's address).
If one rank fails, the others on this machine are stopped and its exit status
returned."""
import os
import shlex
import signal
import socket
import subprocess
import sys
import time


def nproc(text):
    """A count, or gpu / auto: one rank per GPU here (auto: 1 without a GPU)."""
    if text in ("gpu", "auto"):
        import torch
        n = torch.cuda.device_count()
        if n == 0 and text == "gpu":
            raise ValueError("no GPU")
        return max(n, 1)
    return int(text)


def add_arguments(p):
    # torchrun's names; its older spellings with underscores too.
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=nproc, default=1,
                   help="ranks on this machine: a count, or gpu (one per GPU) (default 1)")
    p.add_argument("--nnodes", type=int, default=1, help="machines in the job (1)")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0, help="this machine's index, 0 … nnodes − 1")
    p.add_argument("--master-addr", "--master_addr", default="127.0.0.1",
                   help="node 0's address, reachable from every machine (127.0.0.1)")
    p.add_argument("--master-port", "--master_port", type=int, default=0,
                   help="a free TCP port on node 0 (one machine: any free one)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(a, worker_argv):
    """Runs worker_argv (a command line) once per local rank; returns the job's exit status."""
    n, nodes = a.nproc_per_node, a.nnodes
    if n < 1 or nodes < 1 or not 0 <= a.node_rank < nodes:
        print("train_ddp: --nproc-per-node and --nnodes must be ≥ 1, 0 ≤ --node-rank < --nnodes", file=sys.stderr)
        return 2
    if nodes > 1 and a.master_port == 0:
        print("train_ddp: several machines need --master-addr and --master-port (node 0's)", file=sys.stderr)
        return 2
    port = a.master_port or free_port()
    world = n * nodes
    procs = []
    for local in range(n):
        env = dict(os.environ, MASTER_ADDR=a.master_addr, MASTER_PORT=str(port), WORLD_SIZE=str(world),
                   RANK=str(a.node_rank * n + local), LOCAL_RANK=str(local), LOCAL_WORLD_SIZE=str(n),
                   GROUP_RANK=str(a.node_rank),
                   DV_DDP_COMMAND=" ".join(["python3"] + [shlex.quote(w) for w in sys.argv]))
        if n > 1 and "OMP_NUM_THREADS" not in os.environ:
            env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // n))  # as torchrun: cores shared out
        procs.append(subprocess.Popen(worker_argv, env=env))

    def stop_all(signum=None, frame=None):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    old = {s: signal.signal(s, stop_all) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        while any(p.poll() is None for p in procs):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            if failed:
                status = failed[0].returncode
                stop_all()
                break
            time.sleep(0.1)
        deadline = time.monotonic() + 30
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if status == 0:
            status = next((p.returncode for p in procs if p.returncode != 0), 0)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 1 if status < 0 else status
