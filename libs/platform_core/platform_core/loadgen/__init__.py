"""Load generation for benchmarks and end-to-end tests (a test-only target).

- `Http1Connection` (`http1`): a lean HTTP/1.1 keep-alive client on asyncio streams,
  with streaming parts (`send_head`, `send`, `send_file`, `read_head`, `discard_body`)
  for large bodies.
- `run_load` (`load`): a closed-loop runner, N connections for a time window
  (`ForDuration`), a request count (`ForCount`) or until an event (`UntilSet`), with
  requests/s and latency percentiles; `probe` times one route at an interval.
- `latency` (`stats`): nearest-rank p50/p90/p99/max in milliseconds.
- `child_server` (`launcher`): a server binary in a child process, ready once its
  port accepts connections and a readiness path answers 200, stopped with SIGTERM; its
  CPU time and peak RSS (`proc`).
"""

from platform_core.loadgen.http1 import (
    Header,
    Http1Connection,
    HttpProtocolError,
    Response,
    ResponseHead,
)
from platform_core.loadgen.launcher import (
    LOOPBACK,
    ChildServer,
    ServerStartError,
    ServerStopError,
    child_server,
    free_port,
    import_path,
    inherited_env,
    python_module,
)
from platform_core.loadgen.load import (
    Exchange,
    ForCount,
    ForDuration,
    Limit,
    LoadError,
    LoadFigures,
    Request,
    UntilSet,
    each,
    probe,
    run_load,
)
from platform_core.loadgen.proc import ProcStatsError, cpu_seconds, peak_rss_bytes
from platform_core.loadgen.stats import Latency, latency, percentile

__all__ = [
    "LOOPBACK",
    "ChildServer",
    "Exchange",
    "ForCount",
    "ForDuration",
    "Header",
    "Http1Connection",
    "HttpProtocolError",
    "Latency",
    "Limit",
    "LoadError",
    "LoadFigures",
    "ProcStatsError",
    "Request",
    "Response",
    "ResponseHead",
    "ServerStartError",
    "ServerStopError",
    "UntilSet",
    "child_server",
    "cpu_seconds",
    "each",
    "free_port",
    "import_path",
    "inherited_env",
    "latency",
    "peak_rss_bytes",
    "percentile",
    "probe",
    "python_module",
    "run_load",
]
