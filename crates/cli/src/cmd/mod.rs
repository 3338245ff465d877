//! One module per subcommand.

pub mod chimerism;
pub mod course;
pub mod course_convert;
pub mod course_show;
pub mod course_validate;
pub mod demo;
pub mod grade;
