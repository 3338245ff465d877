//! Every engine decision and ambiguity id cited anywhere in the code or the
//! docs resolves in docs/criteria-decisions.md, and every config key that
//! page names exists in `graftwatch config print`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if !matches!(name, "target" | ".git" | "data" | "node_modules") {
                files(&p, out);
            }
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("rs" | "md" | "toml")
        ) {
            out.push(p);
        }
    }
}

/// Ids `X-N` (X one of A C E T M D, N digits, optional lower-case suffix)
/// and "engine decision(s) N" in a text.
fn cited(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(2) {
        let before_ok = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
        if before_ok && b"ACETMD".contains(&b[i]) && b[i + 1] == b'-' && b[i + 2].is_ascii_digit() {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_lowercase() {
                j += 1;
            }
            let after_ok = j >= b.len() || !(b[j].is_ascii_alphanumeric() || b[j] == b'-');
            if after_ok {
                out.push(text[i..j].to_string());
            }
        }
    }
    for (k, _) in text.match_indices("engine decision") {
        let rest = text[k + "engine decision".len()..]
            .trim_start_matches('s')
            .trim_start();
        let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !n.is_empty() {
            out.push(format!("decision {n}"));
        }
    }
    out
}

#[test]
fn every_cited_id_is_written_up() {
    let doc = std::fs::read_to_string(root().join("docs/criteria-decisions.md")).unwrap();
    let mut all = Vec::new();
    for d in ["crates", "docs", "bench", "tools"] {
        files(&root().join(d), &mut all);
    }
    assert!(all.len() > 50, "walked {} files", all.len());
    let mut missing = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in &all {
        if p.ends_with("docs/criteria-decisions.md") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap_or_default();
        for id in cited(&text) {
            seen.insert(id.clone());
            let ok = if let Some(n) = id.strip_prefix("decision ") {
                doc.contains(&format!("\n| {n} |"))
            } else if let Some(n) = id.strip_prefix("D-") {
                doc.contains(&format!("\n| {n} |"))
            } else {
                doc.contains(&format!("| {id} |")) || doc.contains(&format!("`{id}`"))
            };
            if !ok {
                missing.push(format!("{id} ({})", p.display()));
            }
        }
    }
    assert!(
        seen.len() > 50,
        "only {} distinct ids found: {seen:?}",
        seen.len()
    );
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "not in docs/criteria-decisions.md: {missing:#?}"
    );
}

#[test]
fn every_config_key_named_exists() {
    let doc = std::fs::read_to_string(root().join("docs/criteria-decisions.md")).unwrap();
    let toml: toml::Table = graftwatch_config::Config::default()
        .to_toml_string()
        .parse()
        .unwrap();
    let mut n = 0;
    for (k, _) in doc.match_indices("`[") {
        let rest = &doc[k + 2..];
        let Some(close) = rest.find(']') else {
            continue;
        };
        let section = &rest[..close];
        let key: String = rest[close + 1..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut t = &toml;
        for part in section.split('.') {
            t = t
                .get(part)
                .and_then(|v| v.as_table())
                .unwrap_or_else(|| panic!("section [{section}] not in the configuration"));
        }
        assert!(
            t.contains_key(&key),
            "[{section}] {key} not in the configuration"
        );
        n += 1;
    }
    assert!(n > 20, "only {n} keys checked");
}

#[test]
fn the_page_prints_the_current_default_configuration() {
    let doc = std::fs::read_to_string(root().join("docs/criteria-decisions.md")).unwrap();
    let cfg = graftwatch_config::Config::default().to_toml_string();
    assert!(
        doc.contains(&cfg),
        "docs/criteria-decisions.md must contain `graftwatch config print`:\n{cfg}"
    );
}
