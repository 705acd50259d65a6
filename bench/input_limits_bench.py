"""How fast hostile input is refused (issue 14): a "billion laughs" YAML and 30,000 nested brackets
through the admin API, and 30,000 `[` to the webhook, each sent five times to the real app (Flask
test client, sandbox, temporary database). Issue 14 reported ~58 s and ~9.6 GB for the bomb before.

    python bench/input_limits_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import ADMIN_TOKEN, Harness  # noqa: E402
from tests.test_input_limits import CAMPAIGN, laughs  # noqa: E402

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def main() -> None:
    cases = [
        ("admin API, alias bomb (9 levels, 9^9 strings)", "/admin/api/campaigns", CAMPAIGN + "note:\n" + laughs(9), ADMIN),
        ("admin API, YAML nested 30,000 deep", "/admin/api/campaigns", CAMPAIGN + "note: " + "[" * 30_000, ADMIN),
        ("webhook, JSON nested 30,000 deep", "/webhook", b"[" * 30_000, {"X-ZEvent-Signature": "mac=00"}),
    ]
    with tempfile.TemporaryDirectory() as tmp, Harness(Path(tmp), None) as h:
        for name, path, body, headers in cases:
            times = []
            for _ in range(5):
                started = time.perf_counter()
                response = h.client.post(path, data=body, headers=headers)
                times.append(time.perf_counter() - started)
            print(f"{name}: HTTP {response.status_code}, {min(times) * 1000:.1f}–{max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
