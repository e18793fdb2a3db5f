"""The blocking read: a request that timed out stops before inference."""

import pathlib

import pytest

from handwriting_ai.errors import PredictTimeoutError
from handwriting_ai.model import DigitResNet
from handwriting_ai.preprocess import Options
from handwriting_ai.reading import ReadLimits, read_digit
from handwriting_ai.store import ModelStore
from handwriting_ai_testing import draw_digit, manifest_json
from platform_ml import module_state, state_dict_bytes

LIMITS = ReadLimits(
    max_bytes=1 << 20,
    max_side_px=2048,
    max_pixels=1 << 24,
    visualize_max_kb=64,
    uncertain_threshold=0.7,
    tta=True,
)


def test_stops_between_stages_and_reads_with_tta(tmp_path: pathlib.Path) -> None:
    store = ModelStore(tmp_path)
    store.install("m", manifest_json("m"), state_dict_bytes(module_state(DigitResNet())))
    model = store.load("m")
    with pytest.raises(PredictTimeoutError):
        read_digit(draw_digit(), Options(), model, LIMITS, lambda: True)
    result = read_digit(draw_digit(), Options(visualize=True), model, LIMITS, lambda: False)
    assert result.model_id == "m"
    assert result.visual_png_b64 is not None
    assert result.uncertain == (result.confidence < 0.7)
