//! Statements rendered once.
//!
//! Most reads of a viewset run the same SQL on every request but for a few values: a list
//! page's limit and offset, a detail's lookup value. When the queryset cannot differ from one
//! request to the next (the viewset's default `get_queryset`, no filter parameter in the
//! request), the statement is built and rendered on the first such request with *marks* in
//! place of those values, and later requests copy it and put their own values where the marks
//! were. Building the sea-query tree, applying the filter backends and rendering the SQL cost
//! more than running the statement's Rust side; this is the work that goes.
//!
//! The statements are the very ones built per request (the tests compare them), so the
//! database sees no difference.

use sea_orm::{DbBackend, Statement, Value};
use std::sync::{Arc, OnceLock};

/// A rendered statement and where its per-request values go.
#[derive(Debug)]
pub struct PreparedStatement {
    statement: Statement,
    slots: Vec<usize>,
}

impl PreparedStatement {
    /// `statement` with each of `marks` found among its values, exactly once each (`None`
    /// otherwise: a mark that is also a real value, or that the statement does not carry, would
    /// bind the wrong value).
    pub fn new(statement: Statement, marks: &[Value]) -> Option<Self> {
        let values = &statement.values.as_ref()?.0;
        let slots = marks
            .iter()
            .map(|mark| {
                let mut at = values
                    .iter()
                    .enumerate()
                    .filter(|(_, value)| *value == mark)
                    .map(|(index, _)| index);
                let index = at.next()?;
                at.next().is_none().then_some(index)
            })
            .collect::<Option<Vec<usize>>>()?;
        Some(PreparedStatement { statement, slots })
    }

    /// A copy of the statement with `values` where the marks were, in the marks' order.
    pub fn bind(&self, values: impl IntoIterator<Item = Value>) -> Statement {
        let mut statement = self.statement.clone();
        if let Some(bound) = &mut statement.values {
            for (slot, value) in self.slots.iter().zip(values) {
                bound.0[*slot] = value;
            }
        }
        statement
    }

    /// The statement as rendered, marks included.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
}

/// Something rendered once for each database backend, on first use; `None` is kept too (a
/// statement that cannot be prepared is built per request from then on, without trying
/// again).
#[derive(Debug)]
pub struct PerBackend<T> {
    sqlite: OnceLock<Option<Arc<T>>>,
    postgres: OnceLock<Option<Arc<T>>>,
    mysql: OnceLock<Option<Arc<T>>>,
}

impl<T> Default for PerBackend<T> {
    fn default() -> Self {
        PerBackend {
            sqlite: OnceLock::new(),
            postgres: OnceLock::new(),
            mysql: OnceLock::new(),
        }
    }
}

impl<T> PerBackend<T> {
    /// The value for `backend`, made with `render` the first time.
    pub fn get_or_render(
        &self,
        backend: DbBackend,
        render: impl FnOnce() -> Option<T>,
    ) -> Option<Arc<T>> {
        let slot = match backend {
            DbBackend::Sqlite => &self.sqlite,
            DbBackend::Postgres => &self.postgres,
            DbBackend::MySql => &self.mysql,
            _ => return None,
        };
        slot.get_or_init(|| render().map(Arc::new)).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Sqlite, "SELECT ?, ?, ?", values)
    }

    #[test]
    fn binds_where_the_marks_were() {
        let prepared = PreparedStatement::new(
            statement(vec![
                Value::from(7i64),
                Value::from(-1i64),
                Value::from(-2i64),
            ]),
            &[Value::from(-2i64), Value::from(-1i64)],
        )
        .expect("both marks are there once");
        let bound = prepared.bind([Value::from(20i64), Value::from(10i64)]);
        assert_eq!(
            bound.values.map(|values| values.0),
            Some(vec![
                Value::from(7i64),
                Value::from(10i64),
                Value::from(20i64)
            ])
        );
        // The prepared statement itself keeps its marks.
        assert_eq!(
            prepared.statement().values.as_ref().map(|v| v.0.len()),
            Some(3)
        );
    }

    #[test]
    fn refuses_a_mark_missing_or_repeated() {
        let marks = [Value::from(-1i64)];
        assert!(PreparedStatement::new(statement(vec![Value::from(1i64)]), &marks).is_none());
        let twice = vec![Value::from(-1i64), Value::from(2i64), Value::from(-1i64)];
        assert!(PreparedStatement::new(statement(twice), &marks).is_none());
        // The same number as another type is another value.
        let other_type = vec![Value::from(-1i32)];
        assert!(PreparedStatement::new(statement(other_type), &marks).is_none());
    }

    #[test]
    fn renders_once_per_backend() {
        let cache = PerBackend::<u32>::default();
        let mut calls = 0;
        for _ in 0..3 {
            let value = cache.get_or_render(DbBackend::Sqlite, || {
                calls += 1;
                Some(5)
            });
            assert_eq!(value.as_deref(), Some(&5));
        }
        assert_eq!(calls, 1);
        assert_eq!(cache.get_or_render(DbBackend::Postgres, || None), None);
        assert_eq!(cache.get_or_render(DbBackend::Postgres, || Some(6)), None);
    }
}
