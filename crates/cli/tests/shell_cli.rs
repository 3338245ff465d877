//! `graftwatch completions` and `graftwatch man`: what a person at a
//! terminal installs once.

use std::process::Command;

fn gw(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_graftwatch"))
        .args(args)
        .output()
        .expect("run graftwatch")
}

#[test]
fn completion_scripts_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = gw(&["completions", shell]);
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8_lossy(&o.stdout);
        for sub in ["grade", "decide", "report", "chimerism"] {
            assert!(text.contains(sub), "{shell} script lacks {sub}");
        }
    }
    let o = gw(&["completions", "cmd.exe"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_pages_to_stdout_and_one_per_subcommand() {
    let o = gw(&["man"]);
    assert!(o.status.success());
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH graftwatch"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = gw(&["man", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for page in [
        "graftwatch.1",
        "graftwatch-grade.1",
        "graftwatch-course-validate.1",
    ] {
        let text = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
    // A second run does not silently replace the pages.
    let o = gw(&["man", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    let o = gw(&["man", "--out", out.to_str().unwrap(), "--force"]);
    assert!(o.status.success());
}
