"""Only the paraphrase accuracy of the matcher with the meaning signal (the first rows of
bench/matcher_bench.py), for a quick check after a change to the ranking.

    python bench/paraphrase_meaning.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher_bench import PARAPHRASES, _report_paraphrases, _shared_phrasings, _with_meaning, fold_kb  # noqa: E402


def main() -> int:
    if not PARAPHRASES.exists():
        print(f"[skipped] paraphrase accuracy: {PARAPHRASES} not found (set BOT_SHARED_DIR)")
        return 0
    intents = [json.loads(line) for line in PARAPHRASES.read_text(encoding="utf-8").splitlines()]
    built = [(_with_meaning(kb), queries) for kb, queries in (fold_kb(intents, k) for k in range(4))]
    print(f"{'system':<26}{'queries':<12}{'top-1':>7}{'top-3':>7}{'lenient':>9}   per-fold top-1"
          "                top-1 tuning half / held-out half")
    for unaccented in (False, True):
        _report_paraphrases("matcher + meaning", built, _shared_phrasings(intents), unaccented)
    return 0


if __name__ == "__main__":
    sys.exit(main())
