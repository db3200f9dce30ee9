//! Outgoing mail: .eml files under the data directory by default, SMTP when
//! configured.

use std::path::PathBuf;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tls: SmtpTls,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Implicit TLS (usually port 465).
    Tls,
    /// STARTTLS on a plain connection (usually port 587).
    StartTls,
    /// None: a relay on the same machine or network only.
    None,
}

impl std::str::FromStr for SmtpTls {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "tls" => Ok(SmtpTls::Tls),
            "starttls" => Ok(SmtpTls::StartTls),
            "none" => Ok(SmtpTls::None),
            other => Err(format!("must be tls, starttls or none, not {other:?}")),
        }
    }
}

/// SMTP connections kept open at most. Many, because each mail waits on
/// the network rather than on this server: lettre writes a message and its
/// final dot apart on a socket without TCP_NODELAY, so every mail sits
/// through the relay's delayed ACK (about 40 ms on Linux). 32 connections
/// stay well within what relays accept from one client (Postfix: 50).
pub const SMTP_CONNECTIONS: u32 = 32;

#[derive(Clone)]
enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// Writes each message as `<uuid>.eml` in `dir`.
    pub fn files(dir: PathBuf, from: Mailbox) -> Self {
        Self {
            transport: Transport::Files(AsyncFileTransport::new(dir)),
            from,
        }
    }

    pub fn smtp(c: &SmtpConfig, from: Mailbox) -> Result<Self, String> {
        let builder = match c.tls {
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &c.host,
            )),
        }
        .map_err(|e| format!("SMTP relay {}: {e}", c.host))?;
        let builder = match c.port {
            Some(port) => builder.port(port),
            None => builder,
        };
        let builder = match (&c.username, &c.password) {
            (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
            _ => builder,
        };
        // One pool of connections for login codes and notifications: a
        // burst of 30,000 mails reuses a few sessions instead of opening
        // one each.
        let builder = builder.pool_config(PoolConfig::new().max_size(SMTP_CONNECTIONS));
        Ok(Self {
            transport: Transport::Smtp(builder.build()),
            from,
        })
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("building the message: {e}"))?;
        self.deliver(message).await
    }

    /// Sends a notification: text and HTML parts, and when it may be
    /// switched off, the one-click unsubscribe headers of RFC 8058 (mail
    /// clients show an "unsubscribe" button that POSTs to the link).
    pub async fn send_notification(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: String,
        unsubscribe_url: Option<&str>,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject);
        if let Some(url) = unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| format!("building the message: {e}"))?;
        self.deliver(message).await
    }

    async fn deliver(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Files(t) => t.send(message).await.map(drop).map_err(|e| e.to_string()),
            Transport::Smtp(t) => t.send(message).await.map(drop).map_err(|e| e.to_string()),
        }
    }
}

/// Why a login code is sent; the wording differs, the code does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeMail {
    Welcome,
    AlreadyMember,
    Login,
}

/// Subject and body of a login-code mail: the code is in the subject and on
/// a line of its own.
pub fn login_code_mail(kind: CodeMail, code: &str, public_url: &str) -> (String, String) {
    let minutes = cortege_db::login_codes::LIFETIME_MINUTES;
    let intro = match kind {
        CodeMail::Welcome => "Bienvenue dans Cortège ! Voici votre code pour vous connecter :",
        CodeMail::AlreadyMember => {
            "Quelqu'un (sans doute vous) a voulu créer un compte avec cette adresse, \
             mais vous avez déjà un compte Cortège. Voici un code pour vous connecter :"
        }
        CodeMail::Login => "Voici votre code pour vous connecter à Cortège :",
    };
    let subject = format!("Votre code de connexion Cortège : {code}");
    let body = format!(
        "{intro}\n\n{code}\n\nCe code est valable {minutes} minutes et ne sert qu'une fois.\n\
         Si vous n'avez rien demandé, ignorez ce message.\n\n{public_url}\n"
    );
    (subject, body)
}
