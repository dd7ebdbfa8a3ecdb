"""benchmarks/averages.py: the weight averages it keeps beside notebook 6's training, its flip
averaging, and a smoke run of the whole benchmark on the quick recipe."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmarks.averages import FlipAveraged, WeightAverages, main


def test_the_average_starts_at_the_first_weights_then_follows_with_a_warm_decay() -> None:
    weight = nn.Parameter(torch.zeros(3))
    optimizer = torch.optim.SGD([weight], lr=0.1)
    averages = WeightAverages((0.5, 0.95))
    with torch.no_grad():
        weight.fill_(1.0)
    averages.hook(optimizer, (), {})  # t = 0: decay min(d, 1/10) = 0.1, from the weights themselves
    assert torch.allclose(averages.averages[0.5][0], torch.ones(3))
    with torch.no_grad():
        weight.fill_(3.0)
    averages.hook(optimizer, (), {})  # t = 1: decay 2/11 for both: 1 * 2/11 + 3 * 9/11 = 29/11
    assert torch.allclose(averages.averages[0.95][0], torch.full((3,), 29 / 11))
    for _ in range(8):  # t = 2..9: the warm decay (1 + t) / (10 + t) passes 0.5 at t = 8
        averages.hook(optimizer, (), {})
    # with the weights held at 3, both close in on 3 alike until t = 9, where 0.5 caps the decay
    gap_fast, gap_slow = 3 - averages.averages[0.5][0][0], 3 - averages.averages[0.95][0][0]
    assert 0 < gap_fast < gap_slow < 3 - 29 / 11
    assert averages.updates == 10
    assert torch.equal(weight.detach(), torch.full((3,), 3.0))  # the training weights untouched


def test_the_averaged_model_is_a_copy_holding_the_average() -> None:
    model = nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    averages = WeightAverages((0.9,))
    averages.hook(optimizer, (), {})
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        for p in model.parameters():
            p.add_(10.0)
    averaged = averages.model(model, 0.9)
    for original, copied, start in zip(model.parameters(), averaged.parameters(), before, strict=True):
        assert torch.equal(copied, start)  # the average of one update: the weights of that step
        assert torch.equal(original, start + 10.0)


def test_flip_averaging_averages_the_probabilities_of_an_image_and_its_mirror_image() -> None:
    class LeftBright(nn.Module):  # logits: (left half's sum, right half's sum)
        def forward(self, images: torch.Tensor) -> torch.Tensor:
            width = images.shape[-1]
            left, right = images[..., : width // 2], images[..., width // 2 :]  # (B, C, H, W / 2) each
            return torch.stack([left.sum((1, 2, 3)), right.sum((1, 2, 3))], dim=1)  # (B, 2)

    images = torch.zeros(2, 1, 4, 4)
    images[0, ..., :2] = 1.0  # bright on the left
    probabilities = FlipAveraged(LeftBright())(images)  # (B, 2)
    assert probabilities.shape == (2, 2)
    assert torch.allclose(probabilities, torch.full((2, 2), 0.5))  # mirrored, left and right even out


@pytest.mark.filterwarnings("ignore")
def test_a_quick_run_prints_a_result_per_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--budget", "3", "--decays", "0.99,0.999"]) == 0
    printed = capsys.readouterr().out
    results = [line for line in printed.splitlines() if line.startswith("RESULT ")]
    names = [line.split(":")[0] for line in results]
    assert names == ["RESULT trained weights", "RESULT EMA 0.99", "RESULT EMA 0.999"]
    assert any(line.startswith("CPU model: ") for line in printed.splitlines())
    for line in results:
        plain, flipped = (float(part.split()[0]) for part in line.split(": ")[1].split(", "))
        assert 0.0 <= plain <= 1.0 and 0.0 <= flipped <= 1.0
