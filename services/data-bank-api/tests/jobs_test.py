"""The scrub job's handler: progress at most once per percent, the report as its result."""

import hashlib
from pathlib import Path

from pydantic import JsonValue

from data_bank_api.engine import Engine
from data_bank_api.files import OS_FILES
from data_bank_api.free_space import statvfs_free_bytes
from data_bank_api.jobs import SCRUB, ScrubRequest, scrub_handler
from data_bank_api.layout import Layout
from data_bank_api.scrub import Scrubber, ScrubReport
from platform_workers.async_queue import JobContext


def store(layout: Layout, data: bytes) -> str:
    file_id = hashlib.sha256(data).hexdigest()
    layout.shard(file_id).mkdir(parents=True, exist_ok=True)
    layout.blob(file_id).write_bytes(data)
    layout.meta(file_id).write_text(f"sha256={file_id}\ncontent_type=text/plain\n")
    return file_id


async def test_progress_is_reported_once_per_percent(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    for number in range(150):
        store(layout, f"object {number}".encode())
    reports: list[tuple[int, str | None]] = []

    async def reporter(percent: int, message: str | None, payload: JsonValue) -> None:
        reports.append((percent, message))
        assert payload is None

    ctx = JobContext(
        job_id="j1", user_id=0, task=SCRUB.name, queue="databank", attempt=1, reporter=reporter
    )
    engine = Engine(layout, files=OS_FILES, free_space=statvfs_free_bytes, reserve_bytes=0)
    report = await scrub_handler(Scrubber(engine))(ScrubRequest(), ctx)
    assert report.objects_checked == 150
    assert report.findings == []
    percents = [percent for percent, _ in reports]
    assert percents == sorted(set(percents))
    assert percents[-1] == 100
    assert percents == list(range(101))  # 0% after the first object, then each percent once
    assert reports[-1][1] == "150 of 150 objects checked"


def test_the_completed_event_names_the_job_and_the_bytes_hashed() -> None:
    describe = SCRUB.describe
    assert describe is not None
    ref = describe(ScrubReport(objects_checked=1, bytes_checked=42, findings=[]), "job-7")
    assert ref.result_id == "job-7"
    assert ref.result_bytes == 42
