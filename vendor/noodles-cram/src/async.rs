//! Async CRAM.

pub mod fs;
pub mod io;
