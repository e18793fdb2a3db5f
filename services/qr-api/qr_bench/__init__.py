"""qr-api's benchmark: a small HTTP/1.1 load generator and the `benchmark` entry point."""
