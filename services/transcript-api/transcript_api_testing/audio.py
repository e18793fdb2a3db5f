"""Test audio made by the real ffmpeg: sine tones with silent gaps between them.

`make_audio(path, [tone(2), silence(1), tone(3)])` writes Opus in WebM (`.webm`) or AAC
in MP4 (`.m4a`), chosen by the file's suffix, mono 48 kHz. Speech stands in for the
tones: silencedetect finds the gaps, so chunking has real places to cut.
"""

import asyncio
import pathlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE_RATE = 48_000
_CODECS = {".webm": ["-c:a", "libopus", "-b:a", "32k"], ".m4a": ["-c:a", "aac", "-b:a", "64k"]}


@dataclass(frozen=True, slots=True)
class Piece:
    """`seconds` of a sine tone at `frequency` Hz, or of silence when `frequency` is 0."""

    seconds: float
    frequency: int


def tone(seconds: float, frequency: int = 440) -> Piece:
    """A sine tone."""
    return Piece(seconds=seconds, frequency=frequency)


def silence(seconds: float) -> Piece:
    """Digital silence."""
    return Piece(seconds=seconds, frequency=0)


class AudioToolError(RuntimeError):
    """ffmpeg could not make the audio (its stderr is the message)."""


def _source(piece: Piece) -> str:
    if piece.frequency:
        return f"sine=f={piece.frequency}:r={SAMPLE_RATE}:d={piece.seconds}"
    return f"anullsrc=r={SAMPLE_RATE}:cl=mono:d={piece.seconds}"


def ffmpeg_args(path: pathlib.Path, pieces: Sequence[Piece]) -> list[str]:
    """The ffmpeg command line that writes `pieces` to `path`."""
    codec = _CODECS.get(path.suffix)
    if codec is None or not pieces:
        raise ValueError(f"need pieces and a .webm or .m4a path, got {path.name}")
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    for piece in pieces:
        args += ["-f", "lavfi", "-i", _source(piece)]
    inputs = "".join(f"[{i}:a]" for i in range(len(pieces)))
    mix = f"{inputs}concat=n={len(pieces)}:v=0:a=1,aformat=channel_layouts=mono[out]"
    return [*args, "-filter_complex", mix, "-map", "[out]", *codec, str(path)]


async def make_audio(path: pathlib.Path, pieces: Sequence[Piece]) -> pathlib.Path:
    """Write `pieces` to `path` with ffmpeg; the path."""
    process = await asyncio.create_subprocess_exec(
        *ffmpeg_args(path, pieces),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise AudioToolError(stderr.decode("utf-8", "replace"))
    return path


MIN_SPAN_S = 0.05  # shorter sounds are codec edges (Opus pre-roll), not tones
_SILENCE = re.compile(r"silence_(start|end):\s*(-?\d+(?:\.\d+)?)")


async def _tool(*args: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode != 0:
        raise AudioToolError(stderr.decode("utf-8", "replace"))
    return stdout + stderr


async def audio_duration(path: pathlib.Path) -> float:
    """The file's duration in seconds (ffprobe)."""
    out = await _tool(
        "ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)
    )
    return float(out.decode().strip())


async def tone_spans(path: pathlib.Path, min_silence_s: float = 0.3) -> list[tuple[float, float]]:
    """`(start, end)` of each sound between silences, in seconds (ffmpeg silencedetect)."""
    duration = await audio_duration(path)
    detect = f"silencedetect=n=-40dB:d={min_silence_s}"
    out = await _tool(
        "ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", detect, "-f", "null", "-"
    )
    spans: list[tuple[float, float]] = []
    start = 0.0
    for match in _SILENCE.finditer(out.decode("utf-8", "replace")):
        kind: str = match.group(1)
        value = float(match.group(2))
        if kind == "start" and value - start > MIN_SPAN_S:
            spans.append((start, value))
        if kind == "end":
            start = value
    if duration - start > min_silence_s:
        spans.append((start, duration))
    return spans
