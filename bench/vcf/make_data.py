#!/usr/bin/env python3
"""Synthetic `bcftools mpileup -a AD`-style VCF for the VCF/BCF reader
benchmark (bench/vcf/run.sh): a sites-only panel of N biallelic markers
(SNPs, 1 in 20 an indel) and a pileup VCF with one record per marker for S
samples, FORMAT `PL:AD`, ALT `X,<*>` as mpileup writes it, depths ~5,000.

Usage: make_data.py DIR [N_MARKERS] [N_SAMPLES] [SEED]
"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
s = int(sys.argv[3]) if len(sys.argv) > 3 else 4
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
os.makedirs(out, exist_ok=True)
bases = "ACGT"
head = "##fileformat=VCFv4.2\n" + "".join(
    f"##contig=<ID=chr{c},length=250000000>\n" for c in range(1, 23)
)
fmt = (
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">\n'
)
cols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
names = [f"s{i}" for i in range(s)]
with open(f"{out}/panel.vcf", "w") as panel, open(f"{out}/pileup.vcf", "w") as pile:
    panel.write(head + cols + "\n")
    pile.write(head + fmt + cols + "\tFORMAT\t" + "\t".join(names) + "\n")
    per_chrom = n // 22 + 1
    k = 0
    for c in range(1, 23):
        pos = 10_000
        for _ in range(per_chrom):
            if k == n:
                break
            k += 1
            pos += rng.randint(200, 2000)
            r = rng.choice(bases)
            if k % 20 == 0:
                a = r + "".join(rng.choice(bases) for _ in range(rng.randint(1, 3)))
            else:
                a = rng.choice([b for b in bases if b != r])
            panel.write(f"chr{c}\t{pos}\tm{k}\t{r}\t{a}\t.\t.\t.\n")
            samples = []
            for _ in names:
                d = rng.randint(3000, 7000)
                alt = rng.choice([0, d // 2, d, rng.randint(0, d // 10)])
                other = rng.randint(0, 5)
                pl = ",".join(str(rng.randint(0, 255)) for _ in range(6))
                samples.append(f"{pl}:{d - alt},{alt},{other}")
            dp = sum(int(x.split(":")[1].split(",")[0]) for x in samples)
            pile.write(
                f"chr{c}\t{pos}\t.\t{r}\t{a},<*>\t0\t.\tDP={dp}\tPL:AD\t" + "\t".join(samples) + "\n"
            )
