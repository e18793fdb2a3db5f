"""The notifier's benchmark: events/s from the streams to the fake Discord, and lag.

bazel run //clients/discord-bot:benchmark -- --users 20 --jobs 2 --events 250
"""

from discord_bot_bench.main import Args, Report, main, measure

__all__ = ["Args", "Report", "main", "measure"]
