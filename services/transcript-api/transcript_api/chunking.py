"""Splitting long audio at silences with ffmpeg, without blocking the event loop.

`plan_split_points` is the pure part: `n = max(ceil(size / target), ceil(duration /
max_chunk_duration))` equal parts (fixed: the original never split a file under the
target size, however long), each cut point moved to the nearest silence end within
`max(1 s, 30% of a part)`. `Chunker` runs the tools as asyncio subprocesses: `ffprobe`
for the duration, `ffmpeg silencedetect` for silence ends, and one
`ffmpeg -i src -ss S -to E -c copy` per chunk into the source's own container. Output
seeking makes packet-accurate cuts (input seeking would start a WebM chunk at the
previous cluster, seconds early, shifting every timestamp in it); copying into the
source's container cannot hit a codec/container mismatch (the original re-encoded AAC
into `.webm` on its fallback path). A tool that is missing is `STT_FFMPEG_MISSING`; one that
fails or runs past `TRANSCRIPT_FFMPEG_TIMEOUT_SECONDS` is `STT_CHUNK_FAILED`; a tool
still running when its call ends (timeout, job cancelled) is killed. Nothing is
retried and no failure is read as "no silence".
"""

import asyncio
import math
import pathlib
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from transcript_api.errors import chunk_failed, ffmpeg_missing

MIB = 1024 * 1024
SNAP_FRACTION = 0.30
MIN_SNAP_WINDOW_S = 1.0
_SILENCE_END = re.compile(r"silence_end:\s*(-?\d+(?:\.\d+)?)")
_STDERR_TAIL = 300


@dataclass(frozen=True, slots=True)
class ChunkLimits:
    """How big a chunk may be: `target_mb` of audio and `max_duration_s` seconds."""

    target_mb: float
    max_duration_s: float
    silence_db: float
    silence_s: float


@dataclass(frozen=True, slots=True)
class Chunk:
    """One piece of the audio: its file and where it starts in the whole, in seconds."""

    path: pathlib.Path
    start_s: float


def part_count(duration_s: float, size_mb: float, limits: ChunkLimits) -> int:
    """How many parts keep each under the target size and the maximum duration."""
    by_size = math.ceil(size_mb / limits.target_mb)
    by_duration = math.ceil(duration_s / limits.max_duration_s)
    return max(1, by_size, by_duration)


def plan_split_points(duration_s: float, parts: int, silence_ends: Sequence[float]) -> list[float]:
    """Cut points (seconds, ascending, inside `(0, duration)`) for `parts` parts."""
    if parts <= 1:
        return []
    step = duration_s / parts
    ideal = [step * i for i in range(1, parts)]
    window = max(MIN_SNAP_WINDOW_S, duration_s * SNAP_FRACTION / len(ideal))
    points: set[float] = set()
    for point in ideal:
        near = sorted((abs(end - point), end) for end in silence_ends if abs(end - point) <= window)
        points.add(near[0][1] if near else point)
    return sorted(p for p in points if 0 < p < duration_s)


class _Format(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    duration: float


class _Probe(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    format: _Format


class Chunker:
    """Runs ffprobe/ffmpeg (found on PATH by name) to cut audio into chunks."""

    def __init__(
        self,
        limits: ChunkLimits,
        *,
        timeout_s: float,
        ffmpeg: str = "ffmpeg",
        ffprobe: str = "ffprobe",
    ) -> None:
        self.limits = limits
        self._timeout_s = timeout_s
        self._ffmpeg = ffmpeg
        self._ffprobe = ffprobe

    def _tools(self) -> tuple[str, str]:
        ffmpeg = shutil.which(self._ffmpeg)
        ffprobe = shutil.which(self._ffprobe)
        if ffmpeg is None or ffprobe is None:
            raise ffmpeg_missing()
        return ffmpeg, ffprobe

    async def _run(self, args: Sequence[str]) -> tuple[bytes, bytes]:
        name = pathlib.Path(args[0]).name
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(self._timeout_s):
                stdout, stderr = await process.communicate()
        except TimeoutError:
            raise chunk_failed(f"{name} ran longer than {self._timeout_s:g} seconds") from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
            raise chunk_failed(f"{name} exited with status {process.returncode}: {tail}")
        return stdout, stderr

    async def duration(self, audio: pathlib.Path) -> float:
        """The audio's duration in seconds (ffprobe)."""
        _, ffprobe = self._tools()
        stdout, _ = await self._run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "json", str(audio)]
        )
        try:
            return _Probe.model_validate_json(stdout).format.duration
        except ValidationError:
            raise chunk_failed(f"ffprobe reported no duration for {audio.name}") from None

    async def silence_ends(self, audio: pathlib.Path) -> list[float]:
        """Where each silence of at least `silence_s` below `silence_db` ends (seconds)."""
        ffmpeg, _ = self._tools()
        detect = f"silencedetect=n={self.limits.silence_db:g}dB:d={self.limits.silence_s:g}"
        _, stderr = await self._run(
            [ffmpeg, "-hide_banner", "-nostats", "-i", str(audio), "-af", detect, "-f", "null", "-"]
        )
        ends: list[float] = []
        for match in _SILENCE_END.finditer(stderr.decode("utf-8", "replace")):
            value: str = match.group(1)
            ends.append(float(value))
        return ends

    async def split(
        self, audio: pathlib.Path, size_mb: float, out_dir: pathlib.Path
    ) -> list[Chunk]:
        """`audio` (`size_mb` MiB) cut at planned points into `out_dir`; a single chunk is
        `audio` itself."""
        ffmpeg, _ = self._tools()
        duration = await self.duration(audio)
        parts = part_count(duration, size_mb, self.limits)
        if parts == 1:
            return [Chunk(path=audio, start_s=0.0)]
        points = plan_split_points(duration, parts, await self.silence_ends(audio))
        bounds = [0.0, *points]
        chunks: list[Chunk] = []
        for index, start in enumerate(bounds):
            out = out_dir / f"chunk_{index:03d}{audio.suffix}"
            args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-i", str(audio)]
            args += ["-ss", f"{start:.3f}"]
            if index + 1 < len(bounds):
                args += ["-to", f"{bounds[index + 1]:.3f}"]
            args += ["-map", "0:a", "-c", "copy", "-y", str(out)]
            await self._run(args)
            chunks.append(Chunk(path=out, start_s=start))
        return chunks
