"""Counts Redis round trips of a redis-py client: each request written is one round trip.

Third-party instrumentation for the anchors only (their clients are redis-py 5 and 7):
redis-py writes every command, and every pipeline, with one `send_packed_command`.
"""

from redis.asyncio.connection import Connection


class RoundTrips:
    """The number of requests sent by every redis-py connection in this process."""

    count = 0

    @classmethod
    def install(cls) -> None:
        """Count from now on."""
        send = Connection.send_packed_command

        async def counted(self, command, check_health=True):
            cls.count += 1
            return await send(self, command, check_health)

        Connection.send_packed_command = counted
