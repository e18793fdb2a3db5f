"""`platform_core.http_client`: call an HTTP API and get its answer, typed; nothing retried.

For clients of external APIs (the Discord REST API) and of the platform's services:

    async with open_http("https://discord.com/api/v10", timeout_s=10.0,
                         headers={"Authorization": "Bot ..."}) as http:
        answer = await http.request("POST", "/channels/1/messages", json={"content": "hi"})
        if answer.status == 429: ...
        message = Message.model_validate_json(answer.body)

Every answer comes back, whatever its status (the caller decides what a 4xx means); a
request that gets no answer raises `HttpUnavailableError` (refused, lost) or
`HttpTimeoutError` (no answer within `timeout_s`). Header names are lower case.
"""

from platform_core.http_client.session import (
    HttpAnswer,
    HttpError,
    HttpSession,
    HttpTimeoutError,
    HttpUnavailableError,
    open_http,
)

__all__ = [
    "HttpAnswer",
    "HttpError",
    "HttpSession",
    "HttpTimeoutError",
    "HttpUnavailableError",
    "open_http",
]
