"""Test support for the Discord bot: a local fake of the Discord REST API.

fake = FakeDiscord(token="t", route_limit=5, window_s=0.2)
async with running_server(fake.app()) as server:     # platform_core.http_testing
    ...  # point the bot at f"{server.url}/api/v10"
fake.messages_of(user_id)                            # what each user sees
"""

from discord_bot_testing.fake_discord import FakeDiscord, FakeMessage

__all__ = ["FakeDiscord", "FakeMessage"]
