"""Splitting at silences with the real ffmpeg, and the pure split plan."""

import pathlib

import pytest

from transcript_api.chunking import MIB, Chunker, ChunkLimits, part_count, plan_split_points
from transcript_api.errors import TranscriptError
from transcript_api_testing.audio import audio_duration, make_audio, silence, tone

PIECES = [tone(1), silence(1), tone(1, 550), silence(1), tone(1, 660), silence(1), tone(1, 770)]


def limits(target_mb: float = 100.0, max_duration_s: float = 600.0) -> ChunkLimits:
    return ChunkLimits(
        target_mb=target_mb, max_duration_s=max_duration_s, silence_db=-40.0, silence_s=0.5
    )


@pytest.mark.parametrize(
    ("duration", "size", "expected"),
    [(7.0, 1.0, 1), (7.0, 250.0, 3), (1500.0, 1.0, 3), (0.0, 0.0, 1), (601.0, 5.0, 2)],
)
def test_part_count(duration: float, size: float, expected: int) -> None:
    assert part_count(duration, size, limits(target_mb=100, max_duration_s=600)) == expected


def test_split_plan_snaps_to_nearby_silence_ends() -> None:
    assert plan_split_points(7.0, 3, [2.0, 4.0, 6.0]) == [2.0, 4.0]


def test_split_plan_keeps_ideal_points_without_silence_near() -> None:
    assert plan_split_points(30.0, 3, [0.5, 29.9]) == [10.0, 20.0]


def test_split_plan_merges_points_snapped_together() -> None:
    assert plan_split_points(4.0, 4, [2.0]) == [2.0]


def test_split_plan_of_one_part_is_empty() -> None:
    assert plan_split_points(100.0, 1, [50.0]) == []


def test_split_plan_drops_points_at_the_ends() -> None:
    assert plan_split_points(2.0, 2, [0.0]) == []


@pytest.fixture()
async def speech(tmp_path: pathlib.Path) -> pathlib.Path:
    return await make_audio(tmp_path / "audio.webm", PIECES)


async def test_a_long_file_is_cut_at_silences(speech: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "chunks"
    out.mkdir()
    chunker = Chunker(limits(max_duration_s=2.5), timeout_s=60)
    chunks = await chunker.split(speech, 0.01, out)
    assert [c.path.name for c in chunks] == ["chunk_000.webm", "chunk_001.webm", "chunk_002.webm"]
    assert [c.start_s for c in chunks] == pytest.approx([0.0, 2.0, 4.0], abs=0.05)
    durations = [await audio_duration(c.path) for c in chunks]
    assert durations == pytest.approx([2.0, 2.0, 3.0], abs=0.1)


async def test_a_large_m4a_is_cut_into_m4a_chunks(tmp_path: pathlib.Path) -> None:
    audio = await make_audio(tmp_path / "audio.m4a", PIECES)
    size_mb = audio.stat().st_size / MIB
    out = tmp_path / "chunks"
    out.mkdir()
    chunker = Chunker(limits(target_mb=size_mb / 2.5), timeout_s=60)
    chunks = await chunker.split(audio, size_mb, out)
    assert [c.path.suffix for c in chunks] == [".m4a"] * 3
    assert [c.start_s for c in chunks] == pytest.approx([0.0, 2.0, 4.0], abs=0.05)


async def test_a_small_short_file_is_one_chunk(
    speech: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    chunks = await Chunker(limits(), timeout_s=60).split(speech, 0.01, tmp_path)
    assert [(c.path, c.start_s) for c in chunks] == [(speech, 0.0)]


async def test_silence_ends(speech: pathlib.Path) -> None:
    ends = await Chunker(limits(), timeout_s=60).silence_ends(speech)
    assert ends == pytest.approx([2.0, 4.0, 6.0], abs=0.05)


async def test_missing_tools(speech: pathlib.Path) -> None:
    chunker = Chunker(limits(), timeout_s=60, ffmpeg="no-such-ffmpeg")
    with pytest.raises(TranscriptError) as caught:
        await chunker.silence_ends(speech)
    assert (caught.value.code, caught.value.kind) == ("STT_FFMPEG_MISSING", "user")
    assert caught.value.message == "ffmpeg/ffprobe not available; cannot chunk audio"


async def test_a_file_that_is_not_audio(tmp_path: pathlib.Path) -> None:
    junk = tmp_path / "audio.webm"
    junk.write_bytes(b"not audio at all")
    with pytest.raises(TranscriptError) as caught:
        await Chunker(limits(), timeout_s=60).duration(junk)
    assert caught.value.code == "STT_CHUNK_FAILED"
    assert caught.value.message.startswith("Chunked transcription failed: ffprobe exited with")


async def test_a_tool_that_runs_too_long_is_killed(speech: pathlib.Path) -> None:
    with pytest.raises(TranscriptError) as caught:
        await Chunker(limits(), timeout_s=0.001).silence_ends(speech)
    assert caught.value.message == (
        "Chunked transcription failed: ffmpeg ran longer than 0.001 seconds"
    )


async def test_a_probe_without_duration(speech: pathlib.Path, tmp_path: pathlib.Path) -> None:
    probe = tmp_path / "ffprobe-without-duration"
    probe.write_text("#!/bin/sh\necho '{\"format\": {}}'\n")
    probe.chmod(0o755)
    with pytest.raises(TranscriptError) as caught:
        await Chunker(limits(), timeout_s=60, ffprobe=str(probe)).duration(speech)
    assert caught.value.message == (
        "Chunked transcription failed: ffprobe reported no duration for audio.webm"
    )
