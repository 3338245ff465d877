#!/usr/bin/env bash
# Regenerates the BAM upload fixture of crates/server/tests/pages_bam.rs
# (needs python3, bwa, samtools, bgzip, tabix): the read-level simulator
# (bench/ngs/simulate.py, 40 SNP markers on 2 contigs, 4,000 read pairs,
# recipient 5 %, haploidentical PBSC donor 75 %, cord unit 20 %, seed 18)
# aligned with bwa mem and sorted by samtools (bench/ngs/align.sh). Written
# here: panel.vcf (sites), references.vcf (GT of recipient, pbsc, cord from
# the simulator's genotypes.tsv), sample.bam and by-name.bam. The panel has no indels:
# counting indels from a BAM needs the reference FASTA, which the lab
# upload does not take.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 "$root/bench/ngs/simulate.py" "$tmp" --snps 40 --indels 0 --contigs 2 --pairs 4000 --seed 18 >/dev/null
bash "$root/bench/ngs/align.sh" "$tmp" 1
python3 - "$tmp" "$here" <<'PY'
import sys
tmp, here = sys.argv[1], sys.argv[2]
lines = open(f"{tmp}/panel.vcf").read().splitlines()
meta = [l for l in lines if l.startswith("##")]
sites = [l.split("\t") for l in lines if not l.startswith("#")]
dosage = {r[0]: r[1:] for r in (l.split("\t") for l in open(f"{tmp}/genotypes.tsv").read().splitlines()[1:])}
gt = {"0": "0/0", "1": "0/1", "2": "1/1"}
with open(f"{here}/references.vcf", "w") as f:
    f.write("\n".join(meta) + "\n")
    f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\trecipient\tpbsc\tcord\n")
    for s in sites:
        f.write("\t".join(s[:8] + ["GT"] + [gt[d] for d in dosage[s[2]]]) + "\n")
PY
cp "$tmp/panel.vcf" "$tmp/sample.bam" "$here/"
# The first 400 lines (header and reads) sorted by read name: an upload
# the server must refuse to index.
samtools view -h "$here/sample.bam" | head -n 400 | samtools sort -n -o "$here/by-name.bam" -
