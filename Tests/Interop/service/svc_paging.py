"""Walking every page of a List call."""

from __future__ import annotations

MAX_PAGES = 10_000


def list_all(method, request, items: str, page_size: int = 1000) -> list:
    """Every item of ``method(request)`` over all pages (``items`` names the repeated
    field of the response, e.g. "visits"). Fails if a token repeats (a loop)."""
    out = []
    tokens = set()
    req = type(request)()
    req.CopyFrom(request)
    req.page_size = page_size
    for _ in range(MAX_PAGES):
        resp = method(req)
        out.extend(getattr(resp, items))
        if not resp.next_page_token:
            return out
        assert resp.next_page_token not in tokens, "next_page_token repeated"
        tokens.add(resp.next_page_token)
        req.page_token = resp.next_page_token
    raise AssertionError(f"more than {MAX_PAGES} pages")


def names(records) -> list[str]:
    return [r.name for r in records]
