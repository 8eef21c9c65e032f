#!/usr/bin/python3
"""Train the Views networks and the Votes classifiers with PyTorch DDP (docs/training-at-scale.md):

    python/train_ddp.py --nproc-per-node 4 ae --data DATA --out ae-run        # 4 ranks here (gloo/NCCL)
    torchrun --nproc-per-node 4 python/train_ddp.py ae --data DATA --out ae-run  # the same, started by torchrun
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dimvida_torch.train_ddp.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(script=os.path.abspath(__file__)))
