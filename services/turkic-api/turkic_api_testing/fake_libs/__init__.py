"""Stand-ins for py3langid and fasttext that break the adapters' expectations, one way
each (the adapters take the module's name)."""
