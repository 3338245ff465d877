pub mod value;

pub use self::value::Value;
