//! `seed`: fills the database with fake but plausible blog data, the counterpart of the
//! reference app's `seed_blog` command (`reference/drf_blog/blog/management/commands/`).
//!
//! Like `seed_blog` it always makes sure of two known accounts, `admin@example.com` /
//! `adminpass123` (staff, superuser) and `alice@example.com` / `alicepass123`; seeded users
//! are `seed-user-00001@example.com`, ... with the password `userpass123` (hashed once and
//! shared); tags are `tag-001`, ...; each article gets 0 to 3 tags; articles are one a minute,
//! the newest a minute before "now"; each comment comes 1 s to 6 h after its article, never
//! after "now". Authors are alice and the seeded users. Existing seeded users and tags are
//! reused (`ignore_conflicts`). With `--flush`, comments, articles, tags and seeded users are
//! deleted first. Everything happens in one transaction, with multi-row `INSERT`s.
//!
//! The same seed gives the same names, titles, contents, authors, tags and timestamps (given
//! the same `--now` and the same starting database): the generator is a seeded [`StdRng`].
//! Rows get explicit ids (the next free ones), so nothing has to be read back; on PostgreSQL
//! the id sequences are moved past them at the end.

use crate::entities::{article, article_tag, comment, tag, user};
use crate::management::fixtures::{parse_django_datetime, reset_sequences};
use crate::management::insert_in_batches;
use anyhow::Context;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use fake::Fake;
use fake::faker::lorem::en::{Sentence, Sentences};
use fake::faker::name::en::{FirstName, LastName};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rest_framework::contrib::auth::hashers::make_password;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use std::collections::HashMap;
use std::time::Instant;

/// The e-mail address of the `n`th seeded user (from 1).
pub fn seed_email(n: usize) -> String {
    format!("seed-user-{n:05}@example.com")
}

/// The password of every seeded user.
pub const SEED_PASSWORD: &str = "userpass123";
/// The staff account `seed` ensures, and its password.
pub const ADMIN: (&str, &str) = ("admin@example.com", "adminpass123");
/// The normal account `seed` ensures, and its password.
pub const ALICE: (&str, &str) = ("alice@example.com", "alicepass123");

/// Rows per multi-row `INSERT` (the reference's `BATCH`): at most 12,000 bind parameters,
/// below SQLite's 32,766 and PostgreSQL's 65,535.
const BATCH: usize = 2000;

/// The most rows of one kind a single `seed` makes (its data is built in memory).
pub const MAX_ROWS: usize = 10_000_000;

/// What to seed (also `seed`'s command-line options).
#[derive(Debug, Clone, clap::Args)]
pub struct SeedOptions {
    /// Seeded users (besides admin and alice).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub users: usize,
    /// Articles.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub articles: usize,
    /// Comments.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub comments: usize,
    /// Tags.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub tags: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42, value_name = "S")]
    pub seed: u64,
    /// Delete the blog's articles, comments, tags and seeded users first.
    #[arg(long)]
    pub flush: bool,
    /// The instant the timestamps count back from (ISO 8601) [default: now, to the second].
    #[arg(long, value_name = "DATETIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// Draw a progress bar on stderr (when it is a terminal).
    #[arg(skip = true)]
    pub progress: bool,
}

/// `--now`'s value: an ISO 8601 datetime (UTC when it has no offset).
fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    parse_django_datetime(text)
        .ok_or_else(|| format!("{text:?} is not an ISO 8601 datetime (e.g. 2026-01-01T12:00:00Z)"))
}

/// What was seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    /// Seeded users (new or reused).
    pub users: usize,
    /// The admin's id.
    pub admin_id: i64,
    /// Alice's id.
    pub alice_id: i64,
    /// Tags (new or reused).
    pub tags: usize,
    /// New articles.
    pub articles: usize,
    /// New comments.
    pub comments: usize,
}

/// Runs the seeding described in the module documentation.
pub async fn seed(db: &DatabaseConnection, options: &SeedOptions) -> anyhow::Result<SeedSummary> {
    for (option, count) in [
        ("--users", options.users),
        ("--articles", options.articles),
        ("--comments", options.comments),
        ("--tags", options.tags),
    ] {
        anyhow::ensure!(
            count <= MAX_ROWS,
            "{option} must be at most {MAX_ROWS}, not {count}"
        );
    }
    let started = Instant::now();
    let now = options.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let mut rng = StdRng::seed_from_u64(options.seed);

    // The three slow hashes, in parallel on the blocking pool, before the transaction.
    let (admin_hash, alice_hash, seed_hash) = tokio::join!(
        make_password(ADMIN.1.to_owned()),
        make_password(ALICE.1.to_owned()),
        make_password(SEED_PASSWORD.to_owned()),
    );

    let total = options.users + options.articles + options.comments;
    let progress = if options.progress {
        ProgressBar::new(total as u64)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} rows ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );

    let txn = db.begin().await.context("cannot start a transaction")?;
    if options.flush {
        progress.set_message("flushing");
        flush(&txn).await.context("cannot flush the blog's data")?;
    }
    let admin_id = ensure_account(&txn, ADMIN.0, admin_hash, true, now).await?;
    let alice_id = ensure_account(&txn, ALICE.0, alice_hash, false, now).await?;

    progress.set_message("users");
    let users = seed_users(&txn, &mut rng, options.users, &seed_hash, now, &progress).await?;
    let authors: Vec<i64> = std::iter::once(alice_id)
        .chain(users.iter().copied())
        .collect();
    let tags = seed_tags(&txn, options.tags).await?;
    progress.set_message("articles");
    let articles = seed_articles(
        &txn,
        &mut rng,
        options.articles,
        &authors,
        &tags,
        now,
        &progress,
    )
    .await?;
    progress.set_message("comments");
    let comments = seed_comments(
        &txn,
        &mut rng,
        options.comments,
        &articles,
        &authors,
        now,
        &progress,
    )
    .await?;
    reset_sequences(&txn)
        .await
        .context("cannot reset the id sequences")?;
    progress.set_message("committing");
    txn.commit().await.context("cannot commit")?;
    progress.finish_and_clear();
    tracing::debug!(elapsed = ?started.elapsed(), "seeded");

    Ok(SeedSummary {
        users: users.len(),
        admin_id,
        alice_id,
        tags: tags.len(),
        articles: articles.len(),
        comments,
    })
}

