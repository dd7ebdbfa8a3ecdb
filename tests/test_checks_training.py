"""Notebook 6's checks: literal tables equal to the instructor's oracles, oracles equal to PyTorch's
own schedulers, mistake loops that differ from the reference and are named by both the lab's spies
and the grader's loops, and judges that report their own failures as such."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from instructor import training as hidden
from vitlab.checks import session
from vitlab.checks import training as public
from vitlab.checks.core import Case, Outcome
from vitlab.harness import instruments

# --------------------------------------------------------------------------------------------------
# The schedule


def test_public_schedule_tables_match_the_closed_form():
    tables = hidden.schedule_tables()
    assert set(tables) == set(public.SCHEDULE_RIGHT)
    for key, rows in tables.items():
        assert rows.pop("right") == pytest.approx(public.SCHEDULE_RIGHT[key], abs=1e-10), key
    literal = {name: values for name, _, values in public.SCHEDULE_MISTAKES}
    assert set(literal) == set(tables["W5-T20"]) == set(hidden.SCHEDULE_MISTAKE_FORMULAS)
    for name, values in tables["W5-T20"].items():
        assert literal[name] == pytest.approx(values, abs=1e-10), name


def test_schedule_mistakes_are_distinguishable():
    rows = [tuple(round(v, 6) for v in values) for _, _, values in public.SCHEDULE_MISTAKES]
    rows.append(tuple(round(v, 6) for v in public.SCHEDULE_RIGHT["W5-T20"]))
    assert len(set(rows)) == len(rows)


@pytest.mark.parametrize("W,T,m", [(5, 20, 0.1), (1, 7, 0.0), (4, 30, 0.5), (100, 1000, 0.01)])
def test_closed_form_equals_pytorchs_linear_then_cosine_schedulers(W, T, m):
    """The oracle against torch's own LinearLR + CosineAnnealingLR, chained by SequentialLR."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, 1 / W, 1.0, total_iters=max(1, W - 1))
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T - W, eta_min=m)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[W])
    for step in range(T):
        assert hidden.warmup_cosine_oracle(step, W, T, m) == pytest.approx(
            optimizer.param_groups[0]["lr"], abs=1e-9
        )
        optimizer.step()
        scheduler.step()
    assert hidden.warmup_cosine_oracle(T, W, T, m) == m


def test_total_equal_to_warmup_has_no_decay():
    assert [hidden.warmup_cosine_oracle(s, 3, 3, 0.05) for s in range(5)] == [1 / 3, 2 / 3, 1.0, 0.05, 0.05]


# --------------------------------------------------------------------------------------------------
# Parameter groups


def test_public_group_tables_follow_the_rule():
    for key, (model, frozen, _) in public.GROUPS_CASES.items():
        rule = set(hidden.decays(instruments.build(model))) - set(frozen)
        assert set(public.GROUPS_DECAYED[key]) == rule, key


def test_adamw_measures_the_decay_of_each_group():
    model = instruments.build("tiny_vit", public.random_state("tiny_vit", 0)).double()
    groups = [{"params": [model.head.weight], "weight_decay": 0.3}, {"params": [model.head.bias]}]
    got = instruments.group_effects(model, groups)
    assert float(got["decay/head.weight"]) == pytest.approx(0.3)
    assert float(got["decay/head.bias"]) == pytest.approx(0.01)  # AdamW's default
    assert int(got["member/norm.weight"]) == 0 and got["sizes"].tolist() == [1, 1]


def test_malformed_groups_say_what_is_expected():
    model = instruments.build("tiny_vit")
    with pytest.raises(TypeError, match="list of dicts"):
        instruments.group_effects(model, {"params": list(model.parameters())})
    with pytest.raises(TypeError, match="each group should be a dict"):
        instruments.group_effects(model, [list(model.parameters())])


# --------------------------------------------------------------------------------------------------
# The loops


