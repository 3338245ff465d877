//! The seed-case report in a real browser: Debian `chromium` headless takes
//! a screenshot (must not be blank) and dumps the rendered DOM (the axes,
//! legend, every series, the endpoint table, alerts and the DLI decision
//! trail must be there), and prints a small course to PDF (one page per
//! section at least: the print CSS breaks pages between sections; without
//! the breaks it fits on two pages). Fails with a clear message when
//! chromium is missing (scripts/test.sh installs it). `GRAFTWATCH_CHROMIUM` overrides
//! the executable.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> String {
    std::env::var("GRAFTWATCH_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

/// Runs chromium headless with the flags that work as root in CI, with a
/// 90 s timeout; returns stdout.
fn run_chromium(extra: &[String], url: &str, profile: &Path) -> Vec<u8> {
    let exe = chromium();
    let mut child = Command::new(&exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start '{exe}' ({e}): the browser test needs Debian chromium \
                 (apt-get install chromium; scripts/test.sh installs it) or GRAFTWATCH_CHROMIUM=/path/to/chromium"
            )
        });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buf);
        buf
    });
    let start = Instant::now();
    loop {
        match child.try_wait().expect("waiting for chromium") {
            Some(status) => {
                assert!(status.success(), "chromium exited with {status}");
                break;
            }
            None if start.elapsed() > Duration::from_secs(90) => {
                let _ = child.kill();
                panic!("chromium did not finish within 90 s");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("reader thread")
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn seed_report_renders_in_headless_chromium() {
    let course = common::seed().course;
    let html = graftwatch_report::render_full_report_html(&course);
    let dir = tmp();
    let page = dir.join("report.html");
    std::fs::write(&page, &html).expect("write page");
    let url = format!("file://{}", page.display());

    // Screenshot: decode and check it is not blank.
    let shot = dir.join("shot.png");
    run_chromium(
        &[
            "--window-size=1300,2400".to_string(),
            format!("--screenshot={}", shot.display()),
        ],
        &url,
        &dir.join("profile1"),
    );
    let file = std::fs::File::open(&shot).expect("chromium wrote no screenshot");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let bpp = info.color_type.samples();
    assert!(
        bpp >= 3,
        "colour screenshot expected, got {:?}",
        info.color_type
    );
    let px = &buf[..info.buffer_size()];
    let mut non_white = 0usize;
    let mut colours = std::collections::HashSet::new();
    let total = (info.width * info.height) as usize;
    for p in px.chunks_exact(bpp) {
        let (r, g, b) = (p[0], p[1], p[2]);
        if !(r > 245 && g > 245 && b > 245) {
            non_white += 1;
        }
        colours.insert((r >> 3, g >> 3, b >> 3));
    }
    assert!(
        non_white * 100 > total * 5,
        "screenshot nearly blank: {non_white} of {total} pixels not white"
    );
    assert!(
        colours.len() > 60,
        "screenshot has only {} distinct colours",
        colours.len()
    );

    // DOM: the rendered document has every key element.
    let dom = String::from_utf8(run_chromium(
        &["--dump-dom".to_string()],
        &url,
        &dir.join("profile2"),
    ))
    .expect("DOM is UTF-8");
    for needle in [
        "id=\"course-figure\"",
        "id=\"legend\"",
        "id=\"x-axis-days\"",
        "id=\"x-axis-calendar\"",
        "class=\"axis y\"",
        "id=\"series-anc\"",
        "id=\"series-platelets\"",
        "id=\"series-hemoglobin\"",
        "id=\"series-crs\"",
        "id=\"series-icans\"",
        "id=\"series-icaht\"",
        "id=\"series-chimerism-whole_blood-recipient\"",
        "id=\"series-chimerism-cd3-recipient\"",
        "id=\"series-chimerism-cd3-pbsc-1\"",
        "id=\"series-chimerism-myeloid-ucb-1\"",
        "id=\"series-marrow-blasts\"",
        "id=\"series-mrd\"",
        "id=\"series-eln-response\"",
        "id=\"series-agvhd-grade\"",
        "id=\"series-agvhd-skin\"",
        "id=\"series-agvhd-lower-gi\"",
        "id=\"anchor-dli-1\"",
        "class=\"endpoints\"",
        "<section id=\"alerts\">",
        "class=\"alert mrd_conversion\"",
        "<section id=\"dli-decision\">",
        "class=\"dli triggers\"",
        "class=\"dli prerequisites\"",
        "class=\"dli plan\"",
        "class=\"graft-checks\"",
    ] {
        assert!(dom.contains(needle), "rendered DOM lacks {needle}");
    }
    // Print: every section starts on a new page (`@media print`), so the
    // PDF has at least one page per section.
    let small = common::mini(
        r#"{"date": "2024-01-10", "kind": "graft_infusion", "source": "pbsc", "donor": "PBSC-1"}"#,
        r#"{"date": "2024-01-12", "kind": "anc", "value": 0.1, "unit": "10^9/L"}"#,
    );
    let small_html = graftwatch_report::render_full_report_html(&small);
    let small_page = dir.join("small.html");
    std::fs::write(&small_page, &small_html).expect("write small page");
    let pdf = dir.join("small.pdf");
    run_chromium(
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &format!("file://{}", small_page.display()),
        &dir.join("profile3"),
    );
    let bytes = std::fs::read(&pdf).expect("chromium wrote no PDF");
    let pages = count_pages(&bytes);
    let sections = small_html.matches("<section id=").count();
    assert!(
        pages >= sections,
        "{pages} printed pages for {sections} sections: page breaks missing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Page objects in a PDF: `/Type /Page` (any spacing) not followed by `s`.
fn count_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while let Some(off) = find(&pdf[i..], b"/Type") {
        let mut j = i + off + 5;
        while j < pdf.len() && pdf[j].is_ascii_whitespace() {
            j += 1;
        }
        if pdf[j..].starts_with(b"/Page") && pdf.get(j + 5) != Some(&b's') {
            n += 1;
        }
        i = j;
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
