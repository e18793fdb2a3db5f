"""`job_watch`: follow a job, or a whole domain, live from its durable event stream.

    bazel run //clients/watch -- trainer                 # every trainer job, from now
    bazel run //clients/watch -- trainer run-42          # one job, from its first event
    tools/watch qr --from 1733000000000-0                # resume after a stream position

What it shows is what the Discord bot's users see (`job_views`): a progress bar per job
with its status, latest message and metrics, and its outcome when it ends.
"""

from job_watch.follow import WatchSink, follow
from job_watch.main import main, run
from job_watch.render import RichSink

__all__ = ["RichSink", "WatchSink", "follow", "main", "run"]
