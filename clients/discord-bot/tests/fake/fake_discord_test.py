"""The fake Discord's own answers: auth, unknown channels and messages, violations."""

from discord_bot_testing import FakeDiscord
from platform_core.http_testing import app_client, json_object

AUTH = {"Authorization": "Bot t"}


def js(**values: str) -> dict[str, str]:
    """A JSON body of strings."""
    return values


async def test_answers() -> None:
    fake = FakeDiscord(token="t", route_limit=1, window_s=60.0)
    async with app_client(fake.app()) as client:
        for method, path in (
            ("POST", "/api/v10/users/@me/channels"),
            ("POST", "/api/v10/channels/1/messages"),
            ("PATCH", "/api/v10/channels/1/messages/2"),
        ):
            assert (await client.request(method, path, json=js())).status_code == 401
        unknown = await client.post(
            "/api/v10/channels/1/messages", json=js(content="x"), headers=AUTH
        )
        assert (unknown.status_code, json_object(unknown)["code"]) == (404, 10003)
        opened = await client.post(
            "/api/v10/users/@me/channels", json=js(recipient_id="5"), headers=AUTH
        )
        channel = json_object(opened)["id"]
        assert opened.headers["x-ratelimit-remaining"] == "0"
        missing = await client.patch(
            f"/api/v10/channels/{channel}/messages/9", json=js(content="x"), headers=AUTH
        )
        assert (missing.status_code, json_object(missing)["code"]) == (404, 10008)
        again = await client.patch(
            f"/api/v10/channels/{channel}/messages/9", json=js(content="x"), headers=AUTH
        )
        assert again.status_code == 429
        # The DM route's bucket is spent: a 429, then a request that ignores it.
        for _ in range(2):
            limited = await client.post(
                "/api/v10/users/@me/channels", json=js(recipient_id="5"), headers=AUTH
            )
            assert limited.status_code == 429
            assert json_object(limited)["global"] is False
    assert (fake.answered_429, fake.violations, fake.requests) == (3, 1, 6)


async def test_messages_and_a_global_limit() -> None:
    fake = FakeDiscord(token="t", blocked=frozenset({6}))
    async with app_client(fake.app()) as client:
        opened = await client.post(
            "/api/v10/users/@me/channels", json=js(recipient_id="5"), headers=AUTH
        )
        channel = json_object(opened)["id"]
        sent = await client.post(
            f"/api/v10/channels/{channel}/messages", json=js(content="a"), headers=AUTH
        )
        message = json_object(sent)["id"]
        edited = await client.patch(
            f"/api/v10/channels/{channel}/messages/{message}", json=js(content="b"), headers=AUTH
        )
        assert edited.status_code == 200
        reopened = await client.post(
            "/api/v10/users/@me/channels", json=js(recipient_id="5"), headers=AUTH
        )
        assert json_object(reopened)["id"] == channel
        fake.limit_globally(5.0)
        limited = await client.post(
            f"/api/v10/channels/{channel}/messages", json=js(content="c"), headers=AUTH
        )
        assert (limited.status_code, json_object(limited)["global"]) == (429, True)
        early = await client.post(
            f"/api/v10/channels/{channel}/messages", json=js(content="d"), headers=AUTH
        )
        assert early.status_code == 200
        blocked = await client.post(
            "/api/v10/users/@me/channels", json=js(recipient_id="6"), headers=AUTH
        )
        refused = await client.post(
            f"/api/v10/channels/{json_object(blocked)['id']}/messages",
            json=js(content="x"),
            headers=AUTH,
        )
        assert (refused.status_code, json_object(refused)["code"]) == (403, 50007)
    first, second = fake.messages_of(5)
    assert (first.content, [c for _, c in first.history]) == ("b", ["a", "b"])
    assert second.content == "d"
    assert fake.violations == 3  # "d", the DM and "x" came while the global limit ran
