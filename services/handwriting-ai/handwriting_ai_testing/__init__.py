"""Test support for handwriting-ai: digits drawn for the tests, valid manifests."""

from handwriting_ai_testing.drawing import draw_digit
from handwriting_ai_testing.manifests import manifest_dict, manifest_json

__all__ = ["draw_digit", "manifest_dict", "manifest_json"]
