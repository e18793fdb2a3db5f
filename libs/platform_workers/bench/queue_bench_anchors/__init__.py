"""Anchor runners of the queue benchmark (saq, arq), each built with its own dependencies."""
