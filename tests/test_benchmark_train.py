"""benchmarks/train.py: ``--set`` changes the course recipe that trains, field by field, and says
clearly what it cannot set; a smoke run of the course recipe with settings, on the quick data."""

from __future__ import annotations

import pytest

from benchmarks.train import course_namespace, main, with_settings


@pytest.fixture(scope="module")
def notebook() -> dict:
    return course_namespace()


def test_settings_change_the_named_fields_and_nothing_else(notebook: dict) -> None:
    lean = notebook["LEAN"]
    changed = with_settings(
        lean, ["model.patch_size=7", "model.token_keep=0.5", "lr=5e-3", "torch_compile=False"]
    )
    assert (changed.model.patch_size, changed.model.token_keep) == (7, 0.5)
    assert (changed.lr, changed.torch_compile) == (5e-3, False)
    assert changed.model.depth == lean.model.depth and changed.batch_size == lean.batch_size
    assert (lean.model.patch_size, lean.model.token_keep, lean.lr) == (4, 0.2, 3e-3)  # the notebook's own
    assert with_settings(lean, []) == lean


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("model.patch=7", "ViTConfig has no field 'patch'"),
        ("learning_rate=1e-3", "Recipe has no field 'learning_rate'"),
        ("model=None", "Recipe has no field 'model'"),
        ("lr", "write KEY=VALUE"),
        ("lr=fast", "write KEY=VALUE"),
    ],
)
def test_a_setting_it_cannot_apply_stops_with_what_to_write(
    notebook: dict, setting: str, message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        with_settings(notebook["LEAN"], [setting])


@pytest.mark.slow
def test_a_quick_run_trains_the_recipe_with_its_settings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--recipes", "course", "--budget", "4", "--set", "model.patch_size=7"]) == 0
    out = capsys.readouterr().out
    assert "trained: Recipe(model=ViTConfig(image_size=28, patch_size=7" in out
    chosen = "LEAN" if "recipe LEAN" in out else "COURSE"
    assert f"course recipe ({chosen}, model.patch_size=7): 0." in out
