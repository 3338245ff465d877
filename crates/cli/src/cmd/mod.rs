//! One module per subcommand.

pub mod audit;
pub mod chimerism;
pub mod chimerism_ngs;
pub mod chimerism_spec;
pub mod chimerism_str;
pub mod chimerism_str_plan;
pub mod completions;
pub mod config;
pub mod course;
pub mod course_convert;
pub mod course_show;
pub mod course_validate;
pub mod db;
pub mod decide;
pub mod demo;
pub mod export;
pub mod grade;
pub mod history;
pub mod import;
pub mod man;
pub mod patient;
pub mod patients;
pub mod report;
pub mod serve;
pub mod store_common;
pub mod user;
