//! Deserialising values written as strings without allocating: the text is
//! parsed where the deserialiser holds it (borrowed from the input when
//! possible), which matters for the million dates, units and kinds of a
//! large course file.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{Error, Visitor};

struct StrVisitor<T, E, F>(F, PhantomData<(T, E)>);

impl<T, E: fmt::Display, F: FnOnce(&str) -> Result<T, E>> Visitor<'_> for StrVisitor<T, E, F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<X: Error>(self, v: &str) -> Result<T, X> {
        (self.0)(v).map_err(X::custom)
    }
}

/// Deserialises a string and converts it with `parse`; a parse error
/// becomes the deserialiser's error with the parser's message.
pub fn from_str_with<'de, D, T, E>(
    d: D,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    d.deserialize_str(StrVisitor(parse, PhantomData))
}
