"""What the API1xx messages share."""

from __future__ import annotations

OFFLOAD_HINT = "`await run_in_threadpool(...)` (fastapi.concurrency) or a sync `def` route"
