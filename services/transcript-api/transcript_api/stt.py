"""The speech-to-text pipeline: probe, download, split, transcribe, merge, clean.

1. Probe (yt-dlp): no positive duration is `STT_DURATION_UNKNOWN`; longer than
   `TRANSCRIPT_MAX_VIDEO_SECONDS` (0 = unlimited) is `STT_TOO_LONG`.
2. Download the best audio into a private directory (removed afterwards, chunks too;
   a cancelled job stops the download at its next block and removes the directory).
3. Over `TRANSCRIPT_MAX_FILE_MB` (0 = unlimited) with chunking off is
   `STT_CHUNKING_DISABLED`. With chunking on, audio over that limit, over
   `TRANSCRIPT_CHUNK_THRESHOLD_MB` (0 = unlimited) or longer than the maximum chunk
   duration is split at silences (`transcript_api.chunking`).
4. Chunks are transcribed concurrently (at most `TRANSCRIPT_MAX_CONCURRENT_CHUNKS` at a
   time); the first failure cancels the others and is raised as it is.
5. Segments are merged on the whole audio's timeline and the text is cleaned.

Progress is reported at each stage: 10 downloading, 30 splitting, 40 transcribing, then
up to 90 as chunks finish.
"""

import asyncio
import pathlib
import secrets
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from transcript_api.chunking import MIB, Chunk, Chunker
from transcript_api.errors import chunking_disabled, duration_unknown, too_long
from transcript_api.offload import Offload
from transcript_api.transcript_text import clean_text, merge
from transcript_api.urls import YouTubeVideo
from transcript_api.whisper import Segment, SpeechToText, Transcript
from transcript_api.ytdlp import Probe, YtDlp

Progress = Callable[[int, str], Awaitable[None]]

PROGRESS_DOWNLOADING = 10
PROGRESS_SPLITTING = 30
PROGRESS_TRANSCRIBING = 40
PROGRESS_TRANSCRIBED = 90


async def no_progress(percent: int, message: str) -> None:
    """A `Progress` that reports nowhere (the synchronous endpoint)."""
    del percent, message


@dataclass(frozen=True, slots=True)
class SttLimits:
    """The pipeline's limits; for the three `*_mb`/`*_seconds` limits 0 means unlimited."""

    max_video_seconds: int
    max_file_mb: float
    chunking: bool
    chunk_threshold_mb: float
    max_concurrent_chunks: int


@dataclass(frozen=True, slots=True)
class Probed:
    """A probed video that passed the duration checks."""

    video: YouTubeVideo
    probe: Probe
    duration_s: int


@dataclass(frozen=True, slots=True)
class SttResult:
    """A finished transcription: the cleaned text and the merged segments."""

    video_id: str
    text: str
    segments: tuple[Segment, ...]


def checked_duration(duration: float | None, max_video_seconds: int) -> int:
    """The whole seconds of a video that may be transcribed, or the original's input errors."""
    seconds = int(duration) if duration is not None else 0
    if seconds <= 0:
        raise duration_unknown()
    if max_video_seconds > 0 and seconds > max_video_seconds:
        raise too_long(max_video_seconds)
    return seconds


def _file_size_mb(path: pathlib.Path) -> float:
    return path.stat().st_size / MIB


def _remove_tree(path: pathlib.Path) -> None:
    """Remove the job's directory and what is in it; it is absent if making it failed."""
    if path.exists():
        shutil.rmtree(path)


class SttPipeline:
    """Turns a YouTube video into transcript text with yt-dlp, ffmpeg and Whisper."""

    def __init__(
        self,
        *,
        ytdlp: YtDlp,
        offload: Offload,
        chunker: Chunker,
        stt: SpeechToText,
        limits: SttLimits,
    ) -> None:
        self._ytdlp = ytdlp
        self._offload = offload
        self._chunker = chunker
        self._stt = stt
        self.limits = limits

    async def probe(self, video: YouTubeVideo) -> Probed:
        """Step 1: the video's info, checked against the duration limits."""
        probe = await self._offload.run(self._ytdlp.probe, video)
        duration = checked_duration(probe.info.duration, self.limits.max_video_seconds)
        return Probed(video=video, probe=probe, duration_s=duration)

    async def transcribe(self, probed: Probed, progress: Progress) -> SttResult:
        """Steps 2-5 for a probed video."""
        await progress(PROGRESS_DOWNLOADING, "downloading audio")
        # named here, not by mkdtemp in a thread: a cancellation that arrives while the
        # directory is being made still knows what to remove
        base = self._ytdlp.work_dir or pathlib.Path(await self._offload.run(tempfile.gettempdir))
        workdir = base / f"ytstt_{secrets.token_hex(8)}"
        try:
            await self._offload.run(workdir.mkdir, mode=0o700)
            abort = threading.Event()
            audio = await self._offload.run_stoppable(
                abort.set, self._ytdlp.download_audio, probed.video, probed.probe, workdir, abort
            )
            chunks = await self._chunks(probed, audio, workdir, progress)
            parts = await self._transcribe_all(chunks, progress)
        finally:
            await self._offload.run(_remove_tree, workdir)
        segments = merge(parts)
        return SttResult(
            video_id=probed.video.video_id, text=clean_text(segments), segments=tuple(segments)
        )

    async def _chunks(
        self, probed: Probed, audio: pathlib.Path, workdir: pathlib.Path, progress: Progress
    ) -> list[Chunk]:
        size_mb = await self._offload.run(_file_size_mb, audio)
        limits = self.limits
        over_limit = limits.max_file_mb > 0 and size_mb > limits.max_file_mb
        if over_limit and not limits.chunking:
            raise chunking_disabled()
        over_threshold = limits.chunk_threshold_mb > 0 and size_mb > limits.chunk_threshold_mb
        too_long_for_one = probed.duration_s > self._chunker.limits.max_duration_s
        if not limits.chunking or not (over_limit or over_threshold or too_long_for_one):
            return [Chunk(path=audio, start_s=0.0)]
        await progress(PROGRESS_SPLITTING, "splitting audio")
        return await self._chunker.split(audio, size_mb, workdir)

    async def _transcribe_all(
        self, chunks: list[Chunk], progress: Progress
    ) -> list[tuple[float, Transcript]]:
        total = len(chunks)
        await progress(PROGRESS_TRANSCRIBING, f"transcribing {total} chunk(s)")
        gate = asyncio.Semaphore(self.limits.max_concurrent_chunks)
        done = 0

        async def one(chunk: Chunk) -> tuple[float, Transcript]:
            nonlocal done
            async with gate:
                transcript = await self._stt.transcribe(chunk.path)
            done += 1
            span = PROGRESS_TRANSCRIBED - PROGRESS_TRANSCRIBING
            await progress(
                PROGRESS_TRANSCRIBING + span * done // total, f"transcribed {done}/{total} chunks"
            )
            return chunk.start_s, transcript

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(chunk)) for chunk in chunks]
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
        return [task.result() for task in tasks]
