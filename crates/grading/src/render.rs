//! Text renderings of [`CourseGrades`]: a readable table (timeline of
//! non-zero / changed days + summary with one-line reasons) and CSV (one row
//! per day per criterion, then the summary rows).

use std::fmt::Write as _;

use crate::criterion::Criterion;
use crate::output::{CourseGrades, DailyDay, DailyEntry, DayStatus, ItemStatus, RelDay};

/// The table rendering.
pub fn table(g: &CourseGrades) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "graftwatch grades ({}) for patient {}",
        g.schema, g.patient
    );
    if g.illustrative {
        let _ = writeln!(s, "ILLUSTRATIVE course (not real patient data)");
    }
    if !g.anchors.is_empty() {
        let a: Vec<String> = g
            .anchors
            .iter()
            .map(|a| format!("{} {}", a.label, a.date))
            .collect();
        let _ = writeln!(s, "anchors: {}", a.join(", "));
    }
    let _ = writeln!(s, "\nTimeline (days with a non-zero grade or a change)");
    if g.timeline.is_empty() {
        let _ = writeln!(s, "  (none)");
    } else {
        let _ = writeln!(
            s,
            "  {:<10}  {:<12}  {:<13}  {:<22}  reason",
            "date", "day", "criterion", "grade"
        );
        for d in &g.timeline {
            let rel = rel_text(d.rel.as_ref());
            for e in &d.entries {
                let _ = writeln!(
                    s,
                    "  {:<10}  {:<12}  {:<13}  {:<22}  {}",
                    d.date.to_string(),
                    rel,
                    e.criterion.label(),
                    e.grade,
                    e.reason
                );
            }
        }
    }
    summary_rows(&mut s, g);
    if let Some(d) = &g.on_day {
        let _ = writeln!(s, "\nOn {} (records up to that date)", d.date);
        day_rows(&mut s, d);
    }
    if let Some(days) = &g.daily {
        let _ = writeln!(s, "\nDaily");
        for d in days {
            day_rows(&mut s, d);
        }
    }
    if !g.skipped.is_empty() {
        let _ = writeln!(s, "\nNot graded");
        for k in &g.skipped {
            let _ = writeln!(s, "  {:<13} {}", k.criterion.label(), k.reason);
        }
    }
    abbreviation_legend(&mut s);
    s
}

/// The abbreviations used above, each once with its expansion, from the
/// glossary the report's figure caption uses (`graftwatch_core::glossary`).
fn abbreviation_legend(s: &mut String) {
    let used = graftwatch_core::glossary::used_in(s);
    if used.is_empty() {
        return;
    }
    let width = used
        .iter()
        .map(|(a, _)| a.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(s, "\nAbbreviations");
    for (a, e) in used {
        let _ = writeln!(s, "  {a:<width$}  {e}");
    }
}

fn summary_rows(s: &mut String, g: &CourseGrades) {
    let _ = writeln!(s, "\nSummary");
    for i in &g.summary {
        let mark = match i.status {
            ItemStatus::Value => "",
            ItemStatus::InsufficientData => "[insufficient data] ",
            ItemStatus::NotApplicable => "[n/a] ",
        };
        let label = i.label();
        let _ = writeln!(s, "  {label:<36} {mark}{}", i.result);
        let _ = writeln!(s, "  {:<36}   why: {}", "", i.explanation.reason);
        let mut f: Vec<&str> = Vec::new();
        for c in i.explanation.flags.iter().map(|f| f.code.as_str()) {
            if !f.contains(&c) {
                f.push(c);
            }
        }
        if !f.is_empty() {
            let _ = writeln!(s, "  {:<36}   flags: {}", "", f.join(", "));
        }
    }
    flag_legend(s, g);
}

/// Each flag code of the summary once, with what it decided (the text of
/// its first use), so the codes above can be read without the docs.
fn flag_legend(s: &mut String, g: &CourseGrades) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for f in g.summary.iter().flat_map(|i| &i.explanation.flags) {
        if !seen.iter().any(|(c, _)| *c == f.code) {
            seen.push((&f.code, &f.text));
        }
    }
    if seen.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nFlags (what each code above decided, at its first use; docs/criteria-decisions.md has every code)"
    );
    let width = seen
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0);
    for (code, text) in seen {
        let _ = writeln!(s, "  {code:<width$}  {text}");
    }
}

