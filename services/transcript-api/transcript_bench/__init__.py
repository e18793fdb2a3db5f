"""The captions benchmark: many concurrent `POST /v1/captions` against a slow fake YouTube,
with the API server's event-loop lag measured inside the server."""
