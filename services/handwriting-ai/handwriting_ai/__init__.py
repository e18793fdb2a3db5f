"""handwriting-ai: single-digit recognition over HTTP, training as queued jobs (README.md)."""
