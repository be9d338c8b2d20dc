#!/usr/bin/env python3
"""One append's latency inside a running writer: `trailpack record SOURCE --batch-size 1 --event -`
is sent one event at a time and each acknowledgement (printed once the batch is durable) is
awaited. Usage: append_latency.py BIN SOURCE TIME ROWS (TIME: the log's latest event time)."""
import subprocess
import sys
import time

binary, source, when, rows = sys.argv[1:5]
p = subprocess.Popen([binary, "record", source, "--batch-size", "1", "--event", "-"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
latencies = []
for i in range(22):
    line = ('{"action":"code.changed","actor":{"id":"u:latency"},"id":"latency-%d-%d","subject":{"id":"repo","type":"code"},'
            '"time":"%s"}\n' % (time.time_ns(), i, when))
    t0 = time.perf_counter()
    p.stdin.write(line)
    p.stdin.flush()
    if not p.stdout.readline():
        sys.exit("no acknowledgement: " + p.stderr.read().strip())
    latencies.append((time.perf_counter() - t0) * 1000)
p.stdin.close()
p.wait()
s = sorted(latencies[1:])  # the first append also reads the log's state
print("one append at %s rows inside a running writer (record --batch-size 1): median %.2f ms, min %.2f ms, max %.2f ms "
      "(target < 20 ms)" % (rows, s[len(s) // 2], s[0], s[-1]))
