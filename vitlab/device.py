"""Pick the fastest available device: CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import torch


def pick_device() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def bfloat16_pays_off(device: torch.device) -> bool:
    """Whether bfloat16 matrix products are clearly faster than float32 here (measured, not guessed).

    True on recent GPUs and on CPUs with bfloat16 matrix units (Intel AMX, 4th-generation Xeon and
    later); on most laptop CPUs bfloat16 is emulated and slower, so training stays in float32.
    """
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    import time

    a, b = torch.randn(1024, 256), torch.randn(256, 512)

    def seconds(dtype: torch.dtype) -> float:
        x, y = a.to(dtype), b.to(dtype)
        x @ y  # warm-up
        start = time.perf_counter()
        for _ in range(5):
            x @ y
        return time.perf_counter() - start

    return seconds(torch.bfloat16) < 0.5 * seconds(torch.float32)
