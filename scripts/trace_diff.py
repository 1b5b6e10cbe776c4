#!/usr/bin/env python3
"""Compares two builds of the playground by the traces they produce.

Usage: python3 scripts/trace_diff.py OLD_BINARY NEW_BINARY [COUNT] [FIRST_SEED]

A change that should leave the simulation as it was (an optimisation) must give the same trace:
the same events, messages and times. For COUNT random console scripts (default 100) this runs
`kafka-playground run --seed N --trace-hash` with both binaries and lists the scripts whose
trace hashes differ (kept in a temporary folder to rerun). Exit status 0 when every hash agrees.

The scripts mix what stresses replication and its bookkeeping: topics of 1-8 partitions and
RF 1-3 on 3-5 brokers (KRaft, combined or ZooKeeper), producers at 1-50 records/s that stop (so
partitions go idle), consumers, broker stops, kills and restarts, network partitions, isolation
and loss set just as producers stop, preferred elections, topics deleted and created again.
Both binaries need `run --trace-hash` (session 16 on).
"""

import random
import subprocess
import sys
import tempfile
from pathlib import Path

CREATE = "kafka-topics --bootstrap-server localhost:9092 --create --topic {} --partitions {} --replication-factor {}"
DELETE = "kafka-topics --bootstrap-server localhost:9092 --delete --topic {}"
ELECT = "kafka-leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions"


def script(seed: int) -> str:
    r = random.Random(seed)
    brokers = r.choice([3, 3, 4, 5])
    cluster = f"cluster create --brokers {brokers}"
    cluster += r.choice(["", "", " --controllers 3 --combined", " --mode zookeeper --controllers 3"])
    out = [cluster]
    topics = []
    for i in range(r.randint(1, 3)):
        t = (f"t{i}", r.randint(1, 8), r.randint(1, min(3, brokers)))
        topics.append(t)
        out.append(CREATE.format(*t))
    producers = 0

    def produce(topic: str) -> str:
        nonlocal producers
        producers += 1
        acks = r.choice(["all", "1"])
        return f"producer start --topic {topic} --rate {r.choice([1, 2, 5, 10, 50])}/s --acks {acks} --name p{producers}"

    for i, (t, _, _) in enumerate(topics):
        if r.random() < 0.7:
            out.append(produce(t))
        if r.random() < 0.5:
            out.append(f"consumer start --group g{i} --topic {t} --name c{i}")
    for _ in range(r.randint(6, 14)):
        out.append(f"sleep {r.choice(['300ms', '1s', '3s', '7s', '15s', '35s'])}")
        t, parts, _ = r.choice(topics)
        b = r.randrange(brokers)
        other = (b + 1) % brokers
        x = r.random()
        if x < 0.08:
            out.append(f"broker stop leader:{t}:{r.randrange(parts)}")
        elif x < 0.12:
            out.append(f"broker kill {b}")
        elif x < 0.24:
            out.append(f"broker start {b}")
        elif x < 0.32:
            out.append(ELECT)
        elif x < 0.62:
            # A producer stops and a link loses what follows: answers lost as partitions go idle.
            out.append(produce(t))
            out.append(f"sleep {r.randint(1, 4)}s")
            out.append(f"producer stop p{producers}")
            out.append(f"sleep {r.choice([0, 100, 450, 600])}ms")
            out.append(f"network loss {b} {other} {r.choice([30, 100])}%")
            out.append(f"sleep {r.choice([400, 700, 1000])}ms")
            out.append("network heal")
        elif x < 0.67:
            out.append(f"network partition {b} / {other}")
        elif x < 0.7:
            out.append(f"network isolate {b}")
        elif x < 0.8:
            out.append("network heal")
        elif x < 0.9:
            name, p, rf = topics[-1]
            out.append(DELETE.format(name))
            out.append(f"sleep {r.choice([0, 1, 3])}s")
            out.append(CREATE.format(name, p, rf))
        out.append("status")
    out += ["network heal", "sleep 40s", "status"]
    return "\n".join(out) + "\n"


def trace(binary: str, seed: int, path: Path) -> str:
    run = subprocess.run(
        [binary, "run", "--seed", str(seed), "--trace-hash", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [l for l in run.stderr.splitlines() if l.startswith("trace hash ")]
    return lines[-1] if lines else f"no trace hash (exit {run.returncode})"


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    old, new = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    folder = Path(tempfile.mkdtemp(prefix="trace-diff-"))
    differ = []
    for seed in range(first, first + count):
        path = folder / f"script-{seed}.txt"
        path.write_text(script(seed))
        a, b = trace(old, seed, path), trace(new, seed, path)
        if a != b:
            differ.append(seed)
            print(f"seed {seed}: {a} | {b}  ({path})")
    print(f"{count - len(differ)} of {count} scripts give the same trace; scripts in {folder}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
