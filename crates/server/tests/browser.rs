//! The clinical pages in a real browser: headless Debian `chromium` driven
//! through `chromedriver` (WebDriver, fantoccini). The server runs on a free
//! loopback port over a temporary SQLite store holding the seed case.
//!
//! A physician signs in, opens the bedside entry, types a day's skin and gut
//! findings and sees the previewed MAGIC grade change, saves (one revision);
//! a lab scientist uploads the reference STR profiles and a day-30 CD3
//! sample (`examples/str`), reviews the result and its QC flags and signs it
//! off (one revision); the ward dashboard and the patient page (figure,
//! history) show the new values; both sign out.
//!
//! Screenshots: `$CARGO_TARGET_DIR/browser-artifacts/` (default
//! `target/browser-artifacts/`). Without chromium/chromedriver the test
//! prints a loud SKIP and passes — unless `CI` is set, where a missing
//! browser is a failure. `scripts/test.sh` installs them.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use graftwatch_server::{AppState, ServerConfig, hash_password, serve};
use graftwatch_store::{Location, Role, Store};

/// The store tests' harness: audit key and configuration/data directories
/// of the test process, actors, the seed course.
#[path = "../../store/tests/common/mod.rs"]
mod store_common;

const PATIENT: &str = "SEED-AML-01";
const PASSWORD: &str = "correct horse battery staple";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let d = target.join("browser-artifacts");
    std::fs::create_dir_all(&d).expect("artifact directory");
    d
}

fn found(exe: &str) -> bool {
    Command::new(exe)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether the browser is there; a loud skip locally, a failure in CI.
fn browser_available() -> bool {
    let ok = found("chromium") && found("chromedriver");
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but chromium/chromedriver are missing: apt-get install -y chromium chromium-driver"
        );
        eprintln!(
            "\n*** SKIPPING the browser test: chromium and chromedriver are not installed (apt-get install -y chromium chromium-driver; scripts/test.sh does it) ***\n"
        );
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// chromedriver on a free port, killed on drop.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver(child, port)
}

/// A store with the seed case and two users; returns the state.
fn store(dir: &Path) -> AppState {
    store_common::setup();
    let (s, _) = Store::init(&Location::Sqlite(dir.join("gw.sqlite3"))).expect("store");
    let admin = store_common::actor("admin", Role::Admin);
    s.put_user(&admin, "admin", Role::Admin).unwrap();
    s.create_patient(&admin, &store_common::seed(), None)
        .unwrap();
    for (user, role) in [("dr.bedside", Role::Clinician), ("lab.sci", Role::Lab)] {
        s.put_user(&admin, user, role).unwrap();
        let phc = hash_password(PASSWORD, 1024, 1).unwrap();
        s.set_password_hash(&admin, user, &phc).unwrap();
    }
    let cfg = ServerConfig {
        secure_cookies: false,
        ..ServerConfig::default()
    };
    AppState::new(s, cfg)
}

type R<T> = Result<T, Box<dyn std::error::Error>>;

async fn shot(c: &Client, name: &str) -> R<()> {
    let png = c.screenshot().await?;
    std::fs::write(artifacts().join(format!("{name}.png")), png)?;
    Ok(())
}

async fn text_of(c: &Client, css: &str) -> R<String> {
    // Retried: an htmx swap can replace the element between find and read.
    wait_text(c, css, |_| true).await
}