def test_public_train_fingerprints_match_the_reference_loop():
    tables = hidden.train_tables()
    assert set(tables) == set(public.TRAIN_FINGERPRINTS)
    for key, table in tables.items():
        literal = public.TRAIN_FINGERPRINTS[key]
        # float32 training: the thread count alone moves the last digits (the judge allows 1e-4)
        assert literal["state"] == pytest.approx(table["state"], rel=1e-5, abs=1e-7), key
        flat = [v for row in table["reported"] for v in row]
        assert [v for row in literal["reported"] for v in row] == pytest.approx(flat, rel=1e-6), key


def test_public_evaluate_fingerprints_match_the_reference():
    tables = hidden.evaluate_tables()
    assert set(tables) == set(public.EVALUATE_FINGERPRINTS)
    for key, values in tables.items():
        assert list(public.EVALUATE_FINGERPRINTS[key]) == pytest.approx(list(values), rel=1e-6), key


def test_fingerprints_see_a_small_change_of_the_weights():
    g = torch.Generator().manual_seed(0)
    weight = torch.randn(16, 64, generator=g)
    moved = weight + 1e-3 * torch.randn(16, 64, generator=g)  # about a tenth of one SGD step's change
    assert abs(public.fingerprint(weight) - public.fingerprint(moved)) > 1e-4


def test_public_inputs_are_the_same_every_time():
    for key, spec in public.TRAIN_CASES.items():
        a, b = public.train_inputs(key=key, **spec), public.train_inputs(key=key, **spec)
        assert all(torch.equal(x, y) for (x, _), (y, _) in zip(a["batches"], b["batches"], strict=True))
        assert all(torch.equal(a["state"][k], b["state"][k]) for k in a["state"])


def _public_inputs(exercise: str):
    cases = public.TRAIN_CASES if exercise == "train" else public.EVALUATE_CASES
    make = public.train_inputs if exercise == "train" else public.evaluate_inputs
    return [make(key=key, **spec) for key, spec in cases.items()]


def test_every_mistake_loop_changes_the_effects_of_the_first_public_case():
    inputs = _public_inputs("train")[0]
    reference = hidden.train_oracle(inputs, Outcome())
    for mistake in [m for m in hidden.TRAIN_MISTAKES if m.catalogued]:  # a summed loss hides behind clipping
        assert not public.effects_match(mistake.produce(inputs, Outcome()), reference), mistake.name
    inputs = _public_inputs("evaluate")[0]
    reference = hidden.evaluate_oracle(inputs, Outcome())
    for mistake in hidden.EVALUATE_MISTAKES:
        assert not public.effects_match(mistake.produce(inputs, Outcome()), reference), mistake.name


LOOP_MISTAKES = [
    (m.name, loop)
    for m, loop in zip(
        [m for m in hidden.TRAIN_MISTAKES if m.catalogued],
        [
            hidden.Loop(mode="eval"),
            hidden.Loop(mode="flag"),
            hidden.Loop(zero_grad="never"),
            hidden.Loop(zero_grad="after"),
            hidden.Loop(scheduler="before"),
            hidden.Loop(scheduler="epoch"),
            hidden.Loop(clip=False),
            hidden.Loop(softmax=True),
            hidden.Loop(smoothing=False),
            hidden.Loop(averages="batch"),
            hidden.Loop(averages="batch accuracy"),
            hidden.Loop(averages="batch loss"),
        ],
        strict=True,
    )
]


@pytest.mark.parametrize(
    "name,loop", LOOP_MISTAKES, ids=[f"{n[:30]}-{i}" for i, (n, _) in enumerate(LOOP_MISTAKES)]
)
def test_lab_spies_and_grader_loops_name_the_same_train_mistake(name, loop):
    for grading in (False, True):
        result = session.in_process("test_train_one_epoch", [loop], hidden=grading)
        assert not result.passed
        assert name in [v.mistake for v in result.failures], (grading, result.summary())


