"""Typed tasks: declared once with a name, a pydantic payload model and a result model.

class Resize(BaseModel):
    file_id: str
    width: int

class Resized(BaseModel):
    file_id: str
    size: int

RESIZE = Task("resize", Resize, Resized, retry=RetryPolicy(max_attempts=3, backoff_s=2))

async def resize(payload: Resize, ctx: JobContext) -> Resized: ...

job = await queue.enqueue(RESIZE, Resize(file_id="f", width=64), user_id=7)
await run_worker(settings, [RESIZE.handler(resize)])
"""

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from platform_workers.async_queue.context import JobContext

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)

DEFAULT_RESULT_TTL_S = 86_400.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a task's job runs when its handler fails with a system error.

    `max_attempts` counts every start of the job (1 = no retry, the default). Before
    attempt n+1 the job waits `backoff_s * multiplier**(n-1)` seconds, at most
    `max_backoff_s`, in the queue's delayed set (never in a worker's memory). A
    `UserError` or a cancellation is never retried.
    """

    max_attempts: int = 1
    backoff_s: float = 0.0
    multiplier: float = 2.0
    max_backoff_s: float = 3_600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.backoff_s < 0 or self.max_backoff_s < 0:
            raise ValueError("backoff must not be negative")
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")

    def retries_after(self, attempt: int) -> bool:
        """Whether a job whose attempt number `attempt` failed runs again."""
        return attempt < self.max_attempts

    def delay_ms(self, attempt: int) -> int:
        """The wait before the attempt after `attempt`, in ms."""
        base, cap, steps = self.backoff_s, self.max_backoff_s, attempt - 1
        if steps <= 0 or base == 0 or base >= cap or self.multiplier == 1:
            return round(min(base, cap) * 1000)
        # `multiplier ** steps` overflows a float (OverflowError) for a large attempt
        # number: past the number of steps that reaches the cap, the delay is the cap
        if steps >= math.log(cap / base, self.multiplier):
            return round(cap * 1000)
        return round(min(base * self.multiplier**steps, cap) * 1000)


NO_RETRY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class ResultRef:
    """What a job's `completed` event says about its result: an id and a size in bytes."""

    result_id: str
    result_bytes: int


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished handler's result: its JSON and what the `completed` event reports."""

    result_json: str
    ref: ResultRef


class Runnable(Protocol):
    """A task with its handler, as a worker runs it (JSON in, `Completion` out)."""

    @property
    def name(self) -> str:
        """The task's name."""
        ...

    @property
    def retry(self) -> RetryPolicy:
        """The task's retry policy."""
        ...

    @property
    def timeout_s(self) -> float | None:
        """How long one attempt may run."""
        ...

    async def run(self, payload_json: str, ctx: JobContext) -> Completion:
        """Parse the payload, run the handler, encode the result."""
        ...


@dataclass(frozen=True, slots=True)
class Task(Generic[P, R]):
    """A kind of job: `name`, its `payload` and `result` models, and how it runs.

    `timeout_s` bounds one attempt (a timeout is a system failure). `result_ttl_s` is how
    long the job's status and result are kept once it has finished. `describe` says what
    the `completed` event reports (default: the job id and the result's JSON size).
    """

    name: str
    payload: type[P]
    result: type[R]
    retry: RetryPolicy = NO_RETRY
    timeout_s: float | None = None
    result_ttl_s: float = DEFAULT_RESULT_TTL_S
    describe: Callable[[R, str], ResultRef] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.name or any(ch.isspace() for ch in self.name):
            raise ValueError(f"invalid task name {self.name!r}")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.result_ttl_s <= 0:
            raise ValueError(f"result_ttl_s must be positive, got {self.result_ttl_s}")

    def handler(self, fn: Callable[[P, JobContext], Awaitable[R]]) -> "Handler[P, R]":
        """This task run by `fn` (what a worker is given)."""
        return Handler(self, fn)


@dataclass(frozen=True, slots=True)
class Handler(Generic[P, R]):
    """A task bound to the coroutine function that runs it."""

    task: Task[P, R]
    fn: Callable[[P, JobContext], Awaitable[R]]

    @property
    def name(self) -> str:
        """The task's name."""
        return self.task.name

    @property
    def retry(self) -> RetryPolicy:
        """The task's retry policy."""
        return self.task.retry

    @property
    def timeout_s(self) -> float | None:
        """The task's attempt timeout."""
        return self.task.timeout_s

    async def run(self, payload_json: str, ctx: JobContext) -> Completion:
        """Parse the payload, await the handler, encode its result."""
        payload = self.task.payload.model_validate_json(payload_json)
        result = await self.fn(payload, ctx)
        if not isinstance(result, self.task.result):
            raise TypeError(
                f"task {self.name} returned {type(result).__name__}, "
                f"not {self.task.result.__name__}"
            )
        text = result.model_dump_json()
        if self.task.describe is None:
            return Completion(text, ResultRef(ctx.job_id, len(text.encode())))
        return Completion(text, self.task.describe(result, ctx.job_id))
