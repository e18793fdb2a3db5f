"""`job_views`: what a user sees of a job, folded from its events.

Both clients show the same thing: the terminal watcher (`//clients/watch`) and the
Discord bot's progress messages (`//clients/discord-bot`). A `JobView` is the state of one
job after the events seen so far; `fold(view, event)` applies the next event (job
lifecycle events of any domain, and the metrics events of the domains in
`DOMAIN_EVENT_TYPES`); `view_text` renders it as the few lines a message shows.

    view = None
    for event in events:
        view = fold(view, event)
    print(view_text(view))
"""

from job_views.domains import DOMAIN_EVENT_TYPES, event_types_for
from job_views.view import (
    BAR_WIDTH,
    JobStatus,
    JobView,
    event_job,
    fold,
    progress_bar,
    view_text,
)

__all__ = [
    "BAR_WIDTH",
    "DOMAIN_EVENT_TYPES",
    "JobStatus",
    "JobView",
    "event_job",
    "event_types_for",
    "fold",
    "progress_bar",
    "view_text",
]