/// Deletes comments, articles (and their tag links), tags and seeded users.
async fn flush<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    comment::Entity::delete_many().exec(db).await?;
    article_tag::Entity::delete_many().exec(db).await?;
    article::Entity::delete_many().exec(db).await?;
    tag::Entity::delete_many().exec(db).await?;
    user::Entity::delete_many()
        .filter(user::Column::Email.starts_with("seed-user-"))
        .exec(db)
        .await?;
    Ok(())
}

/// Django's `get_or_create` then `set_password`: the account exists, is active, has
/// `password_hash`, and is staff and superuser exactly when `staff`. Returns its id.
async fn ensure_account<C: ConnectionTrait>(
    db: &C,
    email: &str,
    password_hash: String,
    staff: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .with_context(|| format!("cannot look up {email}"))?;
    let saved = match existing {
        Some(existing) => {
            let mut active: user::ActiveModel = existing.into();
            active.password = Set(password_hash);
            active.is_staff = Set(staff);
            active.is_superuser = Set(staff);
            active.is_active = Set(true);
            active.update(db).await
        }
        None => {
            let mut row = new_user(
                email.to_owned(),
                password_hash,
                String::new(),
                String::new(),
                now,
            );
            row.is_staff = Set(staff);
            row.is_superuser = Set(staff);
            row.insert(db).await
        }
    };
    Ok(saved.with_context(|| format!("cannot save {email}"))?.id)
}

/// A new active, non-staff user.
fn new_user(
    email: String,
    password: String,
    first_name: String,
    last_name: String,
    now: DateTime<Utc>,
) -> user::ActiveModel {
    user::ActiveModel {
        id: NotSet,
        password: Set(password),
        last_login: Set(None),
        is_superuser: Set(false),
        email: Set(email),
        first_name: Set(first_name),
        last_name: Set(last_name),
        is_staff: Set(false),
        is_active: Set(true),
        date_joined: Set(now),
    }
}

/// The largest id of `E`'s table, 0 when empty.
async fn max_id<E, C>(db: &C, id: E::Column) -> Result<i64, sea_orm::DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(id.max(), "max_id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// Inserts rows in batches of [`BATCH`], advancing `progress` (if any) as they are written.
async fn insert_batches<A, C>(
    db: &C,
    rows: Vec<A>,
    progress: Option<&ProgressBar>,
) -> Result<(), sea_orm::DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    insert_in_batches(db, rows, BATCH, None, |n| {
        if let Some(progress) = progress {
            progress.inc(n as u64);
        }
    })
    .await
}

/// Creates the seeded users that do not exist yet; returns the ids of all `count` of them in
/// order.
async fn seed_users<C: ConnectionTrait>(
    db: &C,
    rng: &mut StdRng,
    count: usize,
    password_hash: &str,
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> anyhow::Result<Vec<i64>> {
    let existing: HashMap<String, i64> = user::Entity::find()
        .filter(user::Column::Email.starts_with("seed-user-"))
        .select_only()
        .column(user::Column::Email)
        .column(user::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await
        .context("cannot read the seeded users")?
        .into_iter()
        .collect();
    let mut next_id = max_id::<user::Entity, _>(db, user::Column::Id).await? + 1;
    let mut ids = Vec::with_capacity(count);
    let mut rows = Vec::new();
    for n in 1..=count {
        // Drawn for every user, so a user's name does not depend on who existed already.
        let first_name: String = FirstName().fake_with_rng(rng);
        let last_name: String = LastName().fake_with_rng(rng);
        let email = seed_email(n);
        if let Some(&id) = existing.get(&email) {
            ids.push(id);
            progress.inc(1);
            continue;
        }
        let mut row = new_user(email, password_hash.to_owned(), first_name, last_name, now);
        row.id = Set(next_id);
        ids.push(next_id);
        next_id += 1;
        rows.push(row);
    }
    insert_batches(db, rows, Some(progress))
        .await
        .context("cannot insert the users")?;
    Ok(ids)
}

/// Creates the tags `tag-001`... that do not exist yet; returns the ids of all of them.
async fn seed_tags<C: ConnectionTrait>(db: &C, count: usize) -> anyhow::Result<Vec<i64>> {
    let names: Vec<String> = (1..=count).map(|n| format!("tag-{n:03}")).collect();
    let existing: HashMap<String, i64> = tag::Entity::find()
        .filter(tag::Column::Name.starts_with("tag-"))
        .all(db)
        .await
        .context("cannot read the tags")?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let mut next_id = max_id::<tag::Entity, _>(db, tag::Column::Id).await? + 1;
    let mut ids = Vec::with_capacity(count);
    let mut rows = Vec::new();
    for name in names {
        if let Some(&id) = existing.get(&name) {
            ids.push(id);
            continue;
        }
        rows.push(tag::ActiveModel {
            id: Set(next_id),
            name: Set(name),
        });
        ids.push(next_id);
        next_id += 1;
    }
    insert_batches(db, rows, None)
        .await
        .context("cannot insert the tags")?;
    Ok(ids)
}

/// `text` with its first letter in upper case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` cut to at most `max` characters.
fn truncate(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].trim_end().to_owned(),
        None => text,
    }
}

