#!/usr/bin/env python3
"""Generate an MLflow SQLite store for the import benchmark: the sample's schema (a copy of
../shared/samples/mlflow/mlflow.db) filled with RUNS runs and VERSIONS model versions by SQL
inserts. Standard library only. Usage: mlflow_store.py SAMPLE_DB OUT_DB [RUNS] [VERSIONS]"""
import shutil
import sqlite3
import sys

sample, out = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
versions = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
shutil.copyfile(sample, out)
db = sqlite3.connect(out)
c = db.cursor()
t0 = 1795000000000
c.execute("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)"
          " VALUES ('bench-ds', 1, 'bench_train', 'beefcafe', 'code', '{}', '{\"mlflow_colspec\": []}', '{\"num_rows\": 1000}')")
for i in range(runs):
    rid = "bench%027d" % i
    t = t0 + i * 1000
    c.execute("INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,"
              " source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'UNKNOWN', '', '', ?, 'FINISHED', ?, ?, '', 'active', '', 1)",
              (rid, "bench-%d" % i, "user%d" % (i % 7), t, t + 500))
    c.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", [("C", str(i / 10), rid), ("solver", "lbfgs", rid)])
    c.executemany("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, 0, ?)",
                  [("accuracy", 0.8 + (i % 100) / 1000, t, rid), ("train_loss", 1 / (i + 3), t, rid)])
    c.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
                  [("mlflow.user", "user%d" % (i % 7), rid), ("mlflow.source.git.commit", "%07x" % (i * 7919 % 0xfffffff), rid)])
    c.execute("INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'DATASET', 'bench-ds', 'RUN', ?, 0)",
              ("bench-in-%d" % i, rid))
c.execute("INSERT INTO registered_models (name, creation_time, last_updated_time, description, workspace) VALUES ('bench-model', ?, ?, 'bench', 'default')",
          (t0, t0 + runs * 1000))
stages = ["None", "Staging", "Production", "Archived"]
for v in range(1, versions + 1):
    rid = "bench%027d" % ((v * 9) % runs)
    t = t0 + runs * 1000 + v * 1000
    c.execute("INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id,"
              " status, status_message, run_link, storage_location, workspace) VALUES ('bench-model', ?, ?, ?, NULL, NULL, ?, '', ?, 'READY', NULL, NULL, '', 'default')",
              (v, t, t + 10, stages[v % 4], rid))
    c.execute("INSERT INTO model_version_tags (key, value, name, version, workspace) VALUES ('approval.status', 'approved', 'bench-model', ?, 'default')", (v,))
c.execute("INSERT INTO registered_model_aliases (alias, version, name, workspace) VALUES ('champion', ?, 'bench-model', 'default')", (versions,))
db.commit()
db.close()
