//! Sending e-mail (Django's `django.core.mail`): an [`EmailMessage`] and the
//! [`EmailBackend`]s that deliver it: [`ConsoleBackend`] (prints messages, Django's default in
//! development), [`FileBackend`] (one file per message in a directory), [`LocMemBackend`]
//! (keeps them in memory, for tests) and, with the `smtp` feature, `SmtpBackend`.

#[cfg(feature = "smtp")]
mod smtp;
#[cfg(feature = "smtp")]
pub use smtp::{SmtpBackend, SmtpSecurity};

use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Writing a message file failed.
    #[error("cannot write the message: {0}")]
    Io(#[from] std::io::Error),
    /// The message is malformed (an address that does not parse, ...).
    #[error("invalid message: {0}")]
    Invalid(String),
    /// The mail server refused the message or could not be reached.
    #[error("cannot send the message: {0}")]
    Transport(String),
}

/// A plain-text e-mail (Django's `EmailMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The subject line.
    pub subject: String,
    /// The text body.
    pub body: String,
    /// The sender (`DEFAULT_FROM_EMAIL`).
    pub from_email: String,
    /// The recipients.
    pub to: Vec<String>,
    /// When the message was created (its `Date` header).
    pub date: DateTime<Utc>,
}

impl EmailMessage {
    /// A message dated now.
    pub fn new(
        subject: impl Into<String>,
        body: impl Into<String>,
        from_email: impl Into<String>,
        to: Vec<String>,
    ) -> Self {
        EmailMessage {
            subject: subject.into(),
            body: body.into(),
            from_email: from_email.into(),
            to,
            date: Utc::now(),
        }
    }

    /// The message as Django's `message().as_bytes()` writes it: MIME headers, a blank line,
    /// the body (quoted-printable when a line is longer than 78 characters or not ASCII).
    pub fn to_mime(&self) -> String {
        let plain = self.body.is_ascii() && self.body.lines().all(|line| line.len() <= 78);
        let (encoding, body) = if plain {
            ("7bit", self.body.clone())
        } else {
            ("quoted-printable", quoted_printable(&self.body))
        };
        let mut out = String::new();
        out.push_str("Content-Type: text/plain; charset=\"utf-8\"\n");
        out.push_str(&format!("Content-Transfer-Encoding: {encoding}\n"));
        out.push_str("MIME-Version: 1.0\n");
        out.push_str(&format!("Subject: {}\n", header_value(&self.subject)));
        out.push_str(&format!("From: {}\n", header_value(&self.from_email)));
        out.push_str(&format!("To: {}\n", header_value(&self.to.join(", "))));
        out.push_str(&format!(
            "Date: {}\n",
            self.date.format("%a, %d %b %Y %H:%M:%S +0000")
        ));
        out.push_str(&format!("Message-ID: {}\n", message_id(&self.date)));
        out.push('\n');
        out.push_str(&body);
        out
    }
}

/// A header value on one line (no header injection through CR/LF).
fn header_value(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// Django's `make_msgid`: `<time.process.random@host>`.
fn message_id(date: &DateTime<Utc>) -> String {
    let stamp = date.timestamp_micros() / 10_000;
    format!(
        "<{stamp}.{}.{}@localhost>",
        std::process::id(),
        rand::random::<u64>()
    )
}

/// Quoted-printable (RFC 2045) of UTF-8 text, lines wrapped at 78 characters with soft
/// line breaks (`=` at the end of a line), as Python's e-mail package writes Django's mail.
pub fn quoted_printable(text: &str) -> String {
    const MAX: usize = 78;
    let mut out = String::new();
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let bytes = line.as_bytes();
        let mut encoded: Vec<String> = bytes
            .iter()
            .map(|&b| match b {
                b'=' => "=3D".to_owned(),
                b'\t' | b' ' | 33..=126 => (b as char).to_string(),
                _ => format!("={b:02X}"),
            })
            .collect();
        // Whitespace at the end of a line would be lost in transit.
        if let Some(last) = encoded.last_mut()
            && (last == " " || last == "\t")
        {
            *last = format!("={:02X}", last.as_bytes()[0]);
        }
        let mut current = String::new();
        for piece in encoded {
            if current.len() + piece.len() > MAX - 1 {
                out.push_str(&current);
                out.push_str("=\n");
                current.clear();
            }
            current.push_str(&piece);
        }
        out.push_str(&current);
    }
    out
}

/// Decodes [`quoted_printable`] text (soft line breaks and `=XX` escapes).
pub fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| joined.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The line Django's console and file backends write after each message.
const SEPARATOR: &str =
    "-------------------------------------------------------------------------------";

/// A message as the console and file backends write it.
fn console_text(message: &EmailMessage) -> String {
    format!("{}\n{SEPARATOR}\n", message.to_mime())
}

/// Delivers e-mail (Django's `EMAIL_BACKEND`).
#[async_trait::async_trait]
pub trait EmailBackend: Send + Sync + 'static {
    /// Sends the messages; returns how many were sent.
    async fn send_messages(&self, messages: &[EmailMessage]) -> Result<usize, MailError>;
}

