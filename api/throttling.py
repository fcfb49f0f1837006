"""Rate limits per API key: a fixed-window counter in the cache (Redis here), at most
`API_RATE_LIMIT` requests per window ("600/min", "20/s", "10000/hour"); over it the
answer is 429 with Retry-After (the seconds left in the window).

The counter is one atomic INCR per request (`cache.add` then `cache.incr`), so web
processes on several machines share it and concurrent requests never both slip by.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .models import ApiKey

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
           "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """(requests, seconds) of "600/min"; a setting that is not one fails loudly."""
    count, _sep, period = (rate or "").partition("/")
    if not count.strip().isdigit() or period.strip() not in PERIODS:
        raise ValueError(f"API_RATE_LIMIT must read like '600/min', not {rate!r}")
    return int(count), PERIODS[period.strip()]


class ApiKeyRateThrottle(BaseThrottle):
    def __init__(self):
        self.retry_after = None

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        limit, seconds = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window = int(now // seconds)
        name = f"api-rate:{key.project_id}:{key.prefix}:{seconds}:{window}"
        cache.add(name, 0, timeout=seconds + 1)
        try:
            used = cache.incr(name)
        except ValueError:  # expired between add and incr: a new window
            cache.add(name, 1, timeout=seconds + 1)
            used = 1
        if used <= limit:
            return True
        self.retry_after = max(1, int((window + 1) * seconds - now + 0.999))
        return False

    def wait(self):
        return self.retry_after