/// Waits until the element's text satisfies `ok` (htmx swaps are async).
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> R<String> {
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
            && ok(&t)
        {
            return Ok(t);
        }
        if start.elapsed() > Duration::from_secs(30) {
            let src = c.source().await.unwrap_or_default();
            return Err(format!(
                "timed out waiting for {css}; page:\n{}",
                &src[..src.len().min(4000)]
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn login(c: &Client, base: &str, user: &str) -> R<()> {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Css("input[name=user]"))
        .await?
        .send_keys(user)
        .await?;
    c.find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(PASSWORD)
        .await?;
    c.find(Locator::Css("form[action='/login'] button"))
        .await?
        .click()
        .await?;
    wait_text(c, ".who", |t| t.contains(user)).await?;
    Ok(())
}

async fn logout(c: &Client, base: &str) -> R<()> {
    c.find(Locator::Css("form.signout button"))
        .await?
        .click()
        .await?;
    let start = Instant::now();
    while !c
        .current_url()
        .await?
        .as_str()
        .starts_with(&format!("{base}/login"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "not back at the login page"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Signed out: a page needs signing in again.
    c.goto(&format!("{base}/ward")).await?;
    assert!(c.current_url().await?.as_str().contains("/login"));
    Ok(())
}

async fn set_value(c: &Client, id: &str, v: &str) -> R<()> {
    // A date input is set through the DOM (typing depends on the locale).
    c.execute(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true}));",
        vec![id.into(), v.into()],
    )
    .await?;
    Ok(())
}

async fn bedside(c: &Client, base: &str, day: &str) -> R<()> {
    c.goto(&format!("{base}/patients/{PATIENT}/entry?date={day}"))
        .await?;
    let before = wait_text(c, "#preview-grade", |t| !t.is_empty()).await?;
    shot(c, "1-entry-empty").await?;
    c.find(Locator::Id("f-skin_bsa"))
        .await?
        .send_keys("60")
        .await?;
    c.find(Locator::Id("f-stool_volume"))
        .await?
        .send_keys("1200")
        .await?;
    for b in ["nf_liver", "nf_upper_gi"] {
        c.find(Locator::Id(&format!("f-{b}")))
            .await?
            .click()
            .await?;
    }
    // Skin 60 % is stage 3: MAGIC grade II (the stool is averaged over 3
    // days by the engine, so 1200 mL today alone is lower GI stage 1).
    let after = wait_text(c, "#preview-grade", |t| t.contains("grade II (")).await?;
    assert_ne!(
        before, after,
        "the previewed grade changes as values are typed"
    );
    // Every keystroke and click re-renders the preview: a later swap may
    // replace the element between finding it and reading it, so wait for
    // the final text instead of reading once.
    let stages = wait_text(c, "#preview-stages", |t| {
        t.contains("skin: 3") && t.contains("lower GI: 1")
    })
    .await?;
    assert!(
        stages.contains("skin: 3") && stages.contains("lower GI: 1"),
        "{stages}"
    );
    // A bad value is named next to its field and not saved.
    c.find(Locator::Id("f-bilirubin"))
        .await?
        .send_keys("abc")
        .await?;
    let err = wait_text(c, "#err-bilirubin", |t| !t.is_empty()).await?;
    assert!(
        err.contains("Total bilirubin") && err.contains("abc"),
        "{err}"
    );
    shot(c, "2-entry-preview").await?;
    c.find(Locator::Id("f-bilirubin")).await?.clear().await?;
    wait_text(c, "#err-bilirubin", str::is_empty).await?;
    c.find(Locator::Id("save")).await?.click().await?;
    let hist = wait_text(c, "#history", |t| t.contains("rash body surface area 60")).await?;
    assert!(hist.contains("dr.bedside"), "{hist}");
    shot(c, "3-patient-after-entry").await?;
    Ok(())
}

async fn upload(c: &Client, form: &str, fields: &[(&str, &str)], file: &Path) -> R<()> {
    for (id, v) in fields {
        let e = c.find(Locator::Id(id)).await?;
        if e.tag_name().await? == "select" {
            e.select_by_value(v).await?;
        } else if id.ends_with("date") {
            set_value(c, id, v).await?;
        } else {
            e.send_keys(v).await?;
        }
    }
    let prefix = match form {
        "reference-form" => "ref",
        "upload-form" => "up",
        "ngs-reference-form" => "ngs-ref",
        _ => "ngs-up",
    };
    c.find(Locator::Id(&format!("{prefix}-file")))
        .await?
        .send_keys(&file.canonicalize()?.display().to_string())
        .await?;
    c.find(Locator::Id(&format!("{prefix}-submit")))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The NGS part of the lab page: the panel and the three reference
/// genotypes from `examples/ngs/`, a VCF sample analysed, signed off.
async fn lab_ngs(c: &Client, base: &str, day: &str) -> R<()> {
    let dir = workspace().join("examples/ngs");
    c.goto(&format!("{base}/patients/{PATIENT}/lab")).await?;
    upload(
        c,
        "ngs-reference-form",
        &[("ngs-ref-person", "panel")],
        &dir.join("panel.vcf"),
    )
    .await?;
    wait_text(c, "#lab-message", |t| t.contains("NGS marker panel stored")).await?;
    for (person, sample) in [
        ("recipient", "recipient"),
        ("UCB-1", "ucb1"),
        ("PBSC-1", "pbsc"),
    ] {
        upload(
            c,
            "ngs-reference-form",
            &[("ngs-ref-person", person), ("ngs-ref-sample", sample)],
            &dir.join("pileup.vcf"),
        )
        .await?;
        wait_text(c, "#lab-message", |t| {
            t.contains(&format!("NGS reference genotypes of {person}"))
        })
        .await?;
    }
    upload(
        c,
        "ngs-upload-form",
        &[
            ("ngs-up-sample", "day100"),
            ("ngs-up-lineage", "whole_blood"),
            ("ngs-up-date", day),
        ],
        &dir.join("pileup.vcf"),
    )
    .await?;
    wait_text(c, "#lab-message", |t| t.contains("recorded")).await?;
    let run = text_of(c, "article.run").await?;
    assert!(
        run.contains("NGS") && run.contains("UCB-1:") && run.contains("95 % CI"),
        "{run}"
    );
    shot(c, "4b-lab-ngs-result").await?;
    c.find(Locator::Css("button.signoff"))
        .await?
        .click()
        .await?;
    c.accept_alert().await?;
    let hist = wait_text(c, "#history", |t| t.contains("day100")).await?;
    assert!(hist.contains("lab.sci"), "{hist}");
    Ok(())
}

async fn lab(c: &Client, base: &str, day: &str) -> R<()> {
    let str_dir = workspace().join("examples/str");
    c.goto(&format!("{base}/patients/{PATIENT}/lab")).await?;
    for (person, sample) in [
        ("recipient", "R-pre"),
        ("UCB-1", "UCB-1"),
        ("PBSC-1", "PBSC-1"),
    ] {
        upload(
            c,
            "reference-form",
            &[("ref-person", person), ("ref-sample", sample)],
            &str_dir.join("references.txt"),
        )
        .await?;
        wait_text(c, "#lab-message", |t| {
            t.contains(&format!("Reference profile of {person}"))
        })
        .await?;
    }
    upload(
        c,
        "upload-form",
        &[
            ("up-sample", "PB-d30-CD3"),
            ("up-lineage", "cd3"),
            ("up-date", day),
        ],
        &str_dir.join("day30.txt"),
    )
    .await?;
    wait_text(c, "#lab-message", |t| t.contains("recorded")).await?;
    let run = text_of(c, "article.run").await?;
    assert!(
        run.contains("recipient:") && run.contains("UCB-1:"),
        "{run}"
    );
    shot(c, "4-lab-result").await?;
    c.find(Locator::Css("button.signoff"))
        .await?
        .click()
        .await?;
    c.accept_alert().await?;
    let hist = wait_text(c, "#history", |t| t.contains("chimerism")).await?;
    assert!(
        hist.contains("lab.sci") && hist.contains("T cells (CD3+)"),
        "{hist}"
    );
    Ok(())
}

async fn dashboard(c: &Client, base: &str, on: &str, day: &str) -> R<()> {
    c.goto(&format!("{base}/ward?on={on}")).await?;
    let row = wait_text(c, "#ward-table tbody tr", |t| t.contains(PATIENT)).await?;
    assert!(
        row.contains(&format!("T cells (CD3+) {day}")),
        "latest CD3 chimerism on the dashboard: {row}"
    );
    shot(c, "5-ward").await?;
    c.goto(&format!("{base}/patients/{PATIENT}")).await?;
    wait_text(c, "#figure", |t| t.contains("Course")).await?;
    let fig = c.find(Locator::Css("#figure svg#course-figure")).await?;
    assert!(
        fig.html(false).await?.contains(day),
        "the figure draws the new sample"
    );
    shot(c, "6-patient-figure").await?;
    Ok(())
}

async fn scenario(base: String, driver_port: u16, next_day: String, day_after: String) -> R<()> {
    let profile = tempfile::tempdir()?;
    let caps: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {"args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1400,1000", format!("--user-data-dir={}", profile.path().display())
            ]}
        }))?;
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await?;
    let res = async {
        login(&c, &base, "dr.bedside").await?;
        bedside(&c, &base, &next_day).await?;
        logout(&c, &base).await?;
        login(&c, &base, "lab.sci").await?;
        lab(&c, &base, &next_day).await?;
        lab_ngs(&c, &base, &next_day).await?;
        dashboard(&c, &base, &day_after, &next_day).await?;
        logout(&c, &base).await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    if res.is_err() {
        let _ = shot(&c, "failure").await;
    }
    let _ = c.close().await;
    res
}

#[test]
fn pages_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = store(dir.path());
    let (_, last) = store_common::seed().span().unwrap();
    let driver = start_driver();
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.spawn(serve(state, addr));
    let start = Instant::now();
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let base = format!("http://127.0.0.1:{port}");
    let r = rt.block_on(scenario(
        base,
        driver.1,
        last.add_days(1).to_string(),
        last.add_days(2).to_string(),
    ));
    rt.shutdown_timeout(Duration::from_secs(5));
    drop(driver);
    if let Err(e) = r {
        panic!(
            "browser scenario failed: {e} (screenshots in {})",
            artifacts().display()
        );
    }
    eprintln!("browser screenshots: {}", artifacts().display());
}
