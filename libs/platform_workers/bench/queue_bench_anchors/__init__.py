"""Anchor runners of the queue benchmark (saq, arq), each built with its own dependencies."""

__all__: list[str] = []  # the modules are the runners; nothing is imported from the package
