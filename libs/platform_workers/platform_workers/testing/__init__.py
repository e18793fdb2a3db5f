"""Test support for code that talks to Redis: a private redis-server per test session."""
