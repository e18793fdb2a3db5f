"""The three measurements, each returning a pydantic model of figures.

- `throughput`: sentences per second through language ID + IPA, the service's way
  (async stream, filtered in batches in a thread, written, read back, transliterated in
  batches in a thread) against a plain synchronous loop over the same lines.
- `dump_memory`: the Wikipedia source (HTTP stream, bz2, XML, sentences) over a
  generated multistream dump of N MB of XML from a local server; this process's RSS
  sampled as the dump streams, and its peak.
- `healthz_during_job`: `/healthz` latency (p50/p99) of the real app while a job runs
  in a worker on the same event loop (LID + IPA + streamed upload to the real
  data-bank-api), against the same probe with no job.
"""

import asyncio
import bz2
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from pydantic import BaseModel

from platform_core.blocking import run_blocking
from platform_core.http_testing import running_server
from platform_core.loadgen import Latency, UntilSet, peak_rss_bytes, probe
from platform_workers.async_queue import JobContext, Queue
from platform_workers.async_queue_testing import Events, running
from platform_workers.async_redis import open_redis
from turkic_api.app import build_app
from turkic_api.components import open_components
from turkic_api.corpus import build_corpus, corpus_lines
from turkic_api.ipa import transliterate, transliterate_lines
from turkic_api.jobs import QUEUE, CorpusPayload, CorpusResult, corpus_task, process_corpus
from turkic_api.langid import LangFilter, LangIdModel
from turkic_api.settings import TurkicSettings
from turkic_api.sources import WikipediaSource
from turkic_api_testing.dumps import FakeDumps, dump_xml, make_dump
from turkic_api_testing.sentences import SENTENCES

MIB = 1024 * 1024


class Throughput(BaseModel):
    """Sentences per second, the service's pipeline and a plain loop."""

    lines: int
    kept: int
    service_per_s: float
    plain_per_s: float
    overhead_pct: float


