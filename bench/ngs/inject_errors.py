#!/usr/bin/env python3
"""Add random substitutions to a simulated FASTQ pair (graftwatch, ngs-count).

Used to check that the FASTQ counter still locates reads when sequencing
errors are far more frequent than in `simulate.py`'s quality-driven model:

    inject_errors.py SAMPLE_DIR RATE PAIRS OUT_PREFIX [--seed S]

reads the first PAIRS records of SAMPLE_DIR/sample_R1.fq.gz and
sample_R2.fq.gz, replaces each base with probability RATE by one of the
other three bases (qualities unchanged), and writes OUT_PREFIX_R1.fq.gz and
OUT_PREFIX_R2.fq.gz. Deterministic for a given seed.
"""

import argparse
import gzip
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sample_dir")
    ap.add_argument("rate", type=float)
    ap.add_argument("pairs", type=int)
    ap.add_argument("out_prefix")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    for mate in (1, 2):
        with gzip.open(f"{a.sample_dir}/sample_R{mate}.fq.gz", "rt") as src, \
                gzip.open(f"{a.out_prefix}_R{mate}.fq.gz", "wt", compresslevel=1) as out:
            for _ in range(a.pairs):
                header = src.readline()
                if not header:
                    break
                seq = list(src.readline().rstrip("\n"))
                plus = src.readline()
                qual = src.readline()
                for j, b in enumerate(seq):
                    if rng.random() < a.rate:
                        seq[j] = rng.choice([c for c in "ACGT" if c != b])
                out.write(header + "".join(seq) + "\n" + plus + qual)


if __name__ == "__main__":
    main()
