"""Notebook 7's checks: the reference passes the hidden tests too, every sample fails them, and the
accident the catalogue describes (an optimizer holding frozen parameters moves them) is real."""
from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
import torch
import torch.nn.functional as F

from grader import samples as S
from tests.test_catalogue import namespace
from vitlab.checks.core import CheckFailure
from vitlab.hidden import transfer as hidden

ASSIGNMENT = "07_transfer"
HIDDEN = {"replace_head": hidden.test_replace_head, "freeze_backbone": hidden.test_freeze_backbone,
          "transfer_optimizer": hidden.test_transfer_optimizer}


def run_hidden(ns: dict, exercise: str) -> CheckFailure | None:
    try:
        with redirect_stdout(io.StringIO()):
            HIDDEN[exercise](ns[exercise])
    except CheckFailure as failure:
        return failure
    return None


def test_reference_passes_the_hidden_tests():
    ns = namespace(ASSIGNMENT, S.reference(ASSIGNMENT))
    for exercise in HIDDEN:
        assert run_hidden(ns, exercise) is None, exercise


SAMPLES = [s for s in S.all_samples(ASSIGNMENT) if s.cells]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_every_sample_fails_the_hidden_tests_too(sample):
    ns = namespace(ASSIGNMENT, sample)
    for exercise in sample.cells:
        assert run_hidden(ns, exercise) is not None, f"{sample.name}: hidden {exercise} passed"


def test_an_optimizer_holding_frozen_parameters_moves_them():
    """The catalogue's explanation, measured: zero gradients still move parameters AdamW holds."""
    ns = namespace(ASSIGNMENT, S.reference(ASSIGNMENT))
    torch.manual_seed(0)
    model = hidden.course_vit()
    early = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)  # before freezing
    head = ns["replace_head"](model, 3)
    early.add_param_group({"params": list(head.parameters())})
    ns["freeze_backbone"](model, head)
    right = ns["transfer_optimizer"](model, head, 1e-2, 1e-3, 0.1)
    frozen = model.pos_embed
    frozen.grad = torch.zeros_like(frozen)
    before = frozen.detach().clone()
    for optimizer in (right, early):
        loss = F.cross_entropy(model(torch.randn(2, 1, 28, 28)), torch.tensor([0, 1]))
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
        moved = not torch.equal(before, frozen)
        assert moved == (optimizer is early)
