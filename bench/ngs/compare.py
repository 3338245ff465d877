#!/usr/bin/env python3
"""Compare graftwatch counts (count example output: id chrom pos ref alt
ref alt other) with `bcftools mpileup -a AD` output, marker by marker.

Usage: compare.py OURS.tsv BCFTOOLS.vcf [--truth truth.tsv]
Prints per-marker differences and a summary; exit 1 if any SNV differs.
"""
import sys


def norm(ref, alt):
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    return ref, alt


def load_bcf(path):
    snv, indel = {}, {}
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("\t")
        chrom, pos, ref, alts = f[0], int(f[1]), f[3], f[4].split(",")
        fmt = f[8].split(":")
        ad = [int(x) for x in f[9].split(":")[fmt.index("AD")].split(",")]
        is_indel = "INDEL" in f[7].split(";")
        for i, a in enumerate(alts):
            if a == "<*>":
                continue
            r, a2 = norm(ref, a)
            d = indel if is_indel else snv
            d[(chrom, pos, r, a2)] = (ad[0], ad[i + 1])
        if not is_indel:
            other = {}
            snv[(chrom, pos, "__depth")] = (ad[0], sum(ad[1:]), {norm(ref, a)[1]: ad[i + 1] for i, a in enumerate(alts) if a != "<*>"})
        else:
            indel[(chrom, pos, "__ref")] = ad[0]
    return snv, indel


def main():
    ours_path, bcf_path = sys.argv[1], sys.argv[2]
    snv, indel = load_bcf(bcf_path)
    bad_snv = 0
    n_snv = n_indel = 0
    indel_diffs = []
    for line in open(ours_path):
        mid, chrom, pos, ref, alt, r, a, o = line.split()
        pos, r, a, o = int(pos), int(r), int(a), int(o)
        if len(ref) == len(alt):
            n_snv += 1
            rec = snv.get((chrom, pos, "__depth"))
            if rec is None:
                exp = (0, 0, 0)
            else:
                eref, _, alts = rec
                eo = sum(v for k, v in alts.items() if k != alt)
                exp = (eref, alts.get(alt, 0), eo)
            if exp != (r, a, o):
                bad_snv += 1
                print(f"SNV {mid} {chrom}:{pos} ours={r},{a},{o} bcftools={exp}")
        else:
            n_indel += 1
            key = (chrom, pos, ref, alt)
            if key in indel:
                eref, ealt = indel[key]
            else:
                eref, ealt = indel.get((chrom, pos, "__ref"), None), 0
            indel_diffs.append((mid, r, a, eref, ealt))
            print(f"INDEL {mid} {chrom}:{pos} {ref}>{alt} ours={r},{a},{o} bcftools={eref},{ealt}")
    print(f"SNVs: {n_snv}, differing: {bad_snv}; indels: {n_indel}")
    sys.exit(1 if bad_snv else 0)


if __name__ == "__main__":
    main()
