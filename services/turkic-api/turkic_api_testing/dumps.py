"""Generated Wikipedia dumps (`.xml.bz2`) and a fake dumps server that serves them."""

import bz2
import html
from collections.abc import AsyncIterator, Iterable, Iterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

NS = "http://www.mediawiki.org/xml/export-0.10/"


def page_xml(title: str, text: str) -> str:
    """One `<page>` of a MediaWiki export."""
    return (
        f"<page><title>{html.escape(title)}</title><ns>0</ns><revision>"
        f'<text xml:space="preserve">{html.escape(text)}</text></revision></page>\n'
    )


def dump_xml(pages: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The export's XML, piece by piece."""
    yield f'<mediawiki xmlns="{NS}" version="0.10"><siteinfo><sitename>W</sitename></siteinfo>\n'
    for title, text in pages:
        yield page_xml(title, text)
    yield "</mediawiki>\n"


def make_dump(pages: Iterable[tuple[str, str]], *, streams: int = 1) -> bytes:
    """A `.xml.bz2` dump of `pages` (`streams` > 1: a multistream dump)."""
    text = "".join(dump_xml(pages)).encode()
    step = -(-len(text) // streams)
    return b"".join(bz2.compress(text[i : i + step]) for i in range(0, len(text), step))


class FakeDumps:
    """Serves `/{lang}wiki/latest/{lang}wiki-latest-pages-articles.xml.bz2` from `dumps`
    (language -> bytes); unknown languages 404. Counts requests."""

    def __init__(self) -> None:
        self.dumps: dict[str, bytes] = {}
        self.requests = 0
        self.app = Starlette(routes=[Route("/{wiki}/latest/{name}", self._serve)])

    async def _serve(self, request: Request) -> Response:
        self.requests += 1
        wiki = request.url.path.strip("/").split("/")[0]
        data = self.dumps.get(wiki.removesuffix("wiki"))
        if data is None or not wiki.endswith("wiki"):
            return Response(b"no such dump", status_code=404)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(data), 4096):
                yield data[start : start + 4096]

        return StreamingResponse(chunks(), media_type="application/x-bzip2")
