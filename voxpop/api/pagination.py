"""Keyset pagination for the API's lists: an opaque cursor naming the last item of a page.

A list is ordered by a few fields ending in the primary key, e.g. `("-priority", "created_at", "pk")`;
the cursor holds those values of the page's last item, and the next page is everything strictly
after it in that order. Unlike an offset, a page is not shifted by decisions taken on the items
before it, and every item is listed once.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .request import decode_cursor, encode_cursor, limit_param


@dataclass(frozen=True)
class Page:
    items: list
    next: str | None  # root-relative URL of the following page, or None on the last page


def next_link(request: HttpRequest, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


def keyset_page(request: HttpRequest, qs: QuerySet, order: tuple[tuple[str, type], ...]) -> Page:
    """One page of `qs` in `order` ((field, type) pairs, `-field` descending), from `?cursor=` and `?limit=`."""
    limit = limit_param(request)
    after = decode_cursor(request.GET.get("cursor", ""), *(kind for _, kind in order))
    qs = qs.order_by(*(name for name, _ in order))
    if after:
        qs = qs.filter(_after(order, after))
    rows = list(qs[:limit + 1])
    cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        cursor = encode_cursor(*(_value(last, name.lstrip("-")) for name, _ in order))
    return Page(items=rows[:limit], next=next_link(request, cursor))


def list_page(request: HttpRequest, items: list, *, key, types: tuple[type, ...]) -> Page:
    """A page of a short list already in memory, sorted by `key(item)` (a tuple of `types`) descending."""
    limit = limit_param(request)
    after = decode_cursor(request.GET.get("cursor", ""), *types)
    if after:
        items = [item for item in items if key(item) < after]
    cursor = encode_cursor(*key(items[limit - 1])) if len(items) > limit else None
    return Page(items=items[:limit], next=next_link(request, cursor))


def _value(row, name: str):
    value = getattr(row, name)
    if isinstance(value, datetime) or not isinstance(value, float):
        return value
    return repr(value)  # exact round trip of the float


def _after(order: tuple[tuple[str, type], ...], values: tuple) -> Q:
    """Rows after `values` in `order`: (a > x) or (a = x and b > y) or ..., with < for descending fields."""
    condition = Q(pk__in=[])
    for i, (name, _) in enumerate(order):
        equal = {order[j][0].lstrip("-"): values[j] for j in range(i)}
        field = name.lstrip("-")
        condition |= Q(**equal, **{f"{field}__{'lt' if name.startswith('-') else 'gt'}": values[i]})
    return condition