fn status_text(e: &DailyEntry) -> String {
    let mut t = match e.status {
        DayStatus::Graded => "graded".to_string(),
        DayStatus::NotAssessed => "not assessed".to_string(),
        DayStatus::InsufficientData => "insufficient data".to_string(),
    };
    if let Some(a) = e.assessed_on {
        let _ = write!(t, " (assessed {a})");
    }
    if !e.missing.is_empty() {
        let _ = write!(t, ": {}", e.missing.join("; "));
    }
    t
}

/// The criterion and its grading system in words: "acute GVHD (MAGIC)",
/// "ICAHT (early)", "ELN 2022", "chimerism".
fn day_label(e: &DailyEntry) -> String {
    let system = match e.system {
        "magic" => "MAGIC",
        "keystone" => "Keystone",
        "ibmtr" => "IBMTR",
        "nih_global" => "NIH global",
        "astct" => "ASTCT",
        "eln_2022" | "overall" => return e.criterion.label().to_string(),
        other => other,
    };
    format!("{} ({system})", e.criterion.label())
}

/// The anchor and day (`HCT +14`), empty without an anchor.
fn rel_text(rel: Option<&RelDay>) -> String {
    rel.map(|r| format!("{} {}", r.anchor, r.day))
        .unwrap_or_default()
}

fn day_rows(s: &mut String, d: &DailyDay) {
    let rel = rel_text(d.rel.as_ref());
    for e in &d.entries {
        let _ = writeln!(
            s,
            "  {:<10}  {:<12}  {:<28}  {:<8}  {}",
            d.date.to_string(),
            rel,
            day_label(e),
            e.grade.as_deref().unwrap_or("-"),
            status_text(e)
        );
    }
}

fn csv_field(v: &str) -> String {
    graftwatch_output::delimited::csv_field(v).into_owned()
}

/// One CSV row: `date,day,anchor,criterion,item,grade,reason`, the day and
/// anchor from `rel` (empty without one).
fn csv_row(
    s: &mut String,
    date: &str,
    rel: Option<&RelDay>,
    criterion: Criterion,
    [item, grade, reason]: [&str; 3],
) {
    let (day, anchor) = rel
        .map(|r| (r.day.to_string(), r.anchor.clone()))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "{date},{},{},{criterion},{},{},{}",
        csv_field(&day),
        csv_field(&anchor),
        csv_field(item),
        csv_field(grade),
        csv_field(reason)
    );
}

/// The CSV rendering: header `date,day,anchor,criterion,item,grade,reason`;
/// timeline rows have an empty `item`, summary rows an item name.
pub fn csv(g: &CourseGrades) -> String {
    let mut s = String::from("date,day,anchor,criterion,item,grade,reason\n");
    for d in &g.timeline {
        let date = d.date.to_string();
        for e in &d.entries {
            let row = ["", e.grade.as_str(), &e.reason];
            csv_row(&mut s, &date, d.rel.as_ref(), e.criterion, row);
        }
    }
    for i in &g.summary {
        let date = i.date.map(|d| d.to_string()).unwrap_or_default();
        let row = [i.item.as_str(), &i.result, &i.explanation.reason];
        csv_row(&mut s, &date, i.rel.as_ref(), i.criterion, row);
    }
    for d in g.on_day.iter().chain(g.daily.iter().flatten()) {
        let date = d.date.to_string();
        for e in &d.entries {
            let item = format!("day_{}", e.system);
            let row = [
                item.as_str(),
                e.grade.as_deref().unwrap_or(""),
                &status_text(e),
            ];
            csv_row(&mut s, &date, d.rel.as_ref(), e.criterion, row);
        }
    }
    s
}

/// The CSV rendering with a leading `course` column (several courses in one
/// output); `header` prints the header line.
pub fn csv_with_course(g: &CourseGrades, course: &str, header: bool) -> String {
    let body = csv(g);
    let mut out = String::new();
    for (i, line) in body.lines().enumerate() {
        if i == 0 {
            if header {
                out.push_str("course,");
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        out.push_str(&csv_field(course));
        out.push(',');
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One JSON line (JSON Lines output of several courses).
pub fn json_line(g: &CourseGrades) -> String {
    let mut s = serde_json::to_string(g).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON rendering (pretty).
pub fn json(g: &CourseGrades) -> String {
    // Plain data with string keys: serialisation cannot fail.
    let mut s = serde_json::to_string_pretty(g).unwrap_or_default();
    s.push('\n');
    s
}
