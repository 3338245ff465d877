//! The standard panels of the course figure. Each implements
//! [`crate::figure::Panel`]; later issues add their own next to these.

mod bands;
mod chimerism;
mod counts;
mod events;
mod hemoglobin;
mod interventions;
mod marrow;
mod transfusions;

pub use bands::{BandCell, BandPanel, BandRow, agvhd_panel, cart_toxicity_panel};
pub use chimerism::{
    ChimerismPanel, PersonStyle, RECIPIENT_FLOOR, RecipientChimerismPanel,
    default_mixed_recipient_percent, person_styles,
};
pub use counts::CountsPanel;
pub use events::{CourseEvent, EventKind, EventsPanel, course_events};
pub use hemoglobin::HemoglobinPanel;
pub use interventions::{InterventionsPanel, Lane, LaneItem, lane_item, lane_items};
pub use marrow::{BLAST_THRESHOLD, MRD_THRESHOLD, MarrowPanel};
pub use transfusions::TransfusionsPanel;

use std::fmt::Write as _;

use crate::draw::text;
use crate::figure::PanelContext;

/// Writes "No … observations" in the middle of an empty panel, so missing
/// data is visible rather than an empty frame.
pub(crate) fn no_data(out: &mut String, ctx: &PanelContext, what: &str) {
    let _ = write!(out, r#"<g class="nodata">"#);
    text(
        out,
        (ctx.x.left + ctx.x.right) / 2.0,
        ctx.top + ctx.height / 2.0,
        "note",
        "middle",
        &format!("No {what} in the course"),
    );
    out.push_str("</g>");
}
