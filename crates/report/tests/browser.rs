//! The seed-case report in a real browser (Debian `chromium` headless):
//!
//! * **screen** (1300 px): a screenshot that is not blank, the rendered DOM
//!   with every key element, and — measured by Chromium itself on the laid
//!   out page — no two texts of the figure overlapping and no figure text
//!   under 10 px;
//! * **800 px**: the figure keeps its natural size (the page scrolls
//!   sideways), so no figure text is under 10 px;
//! * **print** (`--print-to-pdf`): the figure alone on one A4 landscape
//!   page with its axes (checked on the page's text with `pdftotext` and on
//!   its image with `pdftoppm`), every other page portrait, and no page
//!   ending with a section heading.
//!
//! Skips with a loud message when chromium is missing (scripts/test.sh
//! installs it and poppler-utils; CI runs it). `GRAFTWATCH_CHROMIUM`
//! overrides the executable.

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
        .unwrap_or_else(|e| panic!("cannot start '{exe}' ({e})"));
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

/// Whether chromium can be started; prints a loud skip notice when not.
fn chromium_present(test: &str) -> bool {
    let ok = Command::new(chromium())
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "\n==================== SKIPPED {test} ====================\n\
             chromium is not installed: the browser tests did NOT run.\n\
             Install it (apt-get install chromium; scripts/test.sh does) or set\n\
             GRAFTWATCH_CHROMIUM=/path/to/chromium. CI installs it.\n\
             =========================================================\n"
        );
    }
    ok
}

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gw-browser-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn seed_report_renders_in_headless_chromium() {
    if !chromium_present("seed_report_renders_in_headless_chromium") {
        return;
    }
    let course = common::seed().course;
    let html = graftwatch_report::render_full_report_html(&course);
    let dir = tmp("screen");
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
        "id=\"panel-chimerism-recipient\"",
        "id=\"series-recipient-cd3\"",
        "data-threshold=\"chimerism-dli\"",
        "data-threshold=\"chimerism-lod\"",
        "id=\"panel-events\"",
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
    let _ = std::fs::remove_dir_all(&dir);
}

/// A script the test adds to a copy of the page (the report itself has no
/// script): after layout it writes, into `<pre id="gw-measure">`, the
/// smallest rendered font size of the figure's texts (computed font size
/// times the SVG's rendered scale) and every pair of figure texts whose
/// rendered boxes overlap by more than 1 px.
const MEASURE: &str = r#"<script>
window.addEventListener('load', function () {
  var svg = document.getElementById('course-figure');
  var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  var texts = Array.prototype.slice.call(svg.querySelectorAll('text'))
    .filter(function (t) { return t.textContent.trim().length > 0 && !t.closest('title'); });
  var min = 1e9;
  var boxes = texts.map(function (t) {
    var fs = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (fs < min) { min = fs; }
    return [t.getBoundingClientRect(), t.textContent];
  });
  var over = [];
  for (var i = 0; i < boxes.length; i++) {
    for (var j = i + 1; j < boxes.length; j++) {
      var a = boxes[i][0], b = boxes[j][0];
      if (a.left + 1 < b.right && b.left + 1 < a.right && a.top + 1 < b.bottom && b.top + 1 < a.bottom) {
        over.push(boxes[i][1] + ' / ' + boxes[j][1]);
      }
    }
  }
  var pre = document.createElement('pre');
  pre.id = 'gw-measure';
  pre.textContent = 'scale=' + scale.toFixed(3) + ';minfont=' + min.toFixed(2) +
    ';overlaps=' + over.length + ';' + over.join(' | ');
  document.body.appendChild(pre);
});
</script>"#;

/// (scale, smallest figure font px, overlap count, overlaps) at `width`.
fn measure(html: &str, width: u32, dir: &Path) -> (f64, f64, usize, String) {
    let page = dir.join(format!("measure-{width}.html"));
    std::fs::write(&page, html.replace("</body>", &format!("{MEASURE}</body>")))
        .expect("write page");
    let dom = String::from_utf8(run_chromium(
        &[
            format!("--window-size={width},1000"),
            "--virtual-time-budget=5000".to_string(),
            "--dump-dom".to_string(),
        ],
        &format!("file://{}", page.display()),
        &dir.join(format!("profile-m{width}")),
    ))
    .expect("DOM is UTF-8");
    let i = dom
        .find("id=\"gw-measure\">")
        .expect("the measuring script ran");
    let rest = &dom[i + 16..];
    let text = &rest[..rest.find("</pre>").expect("measure end")];
    let field = |k: &str| -> String {
        let j = text.find(&format!("{k}=")).expect("field") + k.len() + 1;
        text[j..].split(';').next().unwrap_or("").to_string()
    };
    let list = text.splitn(4, ';').nth(3).unwrap_or("").to_string();
    (
        field("scale").parse().expect("scale"),
        field("minfont").parse().expect("minfont"),
        field("overlaps").parse().expect("overlaps"),
        list,
    )
}

