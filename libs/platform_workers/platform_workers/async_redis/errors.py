"""The platform's Redis errors: what callers catch instead of redis-py's exceptions."""


class RedisError(Exception):
    """A Redis operation failed. Base of every error this package raises."""


class RedisConnectionError(RedisError):
    """The connection to Redis could not be made or was lost."""


class RedisTimeoutError(RedisError):
    """Redis did not answer within the client's timeout."""


class RedisCommandError(RedisError):
    """Redis answered a command with an error reply (wrong type, syntax, script error, ...)."""


class RedisScriptMissingError(RedisCommandError):
    """EVALSHA named a script Redis does not have (NOSCRIPT)."""


class RedisReplyError(RedisError):
    """Redis answered with a reply of a shape the command does not produce."""
