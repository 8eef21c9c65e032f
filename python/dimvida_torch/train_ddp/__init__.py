"""Training the Views networks with PyTorch DistributedDataParallel, one process per device, on one or many
machines, with the C trainers' recipes and file formats (docs/training-at-scale.md)."""
