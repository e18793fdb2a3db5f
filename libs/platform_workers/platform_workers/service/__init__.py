"""`platform_workers.service`: the main of every worker binary (beside `run_service`).

A worker is its settings and its task list; reading the environment, logging, signals
and the exit status live here:

    def main() -> int:
        return run_worker_service(
            service="orders-worker",
            settings=load_qr_settings,                  # environ -> the service's settings
            worker=lambda s: WorkerSettings(queue="orders", concurrency=s.concurrency),
            tasks=lambda s: [RENDER.handler(render)],   # or an async context manager
        )

    if __name__ == "__main__":
        raise SystemExit(main())
"""

from platform_workers.service.main import (
    EXIT_BAD_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    TaskList,
    WorkerProcessSettings,
    run_worker_service,
)

__all__ = [
    "EXIT_BAD_CONFIG",
    "EXIT_FAILED",
    "EXIT_OK",
    "TaskList",
    "WorkerProcessSettings",
    "run_worker_service",
]
