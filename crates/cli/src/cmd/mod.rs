//! One module per subcommand.

pub mod chimerism;
pub mod course;
pub mod demo;
pub mod grade;
