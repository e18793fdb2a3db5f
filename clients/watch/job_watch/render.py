"""Rendering with `rich`: one live progress bar per job, a line per job that ends."""

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.text import Text

from job_views import JobView, view_text

__all__ = ["RichSink"]

_STYLE = {"started": "cyan", "running": "yellow", "completed": "green", "failed": "red"}


def _detail(view: JobView) -> str:
    if view.status == "failed":
        return view.error or ""
    parts = [part for part in (view.message, view.metrics) if part]
    return " · ".join(parts)


class RichSink:
    """A `WatchSink` drawing on a `rich` console (live bars on a terminal, lines elsewhere).

    Use as a context manager: the live display runs while it is entered.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[detail]}"),
            console=console,
            refresh_per_second=8,
        )
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def job(self, view: JobView) -> None:
        """Move the job's bar; print its summary once it has ended."""
        key = (view.domain, view.job_id)
        style = _STYLE[view.status]
        description = f"[bold]{view.domain}[/] {view.job_id} [{style}]{view.status}[/]"
        task = self._tasks.get(key)
        if task is None:
            task = self._progress.add_task(description, detail="")
            self._tasks[key] = task
        self._progress.update(
            task, description=description, completed=view.progress, detail=_detail(view)
        )
        if view.ended:
            self._progress.console.print(Text(view_text(view), style=style))

    def note(self, text: str) -> None:
        """Print a dim line above the bars."""
        self._progress.console.print(Text(text, style="dim"))
