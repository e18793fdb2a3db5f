"""Generated test audio, measured with ffmpeg."""

import asyncio
import os
import pathlib

import pytest

from transcript_api_testing.audio import (
    AudioToolError,
    audio_duration,
    ffmpeg_args,
    make_audio,
    silence,
    tone,
    tone_spans,
)


@pytest.mark.parametrize("suffix", [".webm", ".m4a"])
async def test_tones_between_silences(tmp_path: pathlib.Path, suffix: str) -> None:
    path = await make_audio(
        tmp_path / f"a{suffix}", [silence(1), tone(2), silence(1), tone(1, 660)]
    )
    assert await audio_duration(path) == pytest.approx(5.0, abs=0.05)
    spans = [edge for span in await tone_spans(path) for edge in span]
    assert spans == pytest.approx([1.0, 3.0, 4.0, 5.0], abs=0.05)


async def test_trailing_silence(tmp_path: pathlib.Path) -> None:
    path = await make_audio(tmp_path / "a.webm", [tone(1), silence(1)])
    ((start, end),) = await tone_spans(path)
    assert (start, end) == pytest.approx((0.0, 1.0), abs=0.05)


def test_args_need_pieces_and_a_known_suffix(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=r"need pieces and a \.webm or \.m4a path"):
        ffmpeg_args(tmp_path / "a.wav", [tone(1)])
    with pytest.raises(ValueError, match="need pieces"):
        ffmpeg_args(tmp_path / "a.webm", [])


async def test_ffmpeg_failures_raise(tmp_path: pathlib.Path) -> None:
    with pytest.raises(AudioToolError):
        await make_audio(tmp_path / "missing-dir" / "a.webm", [tone(1)])
    junk = tmp_path / "junk.webm"
    junk.write_bytes(b"junk")
    with pytest.raises(AudioToolError):
        await audio_duration(junk)


async def test_a_cancelled_measurement_kills_the_tool(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "never.webm"
    os.mkfifo(fifo)
    measuring = asyncio.create_task(audio_duration(fifo))
    writer = -1
    async with asyncio.timeout(10):
        while writer < 0:  # ffprobe has opened the FIFO once a writer can open it too
            await asyncio.sleep(0.01)
            try:
                writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                writer = -1
    measuring.cancel()
    with pytest.raises(asyncio.CancelledError):
        await measuring
    os.close(writer)
