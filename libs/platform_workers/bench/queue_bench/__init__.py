"""The job-queue benchmark: the same no-op workload through this queue, saq and arq.

`bazel run //libs/platform_workers:queue_benchmark` starts one private redis-server and
runs each queue's runner (a separate process with its own dependency set), one after
the other, on it; each enqueues the jobs, then processes them with one worker. The
figures (JSON) are per queue: jobs/s enqueued and processed, Redis round trips per job
(counted by each client) and Redis commands per job (the server's INFO commandstats,
commands run inside scripts included).
"""

__all__: list[str] = []  # the modules are the runners; nothing is imported from the package
