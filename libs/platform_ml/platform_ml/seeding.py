"""Reproducibility and CPU threads for torch."""

import random

import torch


def seed_everything(seed: int) -> None:
    """Seed Python's `random` and torch (CPU and every CUDA device)."""
    random.seed(seed)
    torch.manual_seed(seed)


def configure_threads(threads: int) -> None:
    """Use `threads` intra-op threads (>= 1) in this process."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    torch.set_num_threads(threads)
