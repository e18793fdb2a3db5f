"""`LuaScript`: one queue script's contract, named on both sides of the Python/Lua boundary.

A script is a `.lua` file beside this module plus one typed description: a NamedTuple of
its KEYS, a NamedTuple of its ARGV, and the parser of its reply. The Lua side reads its
keys and arguments by name (`KEY.stream`, `ARG.group`): the loader puts a binding made
from the two NamedTuples' field names in front of the file's text, so the order of the
positional KEYS and ARGV Redis passes is written in one place. Per-job keys follow the
named ones and reach Lua as the list `KEY.<each_key>`. A script answers with names too:
a flat list of name, value pairs (`{'verdicts', {...}}`), parsed by `fields`.

Every script's text is, in order: `emit_event.lua` (platform_core.async_events, the one
event emitter), `prelude.lua` (the queue's helpers), the binding, the file.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Generic, Protocol, TypeVar

from platform_core.async_events import EMIT_EVENT_LUA
from platform_workers.async_redis import Arg, RedisClient, RedisReplyError, Reply, Script
from platform_workers.async_redis.reply import as_list, as_str


class KeyNames(Protocol):
    """A script's KEYS: a NamedTuple of strings (its field names are the Lua names)."""

    @property
    def _fields(self) -> tuple[str, ...]: ...

    def __iter__(self) -> Iterator[str]: ...


class ArgNames(Protocol):
    """A script's ARGV: a NamedTuple of Redis arguments (its field names are the Lua names)."""

    @property
    def _fields(self) -> tuple[str, ...]: ...

    def __iter__(self) -> Iterator[Arg]: ...


K = TypeVar("K", bound=KeyNames)
A = TypeVar("A", bound=ArgNames)
R = TypeVar("R")

PRELUDE = files(__package__).joinpath("prelude.lua").read_text()


def source_of(name: str) -> str:
    """The text of the script file `<name>.lua` beside this module."""
    return files(__package__).joinpath(f"{name}.lua").read_text()


def binding(key_names: Sequence[str], arg_names: Sequence[str], each_key: str | None) -> str:
    """The Lua that names KEYS and ARGV: `local KEY = {stream = KEYS[1], ...}`, and
    `KEY.<each_key>` = the KEYS after the named ones."""
    keys = ", ".join(f"{name} = KEYS[{i}]" for i, name in enumerate(key_names, 1))
    args = ", ".join(f"{name} = ARGV[{i}]" for i, name in enumerate(arg_names, 1))
    lines = [f"local KEY = {{{keys}}}"]
    if each_key is not None:
        first = len(key_names) + 1
        lines.append(f"KEY.{each_key} = {{}}")
        lines.append(f"for i = {first}, #KEYS do KEY.{each_key}[i - {first - 1}] = KEYS[i] end")
    lines.append(f"local ARG = {{{args}}}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class LuaScript(Generic[K, A, R]):
    """The script `<name>.lua`: KEYS named by `keys`' fields (`key_names`, which must be
    `keys._fields`), ARGV by `argv`'s, its reply read by `reply`; `each_key` names the
    per-job keys that follow the named ones (None: the script takes none)."""

    name: str
    keys: type[K]
    key_names: tuple[str, ...]
    argv: type[A]
    arg_names: tuple[str, ...]
    reply: Callable[[Reply], R]
    each_key: str | None = None
    script: Script = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = binding(self.key_names, self.arg_names, self.each_key) + source_of(self.name)
        object.__setattr__(self, "script", Script(EMIT_EVENT_LUA + PRELUDE + text))

    async def __call__(
        self, redis: RedisClient, keys: K, argv: A, *, each: Sequence[str] = ()
    ) -> R:
        """Run the script (one round trip once Redis has it) and parse its reply.

        Keys or arguments named otherwise than the description, or per-job keys given to
        a script that takes none, raise `TypeError` before anything is sent.
        """
        if keys._fields != self.key_names or argv._fields != self.arg_names:
            raise TypeError(
                f"{self.name}.lua takes KEYS {self.key_names} and ARGV {self.arg_names}, "
                f"not {keys._fields} and {argv._fields}"
            )
        if each and self.each_key is None:
            raise TypeError(f"{self.name}.lua takes no per-job keys")
        reply = await redis.eval_script(self.script, [*keys, *each], [*argv])
        return self.reply(reply)


def pairs(reply: Reply) -> dict[str, Reply]:
    """A reply of name, value pairs as a dict (a repeated name is `RedisReplyError`)."""
    items = as_list(reply)
    if len(items) % 2:
        raise RedisReplyError(f"expected name, value pairs, got {reply!r}")
    found = {as_str(items[i]): items[i + 1] for i in range(0, len(items), 2)}
    if len(found) * 2 != len(items):
        raise RedisReplyError(f"a name repeats in {reply!r}")
    return found


def fields(reply: Reply, names: Sequence[str]) -> dict[str, Reply]:
    """A reply of name, value pairs with exactly `names` (else `RedisReplyError`)."""
    found = pairs(reply)
    if sorted(found) != sorted(names):
        raise RedisReplyError(f"expected the fields {', '.join(names)}, got {reply!r}")
    return found
