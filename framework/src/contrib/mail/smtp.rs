//! Django's `smtp.EmailBackend` on lettre (the `smtp` cargo feature).

use super::{EmailBackend, EmailMessage, MailError};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Sends mail through an SMTP server (Django's `EMAIL_HOST`, `EMAIL_PORT`,
/// `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`, `EMAIL_USE_SSL`,
/// `EMAIL_TIMEOUT`).
pub struct SmtpBackend {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// How the connection to the server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text (Django's default; for a local relay only).
    None,
    /// `STARTTLS` after connecting (`EMAIL_USE_TLS`, usually port 587).
    StartTls,
    /// TLS from the start (`EMAIL_USE_SSL`, usually port 465).
    Tls,
}

impl SmtpBackend {
    /// A backend for `host:port`, with optional `(user, password)` credentials.
    pub fn new(
        host: &str,
        port: u16,
        security: SmtpSecurity,
        credentials: Option<(String, String)>,
        timeout: Option<Duration>,
    ) -> Result<Self, MailError> {
        let builder = match security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| MailError::Transport(err.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| MailError::Transport(err.to_string()))?,
        };
        let mut builder = builder.port(port).timeout(timeout);
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(SmtpBackend {
            transport: builder.build(),
        })
    }

    fn to_lettre(message: &EmailMessage) -> Result<Message, MailError> {
        let invalid = |err: lettre::address::AddressError| MailError::Invalid(err.to_string());
        let mut builder = Message::builder()
            .from(message.from_email.parse().map_err(invalid)?)
            .subject(message.subject.clone())
            .date(message.date.into())
            .header(ContentType::TEXT_PLAIN);
        for to in &message.to {
            builder = builder.to(to.parse().map_err(invalid)?);
        }
        builder
            .body(message.body.clone())
            .map_err(|err| MailError::Invalid(err.to_string()))
    }
}

#[async_trait::async_trait]
impl EmailBackend for SmtpBackend {
    async fn send_messages(&self, messages: &[EmailMessage]) -> Result<usize, MailError> {
        for message in messages {
            let email = Self::to_lettre(message)?;
            self.transport
                .send(email)
                .await
                .map_err(|err| MailError::Transport(err.to_string()))?;
        }
        Ok(messages.len())
    }
}