def test_a_summed_loss_is_named_by_the_grader():
    """Hidden only: the public literal tables tell the weights are wrong, not how."""
    loop = hidden.Loop(reduction="sum")
    name = next(m.name for m in hidden.TRAIN_MISTAKES if not m.catalogued)
    assert name not in [
        v.mistake for v in session.in_process("test_train_one_epoch", [loop], hidden=False).failures
    ]
    graded = session.in_process("test_train_one_epoch", [loop], hidden=True)
    assert name in [v.mistake for v in graded.failures], graded.summary()
    assert not any(v.checker_error for v in graded.verdicts)


EVALUATION_MISTAKES = [
    (m.name, e)
    for m, e in zip(
        hidden.EVALUATE_MISTAKES,
        [
            hidden.Evaluation(mode="none"),
            hidden.Evaluation(mode="flag"),
            hidden.Evaluation(restore="none"),
            hidden.Evaluation(restore="flag"),
            hidden.Evaluation(averages="batch"),
            hidden.Evaluation(smoothing=0.1),
            hidden.Evaluation(softmax=True),
        ],
        strict=True,
    )
]


@pytest.mark.parametrize(
    "name,evaluation",
    EVALUATION_MISTAKES,
    ids=[f"{n[:30]}-{i}" for i, (n, _) in enumerate(EVALUATION_MISTAKES)],
)
def test_lab_spies_and_grader_loops_name_the_same_evaluate_mistake(name, evaluation):
    for grading in (False, True):
        result = session.in_process("test_evaluate", [evaluation], hidden=grading)
        assert name in [v.mistake for v in result.failures], (grading, result.summary())


def test_the_reference_loops_pass():
    assert session.in_process("test_train_one_epoch", [hidden.Loop()], hidden=True).passed
    assert session.in_process("test_evaluate", [hidden.Evaluation()], hidden=True).passed


# --------------------------------------------------------------------------------------------------
# Judges: the student's odd outputs get clear messages, the checker's own failures are said to be ours


def test_a_tuple_instead_of_a_dict_is_explained():
    def returns_tuple(model, loader, device):
        return hidden.Evaluation()(model, loader, device)["loss"], 0.5

    result = session.in_process("test_evaluate", [returns_tuple], hidden=False)
    assert "should return a dict" in result.summary() and result.status == session.FAILED


def test_a_tensor_loss_is_not_a_python_float():
    def tensor_loss(model, loader, device):
        stats = hidden.Evaluation()(model, loader, device)
        return {"loss": torch.tensor(stats["loss"]), "accuracy": stats["accuracy"]}

    result = session.in_process("test_evaluate", [tensor_loss], hidden=False)
    assert "Python float" in result.summary() and ".item()" in result.summary()


def test_the_loader_of_train_one_epoch_has_no_dataset():
    loader = instruments.Batches(public.make_batches([2, 2], 0), dataset=False)
    with pytest.raises(AttributeError, match="count the images as they come"):
        len(loader.dataset)
    assert len(instruments.Batches(public.make_batches([2, 3], 0), dataset=True).dataset) == 5


def test_a_broken_outcome_is_never_the_students_mistake():
    case = public.TRAIN.public[0]
    inputs = case.inputs()
    verdict = public.TRAIN.verdict(case, inputs, Outcome(tensors={"reported": torch.zeros(1, 2)}))
    assert not verdict.passed and verdict.mistake is None
    assert "came back" in verdict.message or verdict.checker_error
    case = public.SCHEDULE.public[0]
    outputs = {"factors": torch.zeros(3), "kinds": torch.zeros(3), "lrs": torch.zeros(3)}
    verdict = public.SCHEDULE.verdict(case, case.inputs(), Outcome(tensors=outputs))
    assert verdict.checker_error and "checker itself failed" in verdict.message


def test_messages_use_parameter_names():
    def decays_everything(model, weight_decay):
        return [{"params": [p for p in model.parameters() if p.requires_grad], "weight_decay": weight_decay}]

    text = session.in_process("test_parameter_groups", [decays_everything], hidden=False).summary()
    assert "patch_embed.bias (expected 0, got 0.05)" in text and "values differ" not in text


