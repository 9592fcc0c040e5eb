"""What the training-dashboard tests share."""

#: A small network and light evaluation, so every dashboard test trains in milliseconds.
SMALL = {
    "hidden": 16,
    "depth": 1,
    "batch_size": 64,
    "eval_samples": 256,
    "snapshot_samples": 128,
    "grid_size": 24,
    "manifold_size": 6,
}
