//! Shared types: who acts, through which channel, and what a revision is.

use std::fmt;
use std::str::FromStr;

use graftwatch_course::{Course, Event, Observation};
use serde::{Deserialize, Serialize};

/// A user's role. Roles gate actions (`purge` needs [`Role::Admin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers the store: users, purge, restore.
    Admin,
    /// Physician or nurse: reads and writes courses.
    Clinician,
    /// Chimerism laboratory: writes runs and reference profiles.
    Lab,
    /// Data manager: imports, exports, corrections.
    DataManager,
    /// Monitor / auditor: reads only.
    Monitor,
}

impl Role {
    /// The role's name as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clinician => "clinician",
            Role::Lab => "lab",
            Role::DataManager => "data_manager",
            Role::Monitor => "monitor",
        }
    }
}

impl Role {
    /// The role's name as users see it ("physician", "lab scientist",
    /// "data manager", "auditor", "admin"); the store keeps shorter codes
    /// ([`Role::as_str`]).
    pub fn label(self) -> &'static str {
        match self {
            Role::Clinician => "physician",
            Role::Lab => "lab scientist",
            Role::DataManager => "data manager",
            Role::Monitor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// A stored role code in words (unknown codes as they are).
    pub fn label_of(code: &str) -> String {
        code.parse::<Role>()
            .map_or_else(|_| code.replace('_', " "), |r| r.label().to_string())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "admin" => Role::Admin,
            "clinician" => Role::Clinician,
            "lab" => Role::Lab,
            "data_manager" => Role::DataManager,
            "monitor" => Role::Monitor,
            _ => {
                return Err(format!(
                    "unknown role '{s}'; expected admin, clinician, lab, data_manager or monitor"
                ));
            }
        })
    }
}

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The command line.
    Cli,
    /// The web user interface.
    Web,
    /// The HTTP API.
    Api,
}

impl Channel {
    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Cli => "cli",
            Channel::Web => "web",
            Channel::Api => "api",
        }
    }
}

/// Who performs an operation: recorded as author of revisions and as actor
/// of audit entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Channel.
    pub channel: Channel,
}

/// What a revision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionKind {
    /// First revision: the whole course.
    Create,
    /// Events and/or observations added (the payload is only the addition).
    Append,
    /// An amendment: the whole course as corrected (reason required).
    Replace,
    /// A deletion (tombstone, reason required); earlier revisions stay readable.
    Tombstone,
    /// Erasure: the clinical payloads of every revision were removed.
    Purge,
}

impl RevisionKind {
    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::Create => "create",
            RevisionKind::Append => "append",
            RevisionKind::Replace => "replace",
            RevisionKind::Tombstone => "tombstone",
            RevisionKind::Purge => "purge",
        }
    }
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<RevisionKind> {
        Some(match s {
            "create" => RevisionKind::Create,
            "append" => RevisionKind::Append,
            "replace" => RevisionKind::Replace,
            "tombstone" => RevisionKind::Tombstone,
            "purge" => RevisionKind::Purge,
            _ => return None,
        })
    }
}

/// An addition to a course: new events and observations, nothing else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    /// Events added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Observations added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<Observation>,
}

/// A change to a stored course.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Add events and observations (a small revision).
    Append(Delta),
    /// Replace the course by a corrected one (an amendment; reason required).
    Replace(Box<Course>),
    /// Delete the course (tombstone; reason required).
    Tombstone,
}

/// One revision's metadata (the payload is read separately).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionMeta {
    /// Patient id.
    pub patient: String,
    /// Revision number, 1-based, without gaps.
    pub rev: i64,
    /// What the revision did.
    pub kind: RevisionKind,
    /// Who wrote it.
    pub author: String,
    /// When (UTC).
    pub at: String,
    /// Why (required for amendments and deletions).
    pub reason: Option<String>,
    /// SHA-256 over the previous revision's hash and this payload.
    pub chain_hash: String,
}

/// A patient as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRow {
    /// Patient id.
    pub patient: String,
    /// Latest revision.
    pub head_rev: i64,
    /// Deleted (tombstone at the head).
    pub deleted: bool,
    /// Purged.
    pub purged: bool,
    /// Derived state, when computed.
    pub state: Option<crate::derive::DerivedState>,
}

impl PatientRow {
    /// Whether the derived state is missing or was computed for another
    /// revision, engine version or configuration (`config_hash`).
    pub(crate) fn derived_stale(&self, config_hash: &str) -> bool {
        self.state.as_ref().is_none_or(|s| {
            s.rev != self.head_rev
                || s.engine_version != crate::derive::ENGINE_VERSION
                || s.config_hash != config_hash
        })
    }
}

/// Outcome of writing a course file into the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// New patient created at revision 1.
    Created(String),
    /// An addition stored as an append revision.
    Appended(String, i64),
    /// A correction stored as a replace revision.
    Replaced(String, i64),
    /// Nothing to do: this exact content was imported before, or the
    /// course is identical to the latest revision.
    Unchanged(String, i64),
}

/// The patient ids the store keeps: 1–128 letters, digits, `-`, `_`, `.`
/// (a hospital number or study code). Every id is a path segment of the web
/// application (`/patients/{id}`) and a file name of exports, so spaces,
/// slashes, accents and quotes — which a course file may carry — are
/// refused at import, naming the id, instead of being stored unreachable.
/// `None` when the id is fine, else what was expected.
pub fn patient_id_problem(id: &str) -> Option<String> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (!ok).then(|| {
        format!(
            "patient id '{id}': the store takes 1 to 128 letters, digits, '-', '_' or '.' (no spaces, slashes or accents; the id is part of the web address)"
        )
    })
}
