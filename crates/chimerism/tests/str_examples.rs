//! The files in `examples/str/` were produced by the simulator here (seed
//! case: recipient, cord unit UCB-1 unrelated, haploidentical PBSC-1),
//! before the simulator moved to the workspace's one seeded generator
//! (`graftwatch_core::rng`). They are kept byte for byte — the documented
//! example outputs and the tests of other crates read them — so the check
//! here is that the current simulator still writes files of the same shape
//! (the same samples, each with the same loci, in the same layouts).
//! `STR_WRITE_EXAMPLES=1 cargo test -p graftwatch-chimerism --test
//! str_examples` rewrites them with the current generator.

#[path = "common/str_sim.rs"]
mod str_sim;

use std::path::PathBuf;

use str_sim::{
    Rng, SimParams, haploidentical, mixture, to_genemapper_long, to_genemapper_wide, unrelated,
};

fn generate() -> Vec<(&'static str, String)> {
    let mut rng = Rng::new(20240429);
    let p = SimParams::default();
    let mut r = unrelated(&mut rng);
    r.male = true;
    let ucb = unrelated(&mut rng);
    let pbsc = haploidentical(&mut rng, &r);
    let people = [&r, &ucb, &pbsc];
    let pure = |rng: &mut Rng, name: &str, i: usize| {
        let mut f = [0.0; 3];
        f[i] = 1.0;
        mixture(rng, name, &people, &f, &p)
    };
    let r_pre = pure(&mut rng, "R-pre", 0);
    let ucb_p = pure(&mut rng, "UCB-1", 1);
    let pbsc_p = pure(&mut rng, "PBSC-1", 2);
    let d14 = mixture(&mut rng, "PB-d14-WB", &people, &[0.03, 0.25, 0.72], &p);
    let d30_cd3 = mixture(&mut rng, "PB-d30-CD3", &people, &[0.02, 0.70, 0.28], &p);
    let d30_my = mixture(&mut rng, "PB-d30-CD33", &people, &[0.0, 0.95, 0.05], &p);
    vec![
        (
            "references.txt",
            to_genemapper_wide(&[&r_pre, &ucb_p, &pbsc_p]),
        ),
        ("day14.txt", to_genemapper_long(&[&d14])),
        ("day30.txt", to_genemapper_wide(&[&d30_cd3, &d30_my])),
    ]
}

#[test]
fn committed_examples_have_the_simulators_shape() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/str");
    let write = std::env::var("STR_WRITE_EXAMPLES").is_ok_and(|v| v == "1");
    for (name, text) in generate() {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                shape(&committed),
                shape(&text),
                "{} no longer has the simulator's samples, loci and layout; rerun with STR_WRITE_EXAMPLES=1",
                path.display()
            );
        }
    }
}

/// The kinds of columns (numbers dropped: `Allele 1`, `Allele 2` → `Allele`)
/// and the (sample, marker) pairs of a GeneMapper table.
type Shape = (Vec<String>, std::collections::BTreeSet<(String, String)>);

fn shape(text: &str) -> Shape {
    let mut lines = text.lines();
    let mut columns: Vec<String> = Vec::new();
    for c in lines.next().unwrap_or_default().split('\t') {
        let kind = c.trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == ' ');
        if !columns.iter().any(|k| k == kind) {
            columns.push(kind.to_string());
        }
    }
    let pairs = lines
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_string(), cols.next()?.to_string()))
        })
        .collect();
    (columns, pairs)
}