def test_schedule_message_says_where_the_schedule_breaks():
    def safe_division(step, warmup_steps, total_steps, min_factor=0.0):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))

    text = session.in_process("test_warmup_cosine", [safe_division], hidden=False).summary()
    assert "step 4, at the floor" in text and "total_steps == warmup_steps" in text


def test_effect_exercise_passes_custom_judges_through():
    seen = []
    case = Case("custom", lambda: {}, judge=lambda c, i, o: seen.append(c) or public.Verdict(True, c))
    assert public.SCHEDULE.verdict(case, {}, Outcome()).passed and seen


@pytest.mark.parametrize("grade_id", ["test_train_one_epoch", "test_evaluate"])
def test_the_reference_does_not_depend_on_the_thread_count(grade_id):
    """The grader runs the reference outside and the student's code in the sandbox: a correct answer
    must not fail because the two use different numbers of threads (AdamW's eps, see instructor)."""
    training = grade_id == "test_train_one_epoch"
    exercise = public.TRAIN if training else public.EVALUATE
    before = torch.get_num_threads()
    try:
        for case in [*exercise.public, *hidden.HIDDEN[grade_id]]:
            inputs = case.inputs()
            runs = []
            for threads in (1, 2):  # run the reference itself: hidden.ORACLES keep what they computed
                torch.set_num_threads(threads)
                run = (
                    instruments.TrainingRun(inputs).run(hidden.Loop())
                    if training
                    else instruments.EvaluationRun(inputs).run(hidden.Evaluation())
                )
                runs.append(public.effects(run))
            assert public.effects_match(runs[0], runs[1]), case.name
    finally:
        torch.set_num_threads(before)


def test_reference_runs_are_kept_per_inputs():
    inputs = public.TRAIN.public[0].inputs()
    first = hidden.train_oracle(inputs, Outcome())
    assert hidden.train_oracle(public.TRAIN.public[0].inputs(), Outcome()) is first  # same content, kept
    other = public.TRAIN.public[1].inputs()
    assert hidden.train_oracle(other, Outcome()) is not first


# --------------------------------------------------------------------------------------------------
# The label-smoothed cross-entropy


def _smoothed_cases():
    return [*public.SMOOTHED.public, *hidden.HIDDEN["test_smoothed_cross_entropy"]]


def test_public_smoothed_mistake_tables_match_the_instructors_formulas():
    tables = hidden.smoothed_tables()
    assert set(tables) == set(public.SMOOTHED_MISTAKES) == set(public.SMOOTHED_CATALOGUE)
    for name, row in tables.items():
        assert set(row) == set(public.SMOOTHED_MISTAKES[name]), name
        for key, value in row.items():
            assert public.SMOOTHED_MISTAKES[name][key] == pytest.approx(value, rel=1e-12, abs=1e-12), (
                name,
                key,
            )


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.37, 1.0])
def test_the_instructors_answer_is_pytorchs_label_smoothing(smoothing):
    """The grader's from-scratch oracle and the lab's built-in one agree, values and gradients, also
    against nn.CrossEntropyLoss (the module the text names)."""
    for case in _smoothed_cases():
        inputs = {**case.inputs(), "smoothing": smoothing}
        mine, builtin = hidden.smoothed_answer(inputs), public.smoothed_oracle(inputs)
        logits = inputs["logits"].clone().requires_grad_(True)
        loss = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)(logits, inputs["targets"])
        loss.backward()
        for key, want in (("loss", loss.detach()), ("gradient", logits.grad)):
            assert torch.allclose(mine[key], builtin[key], rtol=1e-10, atol=1e-12), (case.name, key)
            assert torch.allclose(mine[key], want, rtol=1e-10, atol=1e-12), (case.name, key)


def test_smoothed_mistakes_differ_from_the_answer_and_from_each_other():
    """Every mistake changes the loss of some public case, and no two give the same losses."""
    rows = {
        name: tuple(round(row.get(k, math.nan), 8) for k in public.SMOOTHED_CASES)
        for name, row in public.SMOOTHED_MISTAKES.items()
    }
    assert all(public.SMOOTHED_MISTAKES.values())
    assert len(set(rows.values())) == len(rows)


