"""The CLI client's paging of list RPCs: at most `limit` items, one more asked for to know whether there are more,
page tokens followed until a page has none."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms_cli.client import PAGE_SIZE, _up_to


@dataclass
class Request:
    page_size: int = 0
    page_token: str = ""


@dataclass
class Page:
    items: list[int]
    next_page_token: str


@dataclass
class Pages:
    """A server of `total` items; records the (page size, token) of every request."""

    total: int
    asked: list[tuple[int, str]] = field(default_factory=list)

    def fetch(self, request: Request) -> Page:
        self.asked.append((request.page_size, request.page_token))
        start = int(request.page_token or 0)
        end = min(start + request.page_size, self.total)
        return Page(list(range(start, end)), str(end) if end < self.total else "")


def test_fewer_items_than_the_limit_are_all_read_without_more() -> None:
    pages, request = Pages(total=3), Request()
    assert _up_to(10, request, lambda: pages.fetch(request), lambda page: page.items) == ([0, 1, 2], False)
    assert pages.asked == [(11, "")]


def test_more_items_than_the_limit_stop_at_it_and_say_so() -> None:
    pages, request = Pages(total=50), Request()
    assert _up_to(10, request, lambda: pages.fetch(request), lambda page: page.items) == (list(range(10)), True)


def test_pages_are_followed_by_their_tokens() -> None:
    total = PAGE_SIZE * 2 + 5
    pages, request = Pages(total=total), Request()
    found, more = _up_to(total, request, lambda: pages.fetch(request), lambda page: page.items)
    assert (found, more) == (list(range(total)), False)
    assert pages.asked == [(PAGE_SIZE, ""), (PAGE_SIZE, str(PAGE_SIZE)), (6, str(2 * PAGE_SIZE))]
