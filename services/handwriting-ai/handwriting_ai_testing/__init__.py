"""Test support for handwriting-ai: digits drawn for the tests, valid manifests, a
stand-in for data-bank-api's upload."""

from handwriting_ai_testing.drawing import draw_digit
from handwriting_ai_testing.fake_data_bank import FakeDataBank
from handwriting_ai_testing.manifests import manifest_dict, manifest_json
from handwriting_ai_testing.settings import KEY, make_settings

__all__ = ["KEY", "FakeDataBank", "draw_digit", "make_settings", "manifest_dict", "manifest_json"]
