"""fasttext whose `load_model` is not a function."""

load_model = 3
