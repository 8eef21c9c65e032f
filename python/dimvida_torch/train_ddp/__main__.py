"""train_ddp [LAUNCH OPTIONS] ae|score|classifier [OPTIONS]: see docs/training-at-scale.md.

Started by torchrun (or a scheduler) that sets RANK/WORLD_SIZE, it runs as one
rank. Otherwise it starts --nproc-per-node ranks itself (env:// rendezvous)."""
import argparse
import os
import sys

from . import launch

COMMANDS = {"ae": "train_ae", "score": "train_score", "classifier": "train_classifier"}


def main(argv=None, script=None):
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="train_ddp.py", description=__doc__.split("\n\n")[0],
                                usage="%(prog)s [--nproc-per-node N] [--nnodes M --node-rank R --master-addr A "
                                      "--master-port P] {ae,score,classifier} …")
    launch.add_arguments(p)
    # The first ae/score that is not a launch option's value splits the launch options from the command's.
    i = next((k for k, w in enumerate(argv) if w in COMMANDS and (k == 0 or not argv[k - 1].startswith("--")
                                                                 or "=" in argv[k - 1])), None)
    if i is None and ("-h" in argv or "--help" in argv):
        p.parse_args(["--help"])
    if i is None:
        p.print_usage(sys.stderr)
        print("train_ddp.py: name a command: ae (the view autoencoder), score (the score model) or classifier",
              file=sys.stderr)
        return 2
    a = p.parse_args(argv[:i])
    a.command, command_argv = argv[i], argv[i + 1:]
    inside = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    if inside or (a.nproc_per_node == 1 and a.nnodes == 1):
        import importlib
        module = importlib.import_module(f".{COMMANDS[a.command]}", __package__)
        module.main(command_argv)
        return 0
    # The ranks run this same program: the script, or this package under python -m.
    worker = [sys.executable] + ([script] if script else ["-m", __package__]) + [a.command] + command_argv
    return launch.launch(a, worker)


if __name__ == "__main__":
    sys.exit(main())
