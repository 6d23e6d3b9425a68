//! The rustls backend: aws-lc-rs for the cryptography, Mozilla's roots (`webpki-roots`).
//!
//! One `Arc<ClientConfig>` serves the control connection and every data connection of a
//! session, and data connections use the control connection's host name as server name:
//! rustls's session cache is keyed by that name, so data connections resume the control
//! session (TLS 1.2 session IDs or tickets, TLS 1.3 tickets), as vsftpd's default
//! `require_ssl_reuse=YES` demands.

use std::fmt;
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};

use crate::error::{Error, Result};
use crate::net::Transport;

/// What a [`crate::TlsConfig`] holds for rustls.
#[derive(Clone, Default)]
pub(super) struct Settings {
    /// A configuration given by the caller; used as is.
    given: Option<Arc<ClientConfig>>,
    roots: Vec<CertificateDer<'static>>,
    accept_invalid: bool,
    tls12_only: bool,
}

impl Settings {
    pub(super) fn from_config(config: Arc<ClientConfig>) -> Settings {
        Settings {
            given: Some(config),
            ..Settings::default()
        }
    }

    pub(super) fn add_root_pem(&mut self, pem: &[u8]) -> Result<()> {
        if self.given.is_some() {
            return Err(Error::InvalidState(
                "this TlsConfig uses your own rustls ClientConfig: add the root certificate \
                 to it instead"
                    .into(),
            ));
        }
        let mut found = Vec::new();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| Error::Tls(format!("cannot read the PEM certificate: {e}")))?;
            // Check now that rustls can use it, so a bad certificate fails here and not at
            // connect time.
            RootCertStore::empty()
                .add(cert.clone())
                .map_err(|e| Error::Tls(format!("unusable root certificate: {e}")))?;
            found.push(cert);
        }
        if found.is_empty() {
            return Err(Error::Tls("no certificate found in the PEM data".into()));
        }
        self.roots.extend(found);
        Ok(())
    }

    pub(super) fn accept_invalid_certs(&mut self, accept: bool) {
        if self.given.is_some() {
            log::warn!(
                target: "ftplib",
                "danger_accept_invalid_certs ignored: the TlsConfig uses your own ClientConfig"
            );
            return;
        }
        self.accept_invalid = accept;
    }

    pub(super) fn tls12_only(&mut self, only: bool) {
        if self.given.is_some() {
            log::warn!(target: "ftplib", "tls12_only ignored: the TlsConfig uses your own ClientConfig");
            return;
        }
        self.tls12_only = only;
    }

    /// The session's configuration: built once per session, shared by all its
    /// connections.
    pub(super) fn build(&self) -> Result<Arc<ClientConfig>> {
        if let Some(config) = &self.given {
            return Ok(Arc::clone(config));
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider));
        let builder = if self.tls12_only {
            builder.with_protocol_versions(&[&rustls::version::TLS12])
        } else {
            builder.with_safe_default_protocol_versions()
        }
        .map_err(|e| Error::Tls(format!("cannot set up rustls: {e}")))?;
        let config = if self.accept_invalid {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate { provider }))
                .with_no_client_auth()
        } else {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            for cert in &self.roots {
                roots
                    .add(cert.clone())
                    .map_err(|e| Error::Tls(format!("unusable root certificate: {e}")))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        Ok(Arc::new(config))
    }

    pub(super) fn describe(&self, s: &mut fmt::DebugStruct<'_, '_>) {
        s.field("own_config", &self.given.is_some())
            .field("extra_roots", &self.roots.len())
            .field("accept_invalid_certs", &self.accept_invalid)
            .field("tls12_only", &self.tls12_only);
    }
}

/// The verifier behind `danger_accept_invalid_certs(true)`: any certificate, any name,
/// but the handshake signatures must still be valid for the presented key.
#[derive(Debug)]
struct AcceptAnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The client handshake, verifying against `host` (a DNS name or an IP address).
pub(super) fn connect(
    config: &Arc<ClientConfig>,
    host: &str,
    mut tcp: TcpStream,
) -> Result<Transport> {
    let name = ServerName::try_from(host.to_owned()).map_err(|e| {
        Error::Tls(format!(
            "{host:?} cannot be checked against a certificate: {e}"
        ))
    })?;
    let mut conn =
        ClientConnection::new(Arc::clone(config), name).map_err(|e| Error::Tls(e.to_string()))?;
    while conn.is_handshaking() {
        match conn.complete_io(&mut tcp) {
            Ok((0, 0)) if conn.is_handshaking() => {
                return Err(Error::Tls(
                    "the server closed the connection during the TLS handshake".into(),
                ))
            }
            Ok(_) => {}
            Err(e) => return Err(io_error(e)),
        }
    }
    Ok(Transport::Rustls(Box::new(StreamOwned::new(conn, tcp))))
}

/// Closes a data connection as vsftpd needs it: close_notify, flushed; end of our side;
/// read the server's side to its end (storing the ticket a TLS 1.3 server sends after a
/// resumed handshake, and leaving nothing unread that would turn the close into a
/// reset); drop.
pub(super) fn close(stream: StreamOwned<ClientConnection, TcpStream>) -> io::Result<()> {
    let (mut conn, mut tcp) = stream.into_parts();
    conn.send_close_notify();
    while conn.wants_write() {
        if conn.write_tls(&mut tcp)? == 0 {
            break;
        }
    }
    let _ = tcp.shutdown(Shutdown::Write);
    let mut scratch = [0u8; 4096];
    // A hostile server could keep sending records forever: read at most this much.
    let mut budget: usize = 1 << 20;
    loop {
        match conn.read_tls(&mut tcp) {
            // End of stream, or the server's close_notify already seen.
            Ok(0) => break,
            Ok(n) => {
                budget = budget.saturating_sub(n);
                if budget == 0 {
                    break;
                }
                if conn.process_new_packets().is_err() {
                    break;
                }
                // Discard plaintext the server should not have sent after the transfer.
                while matches!(conn.reader().read(&mut scratch), Ok(n) if n > 0) {}
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    super::drain(&mut tcp);
    Ok(())
}

/// Ends TLS on the control connection after CCC: our close_notify, then the server's.
/// Reading cannot swallow plain text that follows: the server sends nothing more until
/// our next command, which goes out only after this returns.
pub(super) fn shutdown_control(
    stream: &mut StreamOwned<ClientConnection, TcpStream>,
) -> io::Result<()> {
    let StreamOwned { conn, sock } = stream;
    conn.send_close_notify();
    while conn.wants_write() {
        if conn.write_tls(sock)? == 0 {
            break;
        }
    }
    loop {
        let state = conn
            .process_new_packets()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        if state.plaintext_bytes_to_read() > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "server sent data instead of TLS close_notify after CCC",
            ));
        }
        if state.peer_has_closed() {
            return Ok(());
        }
        if conn.read_tls(sock)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed the connection instead of sending TLS close_notify after CCC",
            ));
        }
    }
}

/// Maps a rustls I/O error to the crate's error, keeping rustls's message (e.g.
/// "invalid peer certificate: UnknownIssuer").
fn io_error(err: io::Error) -> Error {
    if let Some(tls) = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return Error::Tls(tls.to_string());
    }
    super::handshake_io_error(err)
}
