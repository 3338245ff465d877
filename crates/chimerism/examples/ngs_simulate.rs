//! Writes a simulated NGS chimerism data set: `panel.vcf` (sites only),
//! `genotypes.vcf` (GT/AD/DP/GQ of the pure pre-transplant samples),
//! `pileup.vcf` (FORMAT/AD of pure and post-transplant samples, as
//! `bcftools mpileup -a AD` writes them) and `truth.tsv`.
//!
//! Usage: `cargo run -p graftwatch-chimerism --example ngs_simulate -- OUT_DIR SEED DONORS N_SAMPLES`
//! (N_SAMPLES = 0 writes the fixed example series used in `examples/ngs/`).

use std::fmt::Write as _;

use graftwatch_chimerism::ngs::sim::{
    SimReads, SimRng, haploidentical, simulate_counts, simulate_errors, simulate_panel, unrelated,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: ngs_simulate OUT_DIR SEED DONORS N_SAMPLES");
        std::process::exit(2);
    }
    let out = std::path::PathBuf::from(&args[1]);
    let (Ok(seed), Ok(donors), Ok(n)) = (
        args[2].parse::<u64>(),
        args[3].parse::<usize>(),
        args[4].parse::<usize>(),
    ) else {
        eprintln!("SEED, DONORS and N_SAMPLES must be non-negative integers");
        std::process::exit(2);
    };
    if !(1..=3).contains(&donors) {
        eprintln!("DONORS must be 1, 2 or 3");
        std::process::exit(2);
    }
    std::fs::create_dir_all(&out).expect("create output directory");
    let mut rng = SimRng::new(seed);
    let panel = simulate_panel(48, 24, &mut rng);
    let reads = SimReads::default();
    let errs = simulate_errors(&panel, &reads, &mut rng);
    let recipient = unrelated(&panel, &mut rng);
    let mut people = vec![recipient.clone()];
    let mut names = vec!["recipient".to_string()];
    for d in 0..donors {
        people.push(if d == 0 {
            haploidentical(&recipient, &panel, &mut rng)
        } else {
            unrelated(&panel, &mut rng)
        });
        names.push(if d == 0 {
            "pbsc".to_string()
        } else {
            format!("ucb{d}")
        });
    }
    // Sample fractions.
    let mut samples: Vec<(String, Vec<f64>)> = Vec::new();
    if n == 0 {
        let series = [(0.30, 0.5), (0.05, 0.7), (0.01, 0.9), (0.002, 0.97)];
        for (i, (fr, cord)) in series.iter().enumerate() {
            let mut f = vec![*fr];
            match donors {
                1 => f.push(1.0 - fr),
                _ => {
                    let rest = 1.0 - fr;
                    let mut d = vec![rest * (1.0 - cord), rest * cord];
                    if donors == 3 {
                        d.push(d[1] * 0.2);
                        d[1] *= 0.8;
                    }
                    f.extend(d);
                }
            }
            samples.push((format!("day{}", [30, 60, 100, 180][i]), f));
        }
    } else {
        for i in 0..n {
            let fr = 10f64.powf(-3.0 + 2.7 * rng.uniform()); // 0.1% – 50%
            let mut f = vec![fr];
            let mut w: Vec<f64> = (0..donors).map(|_| 0.2 + rng.uniform()).collect();
            let s: f64 = w.iter().sum();
            w.iter_mut().for_each(|x| *x = *x / s * (1.0 - fr));
            f.extend(w);
            samples.push((format!("post{:04}", i + 1), f));
        }
    }
    let refs: Vec<_> = people.iter().collect();
    let pure: Vec<_> = people
        .iter()
        .map(|p| simulate_counts(&[p], &[1.0], &errs, &reads, &mut rng))
        .collect();
    let post: Vec<_> = samples
        .iter()
        .map(|(_, f)| simulate_counts(&refs, f, &errs, &reads, &mut rng))
        .collect();

    let mut contigs: Vec<&str> = panel.markers.iter().map(|m| m.chrom.as_str()).collect();
    contigs.sort_by_key(|c| c.trim_start_matches("chr").parse::<u32>().unwrap_or(99));
    contigs.dedup();
    let mut order: Vec<usize> = (0..panel.markers.len()).collect();
    order.sort_by_key(|&i| {
        (
            contigs.iter().position(|c| *c == panel.markers[i].chrom),
            panel.markers[i].pos,
        )
    });
    let header = |extra: &str| -> String {
        let mut h = String::from("##fileformat=VCFv4.2\n");
        for c in &contigs {
            let _ = writeln!(h, "##contig=<ID={c},length=248956422>");
        }
        h.push_str(extra);
        h
    };
    // panel.vcf
    let mut p = header("");
    p.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    for &i in &order {
        let m = &panel.markers[i];
        let _ = writeln!(
            p,
            "{}\t{}\t{}\t{}\t{}\t.\t.\t.",
            m.chrom, m.pos, m.id, m.ref_allele, m.alt_allele
        );
    }
    std::fs::write(out.join("panel.vcf"), p).expect("write panel");
    // genotypes.vcf (truth genotypes, as a joint caller would emit them)
    let mut g = header(
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n",
    );
    let _ = writeln!(
        g,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{}",
        names.join("\t")
    );
    for &i in &order {
        let m = &panel.markers[i];
        let _ = write!(
            g,
            "{}\t{}\t{}\t{}\t{}\t100\tPASS\t.\tGT:AD:DP:GQ",
            m.chrom, m.pos, m.id, m.ref_allele, m.alt_allele
        );
        for (k, person) in people.iter().enumerate() {
            let gt = person.genotypes()[i].as_vcf();
            let c = pure[k][i];
            let _ = write!(g, "\t{gt}:{},{}:{}:99", c.ref_count, c.alt_count, c.depth());
        }
        g.push('\n');
    }
    std::fs::write(out.join("genotypes.vcf"), g).expect("write genotypes");
    // pileup.vcf
    let mut v = header(
        "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Raw read depth\">\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n",
    );
    let all_names: Vec<String> = names
        .iter()
        .cloned()
        .chain(samples.iter().map(|s| s.0.clone()))
        .collect();
    let _ = writeln!(
        v,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{}",
        all_names.join("\t")
    );
    for &i in &order {
        let m = &panel.markers[i];
        let counts: Vec<_> = pure.iter().chain(post.iter()).map(|c| c[i]).collect();
        let dp: u32 = counts.iter().map(|c| c.depth()).sum();
        let _ = write!(
            v,
            "{}\t{}\t{}\t{}\t{}\t.\t.\tDP={dp}\tGT:AD:DP",
            m.chrom, m.pos, m.id, m.ref_allele, m.alt_allele
        );
        for c in counts {
            // GT as `bcftools call` would band it (allomix needs a called GT).
            let vaf = f64::from(c.alt_count) / f64::from(c.depth().max(1));
            let gt = if vaf < 0.05 {
                "0/0"
            } else if vaf > 0.95 {
                "1/1"
            } else {
                "0/1"
            };
            let _ = write!(v, "\t{gt}:{},{}:{}", c.ref_count, c.alt_count, c.depth());
        }
        v.push('\n');
    }
    std::fs::write(out.join("pileup.vcf"), v).expect("write pileup");
    let mut t = format!("sample\t{}\n", names.join("\t"));
    for (s, f) in &samples {
        let _ = writeln!(
            t,
            "{s}\t{}",
            f.iter()
                .map(|x| format!("{x:.6}"))
                .collect::<Vec<_>>()
                .join("\t")
        );
    }
    std::fs::write(out.join("truth.tsv"), t).expect("write truth");
}
