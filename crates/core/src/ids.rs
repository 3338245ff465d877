//! Identifiers for patients, donors and "persons" in a chimerism result.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A patient identifier (a pseudonym; never a name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PatientId(pub String);

/// A donor identifier, unique within a course (e.g. `UCB-1`, `PBSC-haplo`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DonorId(pub String);

impl fmt::Display for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for DonorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whose cells a chimerism share belongs to: the recipient or a named donor.
/// Serialised as the string `recipient` or the donor id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonRef {
    /// The transplant recipient (the patient).
    Recipient,
    /// A donor, by id.
    Donor(DonorId),
}

impl PersonRef {
    /// Parses `recipient` (case-insensitive) or a donor id.
    pub fn parse(s: &str) -> PersonRef {
        if s.trim().eq_ignore_ascii_case("recipient") {
            PersonRef::Recipient
        } else {
            PersonRef::Donor(DonorId(s.trim().to_string()))
        }
    }
}

impl fmt::Display for PersonRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersonRef::Recipient => f.write_str("recipient"),
            PersonRef::Donor(d) => f.write_str(&d.0),
        }
    }
}

impl Serialize for PersonRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PersonRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "person must be 'recipient' or a donor id, not empty",
            ));
        }
        Ok(PersonRef::parse(&s))
    }
}
