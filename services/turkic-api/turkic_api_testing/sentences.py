"""The real sentences of each language the tests use (see turkic_api.demo_sentences)."""

from turkic_api.demo_sentences import SENTENCES

__all__ = ["SENTENCES"]