#[test]
fn figure_text_is_at_least_10px_and_never_overlaps_on_screen_and_at_800px() {
    if !chromium_present("figure_text_is_at_least_10px_and_never_overlaps_on_screen_and_at_800px") {
        return;
    }
    let html = graftwatch_report::render_full_report_html(&common::seed().course);
    let dir = tmp("measure");
    for width in [1300, 800] {
        let (scale, min_font, n, list) = measure(&html, width, &dir);
        assert!(
            min_font >= 9.99,
            "at {width} px the smallest figure text is {min_font} px (scale {scale})"
        );
        assert_eq!(n, 0, "at {width} px, overlapping texts: {list}");
        if width == 800 {
            // natural size: the page scrolls sideways instead of shrinking
            assert!(scale >= 0.999, "figure shrunk to {scale} at 800 px");
        }
    }
    // the measurement can fail: a planted overlap and a shrunken figure
    let planted = r#"<!DOCTYPE html><html><body><svg id="course-figure" viewBox="0 0 400 100" style="width:200px"><style>text{font-size:10px}</style><text x="10" y="20">+210</text><text x="20" y="20">+240</text></svg></body></html>"#;
    let (scale, min_font, n, _) = measure(planted, 800, &dir);
    assert_eq!(n, 1, "planted overlap found");
    assert!(scale < 0.6 && min_font < 6.0, "{scale} {min_font}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tool(name: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run '{name}' ({e}): the print test needs poppler-utils \
             (apt-get install poppler-utils; scripts/test.sh installs it)"
        )
    });
    assert!(out.status.success(), "{name} {args:?} failed");
    out.stdout
}

/// Width and height (pt) of each page, from `pdfinfo -f 1 -l N`.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let p = pdf.to_str().expect("path");
    let info = String::from_utf8(tool("pdfinfo", &["-f", "1", "-l", "999", p])).expect("utf8");
    info.lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size:"))
        .map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            // "Page    3 size: 841.92 x 594.96 pts (A4)": page number, w, h
            (v[1], v[2])
        })
        .collect()
}

#[test]
fn printed_report_puts_the_figure_on_one_landscape_page_without_orphan_headings() {
    if !chromium_present(
        "printed_report_puts_the_figure_on_one_landscape_page_without_orphan_headings",
    ) {
        return;
    }
    let html = graftwatch_report::render_full_report_html(&common::seed().course);
    let dir = tmp("print");
    let page = dir.join("report.html");
    std::fs::write(&page, &html).expect("write page");
    let pdf = dir.join("report.pdf");
    run_chromium(
        &[
            "--no-pdf-header-footer".to_string(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &format!("file://{}", page.display()),
        &dir.join("profile-print"),
    );
    let sizes = page_sizes(&pdf);
    let landscape: Vec<usize> = (0..sizes.len())
        .filter(|i| sizes[*i].0 > sizes[*i].1)
        .collect();
    assert_eq!(landscape.len(), 1, "one landscape page expected: {sizes:?}");
    let n = landscape[0] + 1;
    let p = pdf.to_str().expect("path");
    let page_text = |k: usize| {
        String::from_utf8_lossy(&tool(
            "pdftotext",
            &[
                "-layout",
                "-f",
                &k.to_string(),
                "-l",
                &k.to_string(),
                p,
                "-",
            ],
        ))
        .into_owned()
    };
    // the whole figure, title to calendar axis, is on that page
    let fig = page_text(n);
    for needle in [
        "Course: counts",
        "Course events",
        "ANC, platelets",
        "recipient %",
        "aGVHD grade",
        "Antimicrobials",
        "Days after HCT",
        "Calendar date",
    ] {
        assert!(fig.contains(needle), "page {n} lacks '{needle}':\n{fig}");
    }
    // no page ends with a section heading (an orphan heading)
    let headings: Vec<String> = html
        .split("<h2>")
        .skip(1)
        .chain(html.split("<h3>").skip(1))
        .filter_map(|h| h.split('<').next())
        .map(|h| h.replace("&amp;", "&").trim().to_string())
        .collect();
    let mut seen = 0;
    for k in 1..=sizes.len() {
        let t = page_text(k);
        seen += headings
            .iter()
            .filter(|h| t.lines().any(|l| l.trim() == h.as_str()))
            .count();
        let last = t
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        assert!(
            !headings.iter().any(|h| h == last),
            "page {k} ends with the heading '{last}'"
        );
    }
    assert!(
        seen >= 5,
        "only {seen} headings found in the printed text: the check would be blind"
    );
    // the landscape page image: wider than high and not blank
    let prefix = dir.join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "30",
            "-png",
            "-f",
            &n.to_string(),
            "-l",
            &n.to_string(),
            p,
            prefix.to_str().expect("path"),
        ],
    );
    let img = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("page"))
        })
        .expect("pdftoppm wrote the page image");
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&img).expect("open"),
    ));
    let mut reader = decoder.read_info().expect("PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert!(info.width > info.height, "{}x{}", info.width, info.height);
    let bpp = info.color_type.samples();
    let dark = buf[..info.buffer_size()]
        .chunks_exact(bpp)
        .filter(|p| p[0] < 200 || p[1] < 200 || p.get(2).is_some_and(|b| *b < 200))
        .count();
    assert!(
        dark * 100 > (info.width * info.height) as usize * 3,
        "figure page nearly blank"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
