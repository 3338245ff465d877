//! Course model (being written).
