"""Test support for turkic-api: real sentences, generated dumps, a fake dumps server,
local dataset files, a tiny trained fastText model."""