async def _stream(lines: list[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


def demo_lines(count: int) -> list[str]:
    """`count` Kazakh sentences (the demo sentences, numbered so none repeats)."""
    base = SENTENCES["kk"]
    return [f"{base[i % len(base)]} {i}" for i in range(count)]


async def throughput(model: LangIdModel, lines: list[str], work: Path) -> Throughput:
    """Both pipelines over `lines` (Kazakh, threshold 0.5, IPA)."""
    lang_filter = LangFilter(model, "kk", None, 0.5)

    async def ignore(_: int) -> None:
        return None

    start = time.perf_counter()
    path = work / "corpus.txt"
    kept = await build_corpus(_stream(lines), lang_filter, len(lines), path, ignore)
    async for batch in corpus_lines(path):
        await run_blocking(transliterate_lines, batch, "kk")
    service_s = time.perf_counter() - start
    start = time.perf_counter()
    plain = [transliterate(line, "kk") for line in lines if lang_filter.keep(line)]
    plain_s = time.perf_counter() - start
    service, bare = len(lines) / service_s, len(lines) / plain_s
    return Throughput(
        lines=len(lines),
        kept=kept if kept == len(plain) else -1,
        service_per_s=round(service, 1),
        plain_per_s=round(bare, 1),
        overhead_pct=round((bare / service - 1) * 100, 1),
    )


class DumpMemory(BaseModel):
    """RSS while a dump streamed through the Wikipedia source (about ten samples, evenly
    spaced through the stream)."""

    xml_mb: int
    compressed_mb: float
    sentences: int
    seconds: float
    rss_mb_samples: list[float]
    peak_rss_mb: float


def _rss_bytes() -> int:
    lines = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    (kib,) = [line.split()[1] for line in lines if line.startswith("VmRSS:")]
    return int(kib) * 1024


def big_dump(xml_mb: int) -> bytes:
    """A multistream dump of about `xml_mb` MiB of XML: one compressed block of pages
    repeated (bz2 streams concatenate)."""
    words = [word for sentence in SENTENCES["kk"] for word in sentence.split()]
    rng = random.Random(13)
    pages = [
        (f"P{i}", ". ".join(" ".join(rng.choices(words, k=12)) for _ in range(20)) + ".")
        for i in range(300)
    ]
    xml = "".join(dump_xml(pages)).encode()
    head, _, rest = xml.partition(b"<page>")
    body, _, tail = (b"<page>" + rest).rpartition(b"</mediawiki>")
    block = bz2.compress(body)
    repeats = max(1, xml_mb * MIB // len(body))
    return bz2.compress(head) + block * repeats + bz2.compress(b"</mediawiki>" + tail)


async def dump_memory(xml_mb: int) -> DumpMemory:
    """Stream a generated dump through `WikipediaSource`, sampling RSS every 10%."""
    fake = FakeDumps()
    fake.dumps["kk"] = data = await run_blocking(big_dump, xml_mb)
    samples: list[float] = []
    count = 0
    start = time.perf_counter()
    async with running_server(fake.app, grace_s=0.5) as server:
        async for _ in WikipediaSource(server.url).sentences("kk"):
            count += 1
            if count % 1000 == 0:
                samples.append(round(_rss_bytes() / MIB, 1))
    return DumpMemory(
        xml_mb=xml_mb,
        compressed_mb=round(len(data) / MIB, 2),
        sentences=count,
        seconds=round(time.perf_counter() - start, 1),
        rss_mb_samples=samples[:: max(1, len(samples) // 10)],
        peak_rss_mb=round(peak_rss_bytes(os.getpid()) / MIB, 1),
    )


class HealthzLatency(BaseModel):
    """`/healthz` latency idle and while a job runs on the same event loop."""

    job_sentences: int
    job_seconds: float
    idle: Latency
    during_job: Latency


async def healthz_during_job(
    settings_for: Callable[[str], TurkicSettings], job_sentences: int
) -> HealthzLatency:
    """Probe `/healthz` every 5 ms: idle for a second, then while one IPA job runs
    (`settings_for(dumps_url)`: the settings, given where the dumps are)."""
    fake = FakeDumps()
    pages = [(f"P{i}", ". ".join(SENTENCES["kk"]) + ".") for i in range(job_sentences // 4 + 1)]
    fake.dumps["kk"] = make_dump(pages, streams=4)
    async with running_server(fake.app, grace_s=0.5) as dumps:
        return await _probe_job(settings_for(dumps.url), job_sentences)


async def _probe_job(settings: TurkicSettings, job_sentences: int) -> HealthzLatency:
    async with (
        running_server(build_app(settings), grace_s=0.5) as api,
        open_components(settings) as components,
        open_redis(settings.redis_url) as redis,
    ):

        async def handle(payload: CorpusPayload, ctx: JobContext) -> CorpusResult:
            return await process_corpus(components, payload, ctx)

        idle_done = asyncio.Event()
        asyncio.get_running_loop().call_later(1.0, idle_done.set)
        idle = await probe(
            "127.0.0.1", api.port, "/healthz", limit=UntilSet(idle_done), interval_s=0.005
        )
        async with running(redis, QUEUE, [corpus_task(settings).handler(handle)]):
            payload = CorpusPayload(
                source="wikipedia",
                language="kk",
                script=None,
                max_sentences=job_sentences,
                transliterate=True,
                confidence_threshold=0.5,
            )
            events = Events(redis, QUEUE)
            done = asyncio.Event()
            start = time.perf_counter()
            job = await Queue(redis, QUEUE).enqueue(corpus_task(settings), payload, user_id=1)

            async def finish() -> None:
                await events.finished(job.job_id, timeout_s=3600)
                done.set()

            waiter = asyncio.create_task(finish())
            during = await probe(
                "127.0.0.1", api.port, "/healthz", limit=UntilSet(done), interval_s=0.005
            )
            await waiter
            seconds = time.perf_counter() - start
    return HealthzLatency(
        job_sentences=job_sentences,
        job_seconds=round(seconds, 1),
        idle=idle,
        during_job=during,
    )
