#!/usr/bin/env python3
"""Read-level simulation of an amplicon chimerism panel (graftwatch, ngs-count).

Writes into OUTDIR:
  ref.fa           synthetic reference: CONTIGS contigs of random sequence
                   carrying one amplicon per marker, with some indels placed in
                   homopolymers / dinucleotide repeats on purpose
  panel.vcf        sites-only VCF, sorted, indels left-normalised
  genotypes.tsv    marker, then the ALT dosage (0/1/2) of every person in
                   --fractions: recipient, haplo_pbsc, cord, cord2, ...;
                   the haploidentical PBSC donor shares one allele with the
                   recipient at every marker, the cord units are unrelated
  truth.tsv        marker, pairs drawn from a REF haplotype, from an ALT one
  sample_R1.fq.gz, sample_R2.fq.gz  paired reads (R1 forward from the amplicon
                   start, R2 reverse from its end), mixed at the given
                   fractions, with quality strings and errors drawn from them
                   (substitutions) plus rare indel errors

--fractions takes 2 or more values summing to 1, in this order: recipient,
haploidentical PBSC donor, then any number of unrelated cord units (cord,
cord2, cord3, ...). "0.05,0.95" is recipient + PBSC donor only; the default
"0.05,0.75,0.20" adds one cord unit; "0.05,0.55,0.25,0.15" two.

The same --seed gives the same reference, panel and people whatever the
fractions (and however many people are listed), so pure samples ("1,0",
"0,1", "0,0,1", "0,0,0,1") and mixes made with one seed belong together.
Cord units beyond the first are drawn from their own random stream, seeded
from --seed and the unit's number, so three-person runs write exactly what
earlier versions of this script wrote.

Pure Python (no numpy); deterministic for a given --seed.
"""

import argparse
import bisect
import gzip
import math
import os
import random

BASES = "ACGT"
COMP = str.maketrans("ACGTN", "TGCAN")


def revcomp(s):
    return s.translate(COMP)[::-1]


def rand_seq(rng, n):
    return "".join(rng.choice(BASES) for _ in range(n))


def left_normalise(seq, pos0, ref, alt):
    """bcftools-norm style left shift of a pure indel (0-based pos0)."""
    while pos0 > 0 and ref[-1] == alt[-1] and len(ref) > 1 and len(alt) > 1:
        ref, alt = ref[:-1], alt[:-1]
    while pos0 > 0 and ref[-1] == alt[-1]:
        pos0 -= 1
        ref = seq[pos0] + ref[:-1]
        alt = seq[pos0] + alt[:-1]
    return pos0, ref, alt


def make_quality_pool(rng, read_len, n=400):
    pool = []
    for _ in range(n):
        quals = []
        dip = rng.random() < 0.1
        for i in range(read_len):
            mean = 38.0 - 12.0 * (i / read_len) ** 2
            q = int(round(rng.gauss(mean, 3.5)))
            if dip and rng.random() < 0.03:
                q = rng.randint(2, 12)
            quals.append(max(2, min(41, q)))
        probs = [10 ** (-q / 10.0) for q in quals]
        cum = []
        acc = 0.0
        for p in probs:
            acc += p
            cum.append(acc)
        pool.append(("".join(chr(q + 33) for q in quals), cum, acc))
    return pool


