//! The blog's management commands beyond `serve`, `migrate` and `createsuperuser` (Django's
//! `manage.py changepassword`, `dumpdata`, `loaddata`, drf-spectacular's `spectacular`, and
//! the reference app's `seed_blog`). `crate::cli` parses the command line and calls these.

pub mod changepassword;
pub mod fixtures;
pub mod openapi;
pub mod password_validation;
pub mod seed;
