//! Applications for the HTTP tests of framework features the blog does not use.

pub mod views;
pub mod lookups;
