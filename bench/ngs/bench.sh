#!/usr/bin/env bash
# NGS counting benchmarks (graftwatch ngs-count), results as ratios in
# docs/benchmarks.md. Needs python3, bwa, samtools, bcftools, tabix, hyperfine.
#
# Usage: bench/ngs/bench.sh [WORKDIR] [BIG_PAIRS] [MID_PAIRS] [THREADS]
#   WORKDIR    scratch directory (default /tmp/graftwatch-ngs-bench)
#   BIG_PAIRS  read pairs of the BAM benchmark sample (default 2500000 = 5 M reads)
#   MID_PAIRS  read pairs of the FASTQ end-to-end sample (default 250000)
#   THREADS    threads given to every tool (default 1)
# Environment:
#   ONLY=fastq  run only the FASTQ benchmark (skips the big BAM sample, which
#               takes long to simulate and align); ONLY=bam the BAM one only
#   RUNS=N      hyperfine runs per command (default 3)
#   COUNT_BIN   use this `count` binary instead of building it
#
# 1. BAM: `count bam` vs `samtools view -c` (pure decode of every record) and
#    vs the bcftools comparison command, on the same coordinate-sorted BAM.
# 2. FASTQ: `count fastq` vs `bwa mem | samtools sort` + index + bcftools
#    mpileup, end to end, on the same FASTQ pair.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/graftwatch-ngs-bench}
big=${2:-2500000}
mid=${3:-250000}
threads=${4:-1}
only=${ONLY:-all}
runs=${RUNS:-3}
case "$only" in all | bam | fastq) ;; *) echo "ONLY must be bam or fastq, got '$only'" >&2; exit 2 ;; esac
mkdir -p "$work"

make_sample() { # dir pairs seed
  if [ ! -f "$1/sample.bam.bai" ]; then
    python3 "$root/bench/ngs/simulate.py" "$1" --pairs "$2" --seed "$3"
    "$root/bench/ngs/align.sh" "$1" 2
  fi
}
[ "$only" = fastq ] || make_sample "$work/big" "$big" 42
[ "$only" = bam ] || make_sample "$work/mid" "$mid" 43

# COUNT_BIN=path/to/count skips the build (e.g. a binary built elsewhere).
if [ -z "${COUNT_BIN:-}" ]; then
  (cd "$root" && cargo build --release -p graftwatch-genomics-io --example count)
fi
bin=${COUNT_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/examples/count}

extra=$((threads - 1))
bcf="bcftools mpileup -f ref.fa -T panel.vcf.gz -a AD -B -Q 13 -q 0 -d 1000000 -L 1000000 -m 1 -F 0 --ignore-RG --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY"

results=()
if [ "$only" != fastq ]; then
  echo "== load before the BAM benchmark: $(cut -d' ' -f1-3 /proc/loadavg)"
  cd "$work/big"
  echo "reads in BAM: $(samtools view -c sample.bam)"
  hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/bam.md" --export-json "$work/bam.json" \
    -n "graftwatch count bam" "$bin bam sample.bam panel.vcf --ref ref.fa --threads $threads --quiet" \
    -n "samtools view -c" "samtools view -c -@ $extra sample.bam"
  # bcftools takes minutes on 5 M amplicon reads: one run, timed separately.
  /usr/bin/time -f "bcftools mpileup: wall %e s, user %U s, system %S s" \
    bash -c "$bcf --threads $extra -Ou -o /dev/null sample.bam 2>/dev/null"
  results+=("$work/bam.json")
fi

if [ "$only" != bam ]; then
  echo "== load before the FASTQ benchmark: $(cut -d' ' -f1-3 /proc/loadavg)"
  cd "$work/mid"
  hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/fastq.md" --export-json "$work/fastq.json" \
    -n "graftwatch count fastq" "$bin fastq ref.fa panel.vcf sample_R1.fq.gz sample_R2.fq.gz --threads $threads --quiet" \
    -n "bwa mem | samtools sort + bcftools mpileup" \
    "bwa mem -v 1 -t $threads ref.fa sample_R1.fq.gz sample_R2.fq.gz 2>/dev/null | samtools sort -@ $extra -o pipe.bam - 2>/dev/null && samtools index pipe.bam && $bcf -Ou -o /dev/null pipe.bam 2>/dev/null"
  results+=("$work/fastq.json")
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in "${results[@]}"; do cat "${r%.json}.md"; done
# Ratios of wall time and of CPU time (user + system), ours as the reference.
python3 - "${results[@]}" <<'PY'
import json, sys
for path in sys.argv[1:]:
    res = json.load(open(path))["results"]
    ours = res[0]
    ow, oc = ours["mean"], ours["user"] + ours["system"]
    print(f"{path}: {ours['command']}: wall {ow:.2f} s, CPU {oc:.2f} s")
    for r in res[1:]:
        w, c = r["mean"], r["user"] + r["system"]
        print(f"  {r['command']}: wall {w:.2f} s ({w / ow:.2f}x ours), CPU {c:.2f} s ({c / oc:.2f}x ours)")
PY
