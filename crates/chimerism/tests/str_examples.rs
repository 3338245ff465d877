//! The files in `examples/str/` are produced by the simulator here (seed
//! case: recipient, cord unit UCB-1 unrelated, haploidentical PBSC-1).
//! `STR_WRITE_EXAMPLES=1 cargo test -p graftwatch-chimerism --test
//! str_examples` rewrites them; the normal run checks they are up to date.

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
fn committed_examples_match_the_simulator() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/str");
    let write = std::env::var("STR_WRITE_EXAMPLES").is_ok_and(|v| v == "1");
    for (name, text) in generate() {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == text,
                "{} differs from the simulator output; rerun with STR_WRITE_EXAMPLES=1",
                path.display()
            );
        }
    }
}