def test_every_smoothed_mistake_is_named_on_the_hidden_cases_by_its_code():
    """On a case without literal losses (hidden), the instructor's code names each mistake."""
    for name, formula in hidden.SMOOTHED_MISTAKE_FORMULAS.items():
        named = 0
        for case in hidden.HIDDEN["test_smoothed_cross_entropy"]:
            inputs = case.inputs()
            made = hidden._smoothed_outputs(formula, inputs)
            if made is None or torch.allclose(made["loss"], hidden.smoothed_answer(inputs)["loss"]):
                continue
            outcome = Outcome(tensors={**made, "returned": torch.tensor(0), "graph": torch.tensor(1)})
            verdict = public.SMOOTHED.verdict(
                case,
                inputs,
                outcome,
                oracle=hidden.smoothed_answer,
                mistakes=hidden.MISTAKES["test_smoothed_cross_entropy"],
            )
            # mistakes with the same loss here (B=1: log_softmax over dim 0 is 0, as truncated targets)
            alike = {
                other
                for other, f in hidden.SMOOTHED_MISTAKE_FORMULAS.items()
                if (o := hidden._smoothed_outputs(f, inputs)) is not None
                and torch.allclose(o["loss"], made["loss"])
            }
            assert not verdict.passed and verdict.mistake in alike, (name, case.name, verdict.message)
            named += verdict.mistake == name
        assert named, f"no hidden case shows {name}"


def test_alternative_smoothed_answers_pass():
    def one_hot_mixing(logits, targets, smoothing):
        K = logits.shape[-1]
        q = (1 - smoothing) * F.one_hot(targets, K).to(logits.dtype) + smoothing / K
        return -(q * F.log_softmax(logits, dim=-1)).sum(dim=-1).mean()

    def logsumexp(logits, targets, smoothing):
        log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
        nll = -log_p[torch.arange(len(targets)), targets]
        return ((1 - smoothing) * nll - smoothing * log_p.mean(1)).mean()

    for answer in (one_hot_mixing, logsumexp):
        result = session.in_process("test_smoothed_cross_entropy", [answer], hidden=True)
        assert result.passed, result.summary()


def test_smoothed_messages_name_what_came_back():
    def per_image_float(logits, targets, smoothing):
        return [0.0] * len(targets)

    text = session.in_process("test_smoothed_cross_entropy", [per_image_float], hidden=False).summary()
    assert "as a tensor" in text
    case = public.SMOOTHED.public[0]
    inputs = case.inputs()
    right = public.smoothed_oracle(inputs)
    wrong = {"loss": right["loss"] + 1.0, "returned": torch.tensor(0), "graph": torch.tensor(1)}
    verdict = public.SMOOTHED.verdict(case, inputs, Outcome(tensors=wrong))
    assert (
        not verdict.passed and verdict.mistake is None and "q = (1 - s) * one_hot + s / K" in verdict.message
    )
    cut = {
        **right,
        "returned": torch.tensor(0),
        "graph": torch.tensor(1),
        "gradient": right["gradient"] * 0.5,
    }
    verdict = public.SMOOTHED.verdict(case, inputs, Outcome(tensors=cut))
    assert not verdict.passed and "gradient" in verdict.message


@pytest.mark.parametrize(
    "answer, test_id",
    [("eval_wrong_tensor_results", "test_evaluate"), ("train_wrong_tensor_loss", "test_train_one_epoch")],
)
def test_a_tensor_returned_for_a_float_is_named(answer, test_id):
    from grader import samples

    sample = samples.load(samples.CORPUS / "06_training" / f"{answer}.py")
    result = samples.judge("06_training", sample, hidden=False)[test_id]
    assert public.TENSOR_NOT_FLOAT in [v.mistake for v in result.failures], result.summary()