/// Creates `count` articles with 0 to 3 tags each; returns `(id, created_at)` per article.
async fn seed_articles<C: ConnectionTrait>(
    db: &C,
    rng: &mut StdRng,
    count: usize,
    authors: &[i64],
    tags: &[i64],
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> anyhow::Result<Vec<(i64, DateTime<Utc>)>> {
    if count == 0 || authors.is_empty() {
        return Ok(Vec::new());
    }
    let first_id = max_id::<article::Entity, _>(db, article::Column::Id).await? + 1;
    let mut articles = Vec::with_capacity(count);
    let mut rows = Vec::with_capacity(count);
    let mut links = Vec::new();
    for n in 1..=count {
        let id = first_id + n as i64 - 1;
        let sentence: String = Sentence(2..7).fake_with_rng(rng);
        let title = truncate(
            format!("Article {n}: {}", sentence.trim_end_matches('.')),
            100,
        );
        let sentences: Vec<String> = Sentences(3..9).fake_with_rng(rng);
        let content = sentences
            .iter()
            .map(|s| capitalize(s))
            .collect::<Vec<_>>()
            .join(" ");
        let user_id = authors[rng.random_range(0..authors.len())];
        // One article a minute, the newest a minute ago.
        let created_at = now - Duration::minutes((count - n + 1) as i64);
        if !tags.is_empty() {
            let k = rng.random_range(0..=3usize).min(tags.len());
            for index in rand::seq::index::sample(rng, tags.len(), k) {
                links.push(article_tag::ActiveModel {
                    id: NotSet,
                    article_id: Set(id),
                    tag_id: Set(tags[index]),
                });
            }
        }
        rows.push(article::ActiveModel {
            id: Set(id),
            title: Set(title),
            content: Set(content),
            user_id: Set(user_id),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        });
        articles.push((id, created_at));
    }
    insert_batches(db, rows, Some(progress))
        .await
        .context("cannot insert the articles")?;
    insert_batches(db, links, None)
        .await
        .context("cannot tag the articles")?;
    Ok(articles)
}

/// Creates `count` comments on `articles`; returns how many.
async fn seed_comments<C: ConnectionTrait>(
    db: &C,
    rng: &mut StdRng,
    count: usize,
    articles: &[(i64, DateTime<Utc>)],
    authors: &[i64],
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> anyhow::Result<usize> {
    if count == 0 || articles.is_empty() || authors.is_empty() {
        return Ok(0);
    }
    let first_id = max_id::<comment::Entity, _>(db, comment::Column::Id).await? + 1;
    let mut rows = Vec::with_capacity(BATCH);
    for n in 0..count {
        let (article_id, article_created) = articles[rng.random_range(0..articles.len())];
        let user_id = authors[rng.random_range(0..authors.len())];
        let content = capitalize(&Sentence(3..25).fake_with_rng::<String, _>(rng));
        // A little after its article, never in the future.
        let created_at =
            (article_created + Duration::seconds(rng.random_range(1..=6 * 3600))).min(now);
        rows.push(comment::ActiveModel {
            id: Set(first_id + n as i64),
            article_id: Set(article_id),
            user_id: Set(user_id),
            content: Set(truncate(content, 500)),
            created_at: Set(created_at),
            updated_at: Set(created_at),
        });
        if rows.len() == BATCH {
            insert_batches(db, std::mem::take(&mut rows), Some(progress))
                .await
                .context("cannot insert the comments")?;
        }
    }
    insert_batches(db, rows, Some(progress))
        .await
        .context("cannot insert the comments")?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("héllo world".into(), 5), "héllo");
        assert_eq!(truncate("short".into(), 10), "short");
        assert_eq!(seed_email(7), "seed-user-00007@example.com");
        assert_eq!(capitalize("élan vital."), "Élan vital.");
    }
}
