"""The adapters and pipelines built from `TranscriptSettings`, opened and closed together.

The API and the worker both use `open_components`, so both run the same yt-dlp options,
limits and Whisper client settings.
"""

import asyncio
import pathlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from transcript_api.captions import Captions
from transcript_api.chunking import Chunker, ChunkLimits
from transcript_api.offload import Offload
from transcript_api.settings import TranscriptSettings
from transcript_api.stt import SttLimits, SttPipeline
from transcript_api.whisper import RetryPolicy, Whisper, make_openai_client
from transcript_api.ytdlp import YtDlp, YtDlpModule, load_yt_dlp


@dataclass(frozen=True, slots=True)
class Components:
    """What handlers use: captions and the STT pipeline (sharing one yt-dlp pool)."""

    captions: Captions
    stt: SttPipeline


def stt_limits(settings: TranscriptSettings) -> SttLimits:
    """The pipeline's limits from the settings."""
    return SttLimits(
        max_video_seconds=settings.transcript_max_video_seconds,
        max_file_mb=settings.transcript_max_file_mb,
        chunking=settings.transcript_enable_chunking,
        chunk_threshold_mb=settings.transcript_chunk_threshold_mb,
        max_concurrent_chunks=settings.transcript_max_concurrent_chunks,
    )


def chunk_limits(settings: TranscriptSettings) -> ChunkLimits:
    """The chunker's limits from the settings."""
    return ChunkLimits(
        target_mb=settings.transcript_target_chunk_mb,
        max_duration_s=settings.transcript_max_chunk_duration_seconds,
        silence_db=settings.transcript_silence_threshold_db,
        silence_s=settings.transcript_silence_duration_seconds,
    )


WARM_TIMEOUT_S = 120.0


async def warm_sessions(ytdlp: YtDlp, offload: Offload) -> None:
    """Build a yt-dlp session on every pool thread now (see `YtDlp.warm`)."""
    barrier = threading.Barrier(offload.max_workers, timeout=WARM_TIMEOUT_S)
    await asyncio.gather(*(offload.run(ytdlp.warm, barrier) for _ in range(offload.max_workers)))


@asynccontextmanager
async def open_components(
    settings: TranscriptSettings, yt_dlp: YtDlpModule | None = None, *, warm: bool = False
) -> AsyncIterator[Components]:
    """Open the thread pool and the OpenAI client; close both when the block ends.

    `warm`: build every pool thread's yt-dlp session before yielding (the API does, so
    that serving captions never pays that cost; the worker probes rarely and does not).
    """
    offload = Offload(settings.transcript_ytdlp_concurrency, "yt-dlp")
    work_dir = pathlib.Path(settings.transcript_work_dir) if settings.transcript_work_dir else None
    ytdlp = YtDlp(
        yt_dlp or load_yt_dlp(),
        cookies=settings.cookies,
        socket_timeout=settings.transcript_ytdlp_socket_timeout_seconds,
        work_dir=work_dir,
    )
    timeout_s = settings.transcript_stt_timeout_seconds
    client = make_openai_client(
        settings.openai_api_key.get_secret_value(), settings.openai_base_url, timeout_s
    )

    async def read_file(path: pathlib.Path) -> bytes:
        return await offload.run(path.read_bytes)

    whisper = Whisper(
        client,
        timeout_s=timeout_s,
        retries=RetryPolicy(max_retries=settings.transcript_stt_max_retries),
        read_file=read_file,
    )
    chunker = Chunker(chunk_limits(settings), timeout_s=settings.transcript_ffmpeg_timeout_seconds)
    pipeline = SttPipeline(
        ytdlp=ytdlp, offload=offload, chunker=chunker, stt=whisper, limits=stt_limits(settings)
    )
    try:
        if warm:
            await warm_sessions(ytdlp, offload)
        yield Components(captions=Captions(ytdlp=ytdlp, offload=offload), stt=pipeline)
    finally:
        await client.close()
        await offload.run(ytdlp.close)
        await offload.close()
