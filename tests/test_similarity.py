"""Similarity review: planted copies (renamed variables, reordered lines) rank above independent answers;
identical wrong outputs count, identical correct ones and typical mistakes barely or not at all."""

from __future__ import annotations

import copy

import pytest

from grader.autograde import similarity
from tests import classroom as C

SIGNATURE = "def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:\n"
INDEPENDENT = {
    "ana": SIGNATURE
    + """\
    batch, channels, height, width = images.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError(f"{height}x{width} images do not split into {p}x{p} patches")
    grid = images.reshape(batch, channels, height // p, p, width // p, p)
    grid = grid.permute(0, 2, 4, 1, 3, 5)
    return grid.reshape(batch, (height // p) * (width // p), channels * p * p)
""",
    "ben": SIGNATURE
    + """\
    B, C, H, W = images.shape
    assert H % patch_size == 0 and W % patch_size == 0, "image size must be a multiple of the patch size"
    rows, cols = H // patch_size, W // patch_size
    x = images.view(B, C, rows, patch_size, cols, patch_size)
    x = torch.einsum("bcipjq->bijcpq", x)
    return x.flatten(3).flatten(1, 2)
""",
    "cat": SIGNATURE
    + """\
    n, c, h, w = images.size()
    if h % patch_size != 0:
        raise ValueError("height")
    if w % patch_size != 0:
        raise ValueError("width")
    out = images.unflatten(2, (h // patch_size, patch_size)).unflatten(4, (w // patch_size, patch_size))
    out = out.movedim(1, 3).movedim(2, 4)
    return out.contiguous().view(n, -1, c * patch_size ** 2)
""",
    "dev": SIGNATURE
    + """\
    size = patch_size
    b, c, h, w = images.shape
    if (h % size) + (w % size):
        raise ValueError("the patch size must divide both sides")
    tiles = images.reshape(b, c, h // size, size, w // size, size).transpose(2, 3)
    tiles = tiles.reshape(b, c, size, -1, size).permute(0, 3, 1, 2, 4)
    return tiles.reshape(b, (h // size) * (w // size), -1)
""",
}
PLANTED = {
    # ana's answer with every name changed
    "eve": SIGNATURE
    + """\
    nb, nc, rows, cols = images.shape
    s = patch_size
    if rows % s or cols % s:
        raise ValueError(f"{rows}x{cols} images do not split into {s}x{s} patches")
    t = images.reshape(nb, nc, rows // s, s, cols // s, s)
    t = t.permute(0, 2, 4, 1, 3, 5)
    return t.reshape(nb, (rows // s) * (cols // s), nc * s * s)
""",
    # ben's answer with independent lines moved and names changed
    "fox": SIGNATURE
    + """\
    B, C, H, W = images.shape
    gh, gw = H // patch_size, W // patch_size
    assert H % patch_size == 0 and W % patch_size == 0, "image size must be a multiple of the patch size"
    y = images.view(B, C, gh, patch_size, gw, patch_size)
    y = torch.einsum("bcipjq->bijcpq", y)
    return y.flatten(3).flatten(1, 2)
""",
}


def notebook_with(answer: str | None):
    nb = copy.deepcopy(C.release())
    if answer is not None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "patchify":
                cell.source = answer
    return nb


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    out = tmp_path_factory.mktemp("similarity") / "out"
    answers = {**INDEPENDENT, **PLANTED, "gil": None, "hal": None}  # two left everything blank
    results = [C.result(s, C.graded()) for s in answers]
    C.write_run(out, "20261010T000000Z", results, {r.key: notebook_with(answers[r.student]) for r in results})
    return out, similarity.review(out)


def test_planted_copies_rank_above_every_independent_pair(ranked):
    _, pairs = ranked
    order = [{p.a, p.b} for p in pairs]
    assert order[:2] == [{"ana", "eve"}, {"ben", "fox"}] or order[:2] == [{"ben", "fox"}, {"ana", "eve"}]
    planted = min(p.score for p in pairs[:2])
    independent = [p for p in pairs if {p.a, p.b} <= set(INDEPENDENT)]
    assert len(independent) == 6 and max(p.score for p in independent) < planted


def test_the_starter_code_is_no_evidence(ranked):
    _, pairs = ranked
    (blank,) = [p for p in pairs if {p.a, p.b} == {"gil", "hal"}]
    assert blank.code == 0 and blank.score == 0


def test_the_page_shows_the_pairs_side_by_side_with_the_shared_code_marked(ranked):
    out, pairs = ranked
    page = similarity.write(out, pairs, top=3).read_text()
    assert "never a penalty" in page and page.count("<table class='side'>") == 3 and "<mark>" in page
    assert (out / "report" / "similarity.json").exists()


def wrong(student, prints, mistake=None):
    """A result whose test_patchify fails two cases with the given output fingerprints."""
    checks = [C.check("case 0", False, mistake), C.check("case 1", False, mistake), C.check("case 2", True)]
    cells = [C.cell("test_patchify", 4, checks)]
    return C.result(student, cells, fingerprints={f"test_patchify/{i}": f for i, f in enumerate(prints)})


def test_identical_wrong_outputs_count_and_correct_or_typical_ones_barely():
    odd = similarity.behaviour(wrong("a", ["x1", "x2", "ok"]), wrong("b", ["x1", "x2", "ok"]))
    assert odd == (2, 0)  # two identical wrong outputs; the identical correct one is not counted
    typical = similarity.behaviour(
        wrong("a", ["m1", "m2", "ok"], "softmax over the wrong axis"),
        wrong("b", ["m1", "m2", "ok"], "softmax over the wrong axis"),
    )
    assert typical == (0, 2)
    assert similarity.behaviour(wrong("a", ["x1", "x2", "ok"]), wrong("b", ["y1", "y2", "ok"])) == (0, 0)
    same = [
        similarity.Answer(s, "", r)
        for s, r in [
            ("a", wrong("a", ["x1", "x2", "ok"])),
            ("b", wrong("b", ["x1", "x2", "ok"])),
            ("c", wrong("c", ["z1", "z2", "ok"], "a typical one")),
            ("d", wrong("d", ["z1", "z2", "ok"], "a typical one")),
        ]
    ]
    pairs = sorted(similarity.compare("01_patchify", "patchify", same, ""), key=lambda p: -p.score)
    assert {pairs[0].a, pairs[0].b} == {"a", "b"} and {pairs[1].a, pairs[1].b} == {"c", "d"}
