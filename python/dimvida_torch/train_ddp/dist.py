"""One training process per device under torch.distributed, whoever started
it: our launcher (launch.py), current PyTorch's torchrun, or a cluster's own
scheduler. All of them describe the job in the environment (env:// rendezvous):

    RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT   the job (required when WORLD_SIZE > 1)
    LOCAL_RANK                                   this process's device on its machine (default 0)

Backends: NCCL on GPUs, gloo on CPUs. Without WORLD_SIZE (or with 1) a plain
single process runs, no process group."""
import datetime
import hashlib
import itertools
import os

import torch
import torch.distributed as dist
from torch.utils.data.distributed import DistributedSampler


class Context:
    def __init__(self, rank, world, local_rank, device, backend):
        self.rank, self.world, self.local_rank, self.device, self.backend = rank, world, local_rank, device, backend

    @property
    def is_main(self):
        return self.rank == 0

    def _on_wire(self, tensor):
        """NCCL moves device tensors only; gloo takes CPU ones."""
        return tensor.to(self.device) if self.backend == "nccl" else tensor

    def all_reduce_sum(self, tensor):
        """In place, on a CPU tensor, whatever the backend."""
        if self.world > 1:
            t = self._on_wire(tensor)
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
            if t is not tensor:
                tensor.copy_(t.cpu())
        return tensor

    def broadcast(self, tensor):
        """Rank 0's CPU tensor to every rank, in place."""
        if self.world > 1:
            t = self._on_wire(tensor)
            dist.broadcast(t, 0)
            if t is not tensor:
                tensor.copy_(t.cpu())
        return tensor

    def count_failed(self, ok):
        """How many ranks are not ok: a failure on some ranks only (a file one machine lacks) stops them all."""
        flag = torch.tensor([0.0 if ok else 1.0], dtype=torch.float64)
        return int(self.all_reduce_sum(flag).item())

    def barrier(self):
        if self.world > 1:
            dist.barrier()

    def close(self):
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _env_int(name, default=None):
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise SystemExit(f"train_ddp: {name} is not set: start the ranks with python/train_ddp.py "
                             f"--nproc-per-node N or torchrun (docs/training-at-scale.md)")
        return default
    return int(value)


def init(device="auto", timeout_minutes=30):
    """Joins the job described by the environment; device: auto (a GPU when there is one), cpu or cuda."""
    world = _env_int("WORLD_SIZE", 1)
    rank = _env_int("RANK") if world > 1 else 0
    local_rank = _env_int("LOCAL_RANK", 0)
    use_cuda = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    if use_cuda:
        if not torch.cuda.is_available():
            raise SystemExit("train_ddp: --device cuda, but PyTorch sees no GPU")
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        dev = torch.device("cuda", torch.cuda.current_device())
    else:
        dev = torch.device("cpu")
    backend = "nccl" if use_cuda else "gloo"
    if world > 1:
        for name in ("MASTER_ADDR", "MASTER_PORT"):
            if not os.environ.get(name):
                raise SystemExit(f"train_ddp: {name} is not set (env:// rendezvous needs MASTER_ADDR and MASTER_PORT)")
        dist.init_process_group(backend, init_method="env://", rank=rank, world_size=world,
                                timeout=datetime.timedelta(minutes=timeout_minutes))
    return Context(rank, world, local_rank, dev, backend if world > 1 else "none")


class ResumableDistributedSampler(DistributedSampler):
    """torch's DistributedSampler (one permutation per epoch from seed + epoch; rank r takes positions
    r, r + W, r + 2W, … of it), able to start part-way into an epoch so that a resumed run sees exactly the
    batches it would have seen. With per-rank batch b, step s of an epoch takes positions s·b·W … (s+1)·b·W − 1
    of the permutation across all ranks: the global batch does not depend on the number of ranks."""

    def __init__(self, dataset, num_replicas, rank, seed):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=True, seed=seed, drop_last=False)
        self.start = 0

    def set_start(self, start):
        """Skip this rank's first `start` samples of the current epoch."""
        self.start = start

    def __iter__(self):
        return itertools.islice(super().__iter__(), self.start, None)

    def __len__(self):
        return self.num_samples - self.start


def step_seed(seed, step, stream):
    """A 63-bit seed for the draws of one step and stream."""
    digest = hashlib.sha256(f"{int(seed)}/{int(step)}/{int(stream)}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def step_generator(seed, step, stream):
    """A CPU generator for the draws of one step (the same on every rank and device)."""
    g = torch.Generator()
    g.manual_seed(step_seed(seed, step, stream))
    return g
