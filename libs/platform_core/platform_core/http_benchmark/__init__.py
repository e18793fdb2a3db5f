"""`bazel run //libs/platform_core:http_benchmark`: the kit's cost per request, as JSON.

A trivial JSON route served by Hypercorn, once through the full kit (`create_app`:
request ids, access log line, error envelope, typed route) and once as a bare Starlette
app on the same server, in the same run, each in its own process; this process keeps
64 keep-alive connections busy (`platform_core.loadgen`) and reports requests/s, p50/p99
latency and the server's CPU time per request.
"""

__all__: list[str] = []  # run as a program (`bazel run`); nothing to import
