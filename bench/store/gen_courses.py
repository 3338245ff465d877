#!/usr/bin/env python3
"""Synthetic courses for the store benchmarks.

usage: gen_courses.py N DAYS OUTDIR [SHARD SHARDS]

Writes OUTDIR/courses/cNNNNN.json (N patients, DAYS days of daily labs:
ANC, platelets, WBC, haemoglobin, bilirubin, creatinine = 6 observations a
day, so 365 days ~ 2,190 observations) and OUTDIR/observations.csv with the
same observations (patient,date,kind,value,unit) for `sqlite3 .import` and
`psql \\copy`. One patient in ten never engrafts (ANC stays < 0.5), so the
alert list is not empty. Deterministic: each patient has its own seed, so
the output does not depend on sharding. With SHARD SHARDS (e.g. 0 3, 1 3,
2 3 run in parallel) only patients i with i % SHARDS == SHARD are written,
and their observations go to OUTDIR/observations.SHARD.csv (concatenate the
shards into observations.csv).
"""
import datetime as dt
import json
import os
import random
import sys

LABS = [
    ("anc", "10^9/L"),
    ("platelets", "10^9/L"),
    ("wbc", "10^9/L"),
    ("hemoglobin", "g/dL"),
    ("bilirubin", "mg/dL"),
    ("creatinine", "mg/dL"),
]


def course(i, days, rng):
    pid = f"BENCH-{i:05d}"
    day0 = dt.date(2024, 1, 1) + dt.timedelta(days=i % 300)
    failing = i % 10 == 0
    obs = []
    for d in range(days):
        date = (day0 + dt.timedelta(days=d)).isoformat()
        engrafted = not failing and d >= 16
        vals = {
            "anc": round(rng.uniform(1.5, 5.0) if engrafted else rng.uniform(0.0, 0.4), 2),
            "platelets": round(rng.uniform(60, 250) if engrafted else rng.uniform(5, 19), 0),
            "wbc": round(rng.uniform(2.5, 8.0) if engrafted else rng.uniform(0.1, 0.9), 2),
            "hemoglobin": round(rng.uniform(8.5, 13.5), 1),
            "bilirubin": round(rng.uniform(0.3, 1.1), 2),
            "creatinine": round(rng.uniform(0.6, 1.1), 2),
        }
        for kind, unit in LABS:
            obs.append({"date": date, "kind": kind, "value": vals[kind], "unit": unit})
    c = {
        "format": "graftwatch-course/1",
        "patient": {
            "id": pid,
            "sex": "female" if i % 2 else "male",
            "birth_year": 1950 + i % 50,
            "diagnosis": {"disease": "aml", "date": (day0 - dt.timedelta(days=120)).isoformat()},
        },
        "donors": [{"id": "D1", "relationship": "matched_unrelated", "sex": "male"}],
        "events": [
            {
                "date": day0.isoformat(),
                "kind": "graft_infusion",
                "transplant": 1,
                "source": "pbsc",
                "donor": "D1",
                "cd34_per_kg": 5.0e6,
            }
        ],
        "observations": obs,
    }
    return pid, c


def main():
    n, days, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    shard, shards = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (0, 1)
    os.makedirs(os.path.join(out, "courses"), exist_ok=True)
    name = "observations.csv" if shards == 1 else f"observations.{shard}.csv"
    with open(os.path.join(out, name), "w") as csv:
        for i in range(1, n + 1):
            if i % shards != shard:
                continue
            pid, c = course(i, days, random.Random(17_000_000 + i))
            with open(os.path.join(out, "courses", f"c{i:05d}.json"), "w") as f:
                json.dump(c, f)
            for o in c["observations"]:
                csv.write(f"{pid},{o['date']},{o['kind']},{o['value']},{o['unit']}\n")


if __name__ == "__main__":
    main()
