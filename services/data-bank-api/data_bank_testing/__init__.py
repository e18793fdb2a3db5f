"""Test support for data-bank-api: fault-injecting collaborators and process harnesses."""
