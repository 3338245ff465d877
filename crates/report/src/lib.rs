//! # graftwatch-report
//!
//! Pure rendering of a [`graftwatch_course::Course`] to a self-contained
//! HTML report (inline CSS and SVG, no scripts, no network, printable):
//! a summary (patient, diagnosis, donors, grafts), the course figure (ANC
//! and platelets on a log axis with engraftment thresholds, transfusion
//! ticks, haemoglobin, intervention lanes, CAR-T/HCT/DLI day-0 lines, day
//! and calendar axes) and the timeline of events.
//!
//! The full report ([`full_report`], [`render_full_report_html`]) adds the
//! analysis of [`Analysis::for_course`]: CAR-T toxicity bands, chimerism
//! stacked areas per lineage, marrow blasts/MRD, the acute GVHD band, the
//! alerts ([`alerts`]), the endpoint table and the DLI decision trail.
//!
//! Extension points for later work: [`Report::add_section`] /
//! [`Report::insert_section_after`] for new sections (grades, chimerism,
//! alerts, DLI decision trail) and [`Figure::add_panel`] with a type
//! implementing [`Panel`] for new figure panels (chimerism areas, GVHD
//! band, CRS/ICANS/ICAHT bands, marrow/MRD points).
//!
//! ```
//! # let json = include_str!("../../../examples/seed-case/course.json");
//! # let course = graftwatch_course::io::read_json_str(json, std::path::Path::new("c.json")).unwrap().course;
//! let html = graftwatch_report::render_report_html(&course);
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! let svg = graftwatch_report::render_figure_svg(&course);
//! assert!(svg.contains("series-anc"));
//! ```

#![warn(missing_docs)]

pub mod alerts;
pub mod alerts_section;
pub mod analysis;
pub mod chimerism;
pub mod dli_trail;
pub mod draw;
pub mod embed;
pub mod endpoints;
pub mod escape;
pub mod explain_html;
pub mod export;
pub mod figure;
pub mod format;
pub mod full;
pub mod header;
pub mod palette;
pub mod panels;
pub mod report;
pub mod scale;
pub mod section;
pub mod timeline;

pub use alerts::{Alert, AlertConfig, AlertKind};
pub use analysis::Analysis;
pub use escape::escape;
pub use figure::{Figure, Frame, LegendEntry, LegendSymbol, Panel, PanelContext};
pub use full::{
    abbreviations, figure_data_json, full_figure, full_figure_with_caption, full_report,
    render_full_report_html,
};
pub use report::Report;
pub use section::Section;

use graftwatch_course::Course;

/// The standard course figure as a standalone SVG document.
pub fn render_figure_svg(course: &Course) -> String {
    Figure::standard().render(course)
}

/// The standard course report as one HTML page.
pub fn render_report_html(course: &Course) -> String {
    Report::for_course(course).to_html()
}
