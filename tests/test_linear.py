"""The model file format shared by the bundled models (staranalyzer.linear)."""

from __future__ import annotations

import base64
import gzip
import json
import shutil

import numpy as np
import pytest

from staranalyzer import Analyzer
from staranalyzer.errors import RubricError
from staranalyzer.linear import MAGIC, LogisticModel, SparseLinear, read_arrays
from staranalyzer.sectioning.model import SectionModel

DATA = __import__("staranalyzer").__path__[0] + "/data"


def small_model() -> LogisticModel:
    keys = np.array([3, 17, 2**63 + 5], dtype=np.uint64)
    weights = np.array([[0.5, -1.0], [0.25, 2.0], [-3.0, 0.125]], dtype=np.float32)
    return LogisticModel(keys, weights, {"trainer": "test"}, np.array([0.1, -0.2]), ["a", "b"])


def test_a_model_file_round_trips_byte_for_byte(tmp_path):
    model = small_model()
    model.save(tmp_path / "m.model")
    data = (tmp_path / "m.model").read_bytes()
    assert data.startswith(MAGIC)
    loaded = LogisticModel.from_bytes(data, "test", "model")
    assert loaded.keys.dtype == np.uint64 and (loaded.keys == model.keys).all()
    assert (loaded.weights == model.weights).all() and loaded.labels == ["a", "b"]
    assert np.allclose(loaded.bias, [0.1, -0.2]) and loaded.meta == {"trainer": "test"}
    loaded.keys[0] = 4  # the loaded arrays are the model's own, not views of the file
    loaded.save(tmp_path / "again.model")
    assert (tmp_path / "again.model").read_bytes() != data
    small_model().save(tmp_path / "same.model")
    assert (tmp_path / "same.model").read_bytes() == data


def test_arrays_are_aligned_and_described_in_the_header(tmp_path):
    data = small_model().to_bytes()
    doc = read_arrays(data)
    assert doc["kind"] == "logistic" and doc["n_features"] == 3
    assert doc["keys"].dtype == np.dtype("<u8") and doc["weights"].shape == (3, 2)
    size = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
    assert (len(MAGIC) + 8 + size) % 8 == 0
    header = json.loads(data[len(MAGIC) + 8 : len(MAGIC) + 8 + size])
    assert header["keys"] == {"$array": "<u8", "shape": [3], "offset": 0}
    assert header["weights"]["offset"] % 8 == 0


def test_the_first_format_still_loads():
    model = small_model()
    doc = {
        "kind": "logistic",
        "format": 1,
        "meta": {"trainer": "old"},
        "n_features": 3,
        "outputs": 2,
        "keys": base64.b64encode(model.keys.astype("<u8").tobytes()).decode(),
        "weights": base64.b64encode(model.weights.astype("<f4").tobytes()).decode(),
        "labels": ["a", "b"],
        "bias": [0.1, -0.2],
    }
    old = gzip.compress(json.dumps(doc).encode(), mtime=0)
    loaded = LogisticModel.from_bytes(old, "old.model.gz", "model")
    assert (loaded.keys == model.keys).all() and (loaded.weights == model.weights).all()
    assert loaded.meta == {"trainer": "old"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) - 9],  # cut short
        lambda b: b[:40],  # the header cut
        lambda b: b"not a model at all",
        lambda b: b.replace(b'"kind":"logistic"', b'"kind":"sections"'),
        lambda b: b.replace(b'"n_features":3', b'"n_features":4'),
    ],
)
def test_a_damaged_or_foreign_file_is_a_rubric_error(damage):
    with pytest.raises(RubricError, match="cannot load"):
        LogisticModel.from_bytes(damage(small_model().to_bytes()), "r.yaml", "model")


def test_a_sparse_linear_model_is_not_a_logistic_one():
    data = SparseLinear(np.zeros(0, np.uint64), np.zeros((0, 1), np.float32), {}).to_bytes()
    with pytest.raises(RubricError, match="not a logistic model"):
        LogisticModel.from_bytes(data, "r.yaml", "model")


def test_a_rubric_loads_its_own_model_file_next_to_it(tmp_path):
    shutil.copy(f"{DATA}/sections.model", tmp_path / "mine.model")
    rubric = tmp_path / "mine.yaml"
    rubric.write_text("extends: default\nsectioning:\n  model: mine.model\n", encoding="utf-8")
    text = "Our pager went off nightly. I owned the fix. I rewrote the retry logic. Pages fell 80%."
    mine, bundled = Analyzer(rubric), Analyzer()
    assert isinstance(mine.sectioner.model, SectionModel)
    assert mine.analyze(text).model_dump_json() == bundled.analyze(text).model_dump_json()
    rubric.write_text("extends: default\nsectioning:\n  model: missing.model\n", encoding="utf-8")
    with pytest.raises(RubricError, match="cannot read"):
        Analyzer(rubric)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 500])
def test_distinct_is_numpy_unique_on_keys(n):
    from staranalyzer.linear import distinct

    keys = np.random.default_rng(n).integers(0, 40, n).astype(np.uint64) * np.uint64(2**40)
    assert distinct(keys).dtype == np.uint64
    assert np.array_equal(distinct(keys), np.unique(keys))
