//! The blog's management commands beyond `serve`, `migrate` and `createsuperuser` (Django's
//! `manage.py changepassword`, `dumpdata`, `loaddata`, drf-spectacular's `spectacular`, and
//! the reference app's `seed_blog`). `crate::cli` parses the command line and calls these.

pub mod changepassword;
pub mod fixtures;
pub mod openapi;
pub mod password_validation;
pub mod seed;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};

/// Inserts `rows` with multi-row `INSERT`s of at most `batch` rows each (Django's
/// `bulk_create(batch_size=...)`), calling `on_batch` with each batch's size after it is
/// written. With `conflict`, a row whose key exists is handled by that `ON CONFLICT` clause.
pub async fn insert_in_batches<A, C>(
    db: &C,
    mut rows: Vec<A>,
    batch: usize,
    conflict: Option<&OnConflict>,
    mut on_batch: impl FnMut(usize),
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(batch.max(1)));
        let chunk = std::mem::replace(&mut rows, rest);
        let size = chunk.len();
        let mut insert = A::Entity::insert_many(chunk);
        if let Some(conflict) = conflict {
            insert = insert.on_conflict(conflict.clone());
        }
        insert.exec_without_returning(db).await?;
        on_batch(size);
    }
    Ok(())
}
