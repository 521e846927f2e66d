//! Applications for the HTTP tests of framework features the blog does not use.

pub mod lookups;
pub mod views;
