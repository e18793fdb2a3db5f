"""`discord_bot`: the platform's Discord client (the original's bot role).

- `notifier`: one consumer of every domain's durable event stream that keeps one DM per
  user per job up to date, edited in place (state in Redis, resumable, rate-limited).
- `rest`: the Discord REST calls it makes, honouring Discord's rate limits.
- `store`: its durable state in Redis.
"""

from discord_bot.notifier import Notifier, NotifierStats, message_text
from discord_bot.rest import (
    DiscordApiError,
    DiscordForbiddenError,
    DiscordNotFoundError,
    DiscordRest,
    RateLimitStats,
)
from discord_bot.store import JobState, NotifierStore, job_key

__all__ = [
    "DiscordApiError",
    "DiscordForbiddenError",
    "DiscordNotFoundError",
    "DiscordRest",
    "JobState",
    "Notifier",
    "NotifierStats",
    "NotifierStore",
    "RateLimitStats",
    "job_key",
    "message_text",
]