def poisson(rng, lam):
    # Knuth; lam is small (< 5) here.
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def mutate(rng, seq, qual_entry, indel_rate):
    qual, cum, lam = qual_entry
    n = len(seq)
    s = list(seq)
    k = poisson(rng, cum[n - 1] if n <= len(cum) else lam)
    if k:
        positions = rng.choices(range(n), cum_weights=cum[:n], k=k)
        for p in positions:
            s[p] = rng.choice([b for b in BASES if b != s[p]])
    if indel_rate > 0 and rng.random() < indel_rate * n:
        p = rng.randrange(5, n - 5) if n > 10 else 0
        if rng.random() < 0.5:
            del s[p]
            s.append(rng.choice(BASES))
        else:
            s.insert(p, rng.choice(BASES))
            s.pop()
    return "".join(s), qual[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--snps", type=int, default=48)
    ap.add_argument("--indels", type=int, default=24)
    ap.add_argument("--contigs", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=20000, help="read pairs in the sample")
    ap.add_argument("--read-len", type=int, default=150)
    ap.add_argument("--fractions", default="0.05,0.75,0.20",
                    help="recipient,haplo_pbsc[,cord[,cord2...]] fractions: 2 or more "
                         "values >= 0 summing to 1 (default: %(default)s)")
    ap.add_argument("--indel-error-rate", type=float, default=2e-5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--gzip-level", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    fractions = [float(x) for x in args.fractions.split(",")]
    if len(fractions) < 2 or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-9:
        raise SystemExit("--fractions needs 2 or more values >= 0 summing to 1 "
                         "(recipient,haplo_pbsc[,cord[,cord2...]]); got " + args.fractions)

    n_markers = args.snps + args.indels
    kinds = ["snp"] * args.snps + ["indel"] * args.indels
    rng.shuffle(kinds)

    # Build contigs: spacer + amplicon + spacer ..., one marker per amplicon.
    contigs = {f"chr{c + 1}": [] for c in range(args.contigs)}
    names = list(contigs)
    pieces = {n: [rand_seq(rng, 300)] for n in names}
    lengths = {n: 300 for n in names}
    amplicons = []  # (contig, start0, end0, marker dict)
    indel_no = 0
    for m in range(n_markers):
        contig = names[m % len(names)]
        amp_len = rng.randint(170, 280)
        off = rng.randint(60, amp_len - 60)
        amp = list(rand_seq(rng, amp_len))
        kind = kinds[m]
        if kind == "snp":
            ref = amp[off]
            alt = rng.choice([b for b in BASES if b != ref])
            var = (off, ref, alt)
        else:
            indel_no += 1
            length = rng.randint(1, 4)
            repeat = indel_no % 3 == 0  # every third indel sits in a repeat
            if repeat:
                unit = rand_seq(rng, 1 if length == 1 else 2)
                copies = 4 + rng.randint(0, 3)
                rep = (unit * (copies + 4))[: len(unit) * copies]
                amp[off + 1: off + 1 + len(rep)] = list(rep)
                amp = amp[:amp_len]
                length = len(unit)
                if rng.random() < 0.5:  # deletion of one unit
                    ref = "".join(amp[off: off + 1 + length])
                    alt = amp[off]
                else:  # insertion of one unit
                    ref = amp[off]
                    alt = amp[off] + unit
            else:
                if rng.random() < 0.5:
                    ref = "".join(amp[off: off + 1 + length])
                    alt = amp[off]
                else:
                    ref = amp[off]
                    alt = amp[off] + rand_seq(rng, length)
            var = (off, ref, alt)
        start0 = lengths[contig]
        pieces[contig].append("".join(amp))
        spacer = rand_seq(rng, 300)
        pieces[contig].append(spacer)
        lengths[contig] += amp_len + 300
        amplicons.append([contig, start0, start0 + amp_len, var, f"m{m + 1:03d}"])

    seqs = {n: "".join(pieces[n]) for n in names}
    markers = []
    for a in amplicons:
        contig, s0, e0, (off, ref, alt), mid = a
        seq = seqs[contig]
        pos0 = s0 + off
        assert seq[pos0: pos0 + len(ref)] == ref
        if len(ref) != len(alt):
            pos0, ref, alt = left_normalise(seq, pos0, ref, alt)
            if pos0 < s0 + 20:
                raise SystemExit("indel normalised out of its amplicon; change --seed")
        markers.append({"id": mid, "chrom": contig, "pos0": pos0, "ref": ref, "alt": alt,
                        "amp": (s0, e0)})

    with open(os.path.join(args.outdir, "ref.fa"), "w") as f:
        for n in names:
            f.write(f">{n}\n")
            s = seqs[n]
            for i in range(0, len(s), 60):
                f.write(s[i: i + 60] + "\n")

    order = sorted(range(len(markers)), key=lambda i: (names.index(markers[i]["chrom"]), markers[i]["pos0"]))
    with open(os.path.join(args.outdir, "panel.vcf"), "w") as f:
        f.write("##fileformat=VCFv4.2\n")
        for n in names:
            f.write(f"##contig=<ID={n},length={len(seqs[n])}>\n")
        f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i in order:
            m = markers[i]
            f.write(f"{m['chrom']}\t{m['pos0'] + 1}\t{m['id']}\t{m['ref']}\t{m['alt']}\t.\t.\t.\n")

    # Genotypes: recipient, haploidentical PBSC donor, unrelated cord (always
    # drawn, so the main random stream does not depend on --fractions).
    genos = []
    freqs = []
    for m in markers:
        p = rng.uniform(0.2, 0.8)
        freqs.append(p)
        rec = [int(rng.random() < p), int(rng.random() < p)]
        pbsc = [rec[rng.randrange(2)], int(rng.random() < p)]
        cord = [int(rng.random() < p), int(rng.random() < p)]
        genos.append([rec, pbsc, cord])
    # Further unrelated cord units: one random stream per unit, so the main
    # stream (and every three-person output) is unchanged, and cord2 is the
    # same person whether two, three or more cord units are listed.
    for k in range(2, len(fractions) - 1):
        unit_rng = random.Random(f"graftwatch-simulate-{args.seed}-cord{k}")
        for g, p in zip(genos, freqs):
            g.append([int(unit_rng.random() < p), int(unit_rng.random() < p)])
    people = ["recipient", "haplo_pbsc"] + [
        "cord" if k == 1 else f"cord{k}" for k in range(1, len(fractions) - 1)]
    with open(os.path.join(args.outdir, "genotypes.tsv"), "w") as f:
        f.write("marker\t" + "\t".join(people) + "\n")
        for m, g in zip(markers, genos):
            f.write(m["id"] + "".join(f"\t{sum(x)}" for x in g[: len(people)]) + "\n")

    # Haplotype sequences per marker: REF and ALT amplicon.
    haps = []
    for m in markers:
        s0, e0 = m["amp"]
        seq = seqs[m["chrom"]]
        ref_amp = seq[s0:e0]
        o = m["pos0"] - s0
        alt_amp = ref_amp[:o] + m["alt"] + ref_amp[o + len(m["ref"]):]
        haps.append((ref_amp, alt_amp))

    # Amplicon efficiencies (log-normal), reads per amplicon.
    eff = [math.exp(rng.gauss(0, 0.3)) for _ in markers]
    tot = sum(eff)
    per_amp = [max(1, int(round(args.pairs * e / tot))) for e in eff]

    pool = make_quality_pool(rng, args.read_len)
    truth = []
    cum_f = []
    acc = 0.0
    for x in fractions[:-1]:
        acc += x
        cum_f.append(acc)
    cum_f.append(1.0)
    r1 = gzip.open(os.path.join(args.outdir, "sample_R1.fq.gz"), "wt", compresslevel=args.gzip_level)
    r2 = gzip.open(os.path.join(args.outdir, "sample_R2.fq.gz"), "wt", compresslevel=args.gzip_level)
    # Interleave amplicons so files are not sorted by amplicon.
    schedule = []
    for i, n in enumerate(per_amp):
        schedule.extend([i] * n)
    rng.shuffle(schedule)
    counts = [[0, 0] for _ in markers]
    L = args.read_len
    buf1, buf2 = [], []
    for rn, i in enumerate(schedule):
        u = rng.random()
        person = min(bisect.bisect_right(cum_f, u), len(fractions) - 1)  # first i with u < cum_f[i]
        allele = genos[i][person][rng.randrange(2)]
        counts[i][allele] += 1
        hap = haps[i][allele]
        s1, q1 = mutate(rng, hap[:L], rng.choice(pool), args.indel_error_rate)
        s2, q2 = mutate(rng, revcomp(hap)[:L], rng.choice(pool), args.indel_error_rate)
        name = f"r{rn + 1}"
        buf1.append(f"@{name}\n{s1}\n+\n{q1}\n")
        buf2.append(f"@{name}\n{s2}\n+\n{q2}\n")
        if len(buf1) >= 10000:
            r1.write("".join(buf1))
            r2.write("".join(buf2))
            buf1.clear()
            buf2.clear()
    r1.write("".join(buf1))
    r2.write("".join(buf2))
    r1.close()
    r2.close()
    with open(os.path.join(args.outdir, "truth.tsv"), "w") as f:
        f.write("marker\tref_pairs\talt_pairs\n")
        for m, (a, b) in zip(markers, counts):
            f.write(f"{m['id']}\t{a}\t{b}\n")


if __name__ == "__main__":
    main()
