"""Seeding and threads."""

import random

import pytest
import torch

from platform_ml import configure_threads, seed_everything


def test_same_seed_same_numbers() -> None:
    seed_everything(7)
    first = (random.random(), torch.rand(3))
    seed_everything(7)
    second = (random.random(), torch.rand(3))
    assert first[0] == second[0]
    assert torch.equal(first[1], second[1])


def test_threads() -> None:
    before = torch.get_num_threads()
    configure_threads(1)
    assert torch.get_num_threads() == 1
    configure_threads(before)
    with pytest.raises(ValueError, match="threads must be >= 1"):
        configure_threads(0)
