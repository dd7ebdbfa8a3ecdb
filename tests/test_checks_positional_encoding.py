"""Notebook 2's public checks hold literals and invariants; these keep them equal to the hidden oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vitlab.checks import positional_encoding as public
from vitlab.hidden import positional_encoding as hidden


@pytest.mark.parametrize("key", sorted(public.SPOTS))
def test_spot_literals_come_from_the_hidden_oracle(key):
    table = public.SPOTS[key]
    fresh = hidden.spot_table(*key, table["positions"], table["columns"])
    np.testing.assert_allclose(table["expected"], fresh["expected"], atol=1e-11)
    assert set(table["mistakes"]) == set(fresh["mistakes"])
    for name, rows in fresh["mistakes"].items():
        np.testing.assert_allclose(table["mistakes"][name], rows, atol=1e-11)


@pytest.mark.parametrize("key", sorted(public.SPOTS))
def test_every_mistake_is_told_apart_from_the_right_answer_and_the_others(key):
    table = public.SPOTS[key]
    rows = {name: np.array(r) for name, candidates in table["mistakes"].items() for r in candidates[:1]}
    rows["reference"] = np.array(table["expected"])
    names = sorted(rows)
    for a in names:
        for b in names:
            if a < b:
                assert np.abs(rows[a] - rows[b]).max() > 10 * public.SPOT_TOL, (a, b)


@pytest.mark.parametrize("size", [(1, 2), (50, 16), (200, 64)])
def test_the_oracle_satisfies_the_public_invariants(size):
    assert public.invariant_problems(torch.from_numpy(hidden.encoding(*size))) == []


@pytest.mark.parametrize("variant", sorted(hidden.VARIANTS))
def test_the_invariants_or_spots_reject_each_variant(variant):
    pe = torch.from_numpy(hidden.encoding(64, 32, **hidden.VARIANTS[variant])).float()
    outcome = public.Outcome({"encoding": pe})
    verdict = public.judge_encoding("check", {"num_positions": 64, "dim": 32}, outcome)
    assert not verdict.passed and verdict.mistake == variant


@pytest.mark.parametrize("offset", [-7, 0, 1, 13, 100])
def test_the_rotation_oracle_moves_the_encoding(offset):
    pe = hidden.encoding(300, 16)
    p = np.arange(max(0, -offset), min(300, 300 - offset))
    np.testing.assert_allclose(pe[p] @ hidden.rotation(offset, 16).T, pe[p + offset], atol=1e-12)
