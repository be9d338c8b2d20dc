#!/usr/bin/env python3
"""Writes N OpenLineage RunEvents (JSON Lines, as the FileTransport writes them) for the benchmark:
runs of START + COMPLETE (every 10th FAIL), each reading one versioned dataset and writing one,
with schema, ownership, sourceCodeLocation and, every 5th run, data quality facets.
Usage: openlineage_events.py OUT N"""
import json
import sys
import uuid

out, n = sys.argv[1], int(sys.argv[2])
P = "https://example.com/bench/v1"
S = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def facet(**kw):
    return {"_producer": P, "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/X.json", **kw}


with open(out, "w") as f:
    runs = n // 2
    for i in range(runs):
        run = str(uuid.UUID(int=i + 1, version=4))
        job = {"namespace": "bench", "name": f"job{i % 50}",
               "facets": {"ownership": facet(owners=[{"name": f"user:u{i % 7}", "type": "OWNER"}]),
                          "sourceCodeLocation": facet(type="git", url="https://g/x", version=f"{i:040x}")}}
        inputs = [{"namespace": "s3://lake", "name": f"raw/{i % 100}", "facets": {"version": facet(datasetVersion=str(i))},
                   "inputFacets": ({"dataQualityAssertions": facet(assertions=[{"assertion": "not_null", "success": True, "column": "a"}])}
                                   if i % 5 == 0 else {})}]
        outputs = [{"namespace": "s3://lake", "name": f"clean/{i % 100}",
                    "facets": {"version": facet(datasetVersion=str(i)), "schema": facet(fields=[{"name": "a", "type": "DOUBLE"}])}}]
        t = 1767225600 + i * 60
        for kind, dt in (("START", 0), ("FAIL" if i % 10 == 9 else "COMPLETE", 30)):
            ev = {"eventTime": f"{__import__('datetime').datetime.utcfromtimestamp(t + dt).isoformat()}Z", "eventType": kind,
                  "producer": P, "schemaURL": S, "run": {"runId": run, "facets": {}}, "job": job,
                  "inputs": inputs, "outputs": outputs if kind != "START" else []}
            f.write(json.dumps(ev, separators=(",", ":")) + "\n")