/// Prints each message to standard output (Django's `console.EmailBackend`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsoleBackend;

#[async_trait::async_trait]
impl EmailBackend for ConsoleBackend {
    async fn send_messages(&self, messages: &[EmailMessage]) -> Result<usize, MailError> {
        use std::io::Write;
        let text: String = messages.iter().map(console_text).collect();
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        Ok(messages.len())
    }
}

/// Writes each message to its own file in a directory (Django's `filebased.EmailBackend`
/// with `EMAIL_FILE_PATH`): `<YYYYmmdd-HHMMSS>-<number>.log`, in the console format.
#[derive(Debug)]
pub struct FileBackend {
    directory: PathBuf,
    counter: AtomicU64,
}

impl FileBackend {
    /// A backend writing into `directory` (created when missing).
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        FileBackend {
            directory: directory.into(),
            counter: AtomicU64::new(0),
        }
    }

    /// The directory the messages go to.
    pub fn directory(&self) -> &std::path::Path {
        &self.directory
    }
}

#[async_trait::async_trait]
impl EmailBackend for FileBackend {
    async fn send_messages(&self, messages: &[EmailMessage]) -> Result<usize, MailError> {
        let mut files = Vec::new();
        for message in messages {
            let number = self.counter.fetch_add(1, Ordering::Relaxed);
            let name = format!(
                "{}-{}-{number}.log",
                message.date.format("%Y%m%d-%H%M%S"),
                std::process::id()
            );
            files.push((self.directory.join(name), console_text(message)));
        }
        let directory = self.directory.clone();
        let count = files.len();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&directory)?;
            for (path, text) in files {
                std::fs::write(path, text)?;
            }
            Ok(())
        })
        .await
        .map_err(|err| MailError::Transport(err.to_string()))??;
        Ok(count)
    }
}

/// Keeps sent messages in memory (Django's `locmem.EmailBackend` and its `mail.outbox`).
#[derive(Debug, Clone, Default)]
pub struct LocMemBackend {
    outbox: Arc<Mutex<Vec<EmailMessage>>>,
}

impl LocMemBackend {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// The messages sent so far.
    pub fn outbox(&self) -> Vec<EmailMessage> {
        self.outbox.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl EmailBackend for LocMemBackend {
    async fn send_messages(&self, messages: &[EmailMessage]) -> Result<usize, MailError> {
        let mut outbox = self
            .outbox
            .lock()
            .map_err(|_| MailError::Transport("the outbox lock is poisoned".into()))?;
        outbox.extend_from_slice(messages);
        Ok(messages.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> EmailMessage {
        EmailMessage::new(
            "[example.com] Password Reset Email",
            body,
            "webmaster@localhost",
            vec!["bob@example.com".into()],
        )
    }

    #[test]
    fn quoted_printable_round_trips() {
        let long = "You're receiving this email because you or someone else has requested a password reset for your user account.";
        let encoded = quoted_printable(long);
        assert!(encoded.lines().all(|line| line.len() <= 78), "{encoded}");
        assert_eq!(
            encoded.lines().next(),
            Some("You're receiving this email because you or someone else has requested a passw=")
        );
        for text in [long, "a=b \nnaïve\t\n", "http://h/x/1/abc-123/\n"] {
            assert_eq!(decode_quoted_printable(&quoted_printable(text)), text);
        }
    }

    #[test]
    fn mime_text_has_djangos_headers() {
        let text = message("Hello\n").to_mime();
        let headers: Vec<&str> = text
            .lines()
            .take_while(|l| !l.is_empty())
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            headers,
            [
                "Content-Type",
                "Content-Transfer-Encoding",
                "MIME-Version",
                "Subject",
                "From",
                "To",
                "Date",
                "Message-ID"
            ]
        );
        assert!(text.contains("Content-Transfer-Encoding: 7bit\n"));
        assert!(text.ends_with("\n\nHello\n"));
        let injected = EmailMessage {
            subject: "a\nBcc: x@y".into(),
            ..message("")
        };
        assert!(injected.to_mime().contains("Subject: a Bcc: x@y\n"));
    }

    #[tokio::test]
    async fn file_backend_writes_one_file_per_message() {
        let dir = std::env::temp_dir().join(format!("rf-mail-{}", rand::random::<u64>()));
        let backend = FileBackend::new(&dir);
        let sent = backend
            .send_messages(&[message("one\n"), message("two\n")])
            .await
            .unwrap();
        assert_eq!(sent, 2);
        let mut texts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        texts.sort_by_key(|t| t.contains("two"));
        assert_eq!(texts.len(), 2);
        assert!(texts[0].ends_with(&format!("\n\none\n\n{SEPARATOR}\n")));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn locmem_backend_keeps_the_outbox() {
        let backend = LocMemBackend::new();
        backend.send_messages(&[message("x")]).await.unwrap();
        let outbox = backend.outbox();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].body, "x");
    }
}
