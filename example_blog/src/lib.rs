//! The example blog: a DRF-compatible blog API built only with the public API of
//! `rest_framework`. See `../shared/api/` for the contract it follows.

pub mod accounts;
pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod entities;
pub mod management;
pub mod migration;
pub mod models;
pub mod permissions;
pub mod serializers;
pub mod server;
pub mod views;
