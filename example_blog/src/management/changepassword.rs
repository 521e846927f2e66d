//! `changepassword`: Django's `manage.py changepassword`, for the blog's e-mail users.
//!
//! Asks for the new password twice (without echo on a terminal; otherwise one line of stdin
//! each, so scripts can pipe the answers in), runs the password validators, and gives up after
//! three failed attempts, with Django's messages.

use crate::accounts::normalize_email;
use crate::entities::user;
use crate::management::password_validation::validate_password;
use anyhow::{Context, bail};
use rest_framework::contrib::auth::hashers::make_password;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::io::{BufRead, IsTerminal, Write};

/// Django's `MAX_TRIES`.
pub const MAX_TRIES: usize = 3;

/// Where the passwords come from.
pub enum PasswordInput {
    /// The terminal, read without echo (`getpass`).
    Terminal,
    /// Lines of a non-interactive input (a pipe, a file).
    Lines(Box<dyn BufRead + Send>),
}

impl PasswordInput {
    /// The terminal if stdin is one, otherwise stdin's lines.
    pub fn stdin() -> PasswordInput {
        if std::io::stdin().is_terminal() {
            PasswordInput::Terminal
        } else {
            PasswordInput::Lines(Box::new(std::io::BufReader::new(std::io::stdin())))
        }
    }

    /// Asks for one password.
    fn read(&mut self, prompt: &str) -> anyhow::Result<String> {
        match self {
            PasswordInput::Terminal => {
                rpassword::prompt_password(prompt).context("cannot read the password")
            }
            PasswordInput::Lines(lines) => {
                let mut line = String::new();
                let read = lines
                    .read_line(&mut line)
                    .context("cannot read the password from stdin")?;
                if read == 0 {
                    bail!("aborted: end of input while reading the password");
                }
                Ok(line.trim_end_matches(['\r', '\n']).to_owned())
            }
        }
    }
}

/// Changes the password of the user with e-mail `email`; messages go to `out` (Django's
/// stdout) and `err` (stderr).
pub async fn change_password(
    db: &DatabaseConnection,
    email: &str,
    input: &mut PasswordInput,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let email = normalize_email(email);
    let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await
        .context("cannot look up the user")?
    else {
        bail!("user '{email}' does not exist");
    };
    writeln!(out, "Changing password for user '{email}'")?;
    out.flush()?;
    let mut password = None;
    for _ in 0..MAX_TRIES {
        let first = input.read("Password: ")?;
        let second = input.read("Password (again): ")?;
        if first != second {
            writeln!(out, "Passwords do not match. Please try again.")?;
            continue;
        }
        match validate_password(&first, &email) {
            Ok(()) => {
                password = Some(first);
                break;
            }
            Err(messages) => writeln!(err, "{}", messages.join("\n"))?,
        }
    }
    let Some(password) = password else {
        bail!("Aborting password change for user '{email}' after {MAX_TRIES} attempts");
    };
    let hash = make_password(password).await;
    let mut active: user::ActiveModel = found.into();
    active.password = Set(hash);
    active
        .update(db)
        .await
        .context("cannot save the password")?;
    writeln!(out, "Password changed successfully for user '{email}'")?;
    Ok(())
}
