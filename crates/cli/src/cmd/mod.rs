//! One module per subcommand.

pub mod chimerism;
pub mod chimerism_ngs;
pub mod chimerism_ngs_html;
pub mod chimerism_spec;
pub mod chimerism_str;
pub mod chimerism_str_html;
pub mod chimerism_str_plan;
pub mod completions;
pub mod config;
pub mod course;
pub mod course_convert;
pub mod course_show;
pub mod course_validate;
pub mod decide;
pub mod demo;
pub mod grade;
pub mod man;
pub mod report;
