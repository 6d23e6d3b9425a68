//! Real-server test harness: starts vsftpd, proftpd, pure-ftpd or pyftpdlib on loopback, one
//! process per call.
//!
//! Everything here uses only std (plus `openssl`, `vsftpd` and `python3` on the machine, and
//! proftpd and pure-ftpd unpacked where `FTPLIB_PROFTPD_ROOT` and `FTPLIB_PURE_FTPD_ROOT` say),
//! so it does not depend on the crate under test. `bash scripts/test.sh` installs what is
//! needed.
//!
//! Each [`TestServer`] owns a fresh temp directory (config, logs, sample trees, certificates) and a
//! free high port on 127.0.0.1 or ::1; dropping it kills the server (and vsftpd's session
//! processes) and removes the directory. Safe to use from parallel test threads.
//!
//! Set `FTPLIB_KEEP_TEST_DIRS=1` to keep the temp directories for inspection.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The command that installs everything the real-server tests need.
pub const SETUP_HINT: &str = "run `bash scripts/test.sh` (it installs vsftpd, openssl, pyftpdlib \
     and pyOpenSSL), or by hand: `apt-get install -y vsftpd openssl && \
     python3 -m pip install pyftpdlib pyOpenSSL`";

/// vsftpd's system user (created on demand) and its password.
pub const VSFTPD_USER: &str = "ftptest";
pub const VSFTPD_PASSWORD: &str = "ftptest123";
/// proftpd's virtual user (AuthUserFile; it runs with ftptest's uid/gid) and its password.
pub const PROFTPD_USER: &str = "proftest";
pub const PROFTPD_PASSWORD: &str = "proftpd123";
/// `openssl passwd -6 -salt ftplibtest proftpd123`, precomputed: the AuthUserFile wants a
/// crypt(3) hash.
const PROFTPD_PASSWORD_HASH: &str = "$6$ftplibtest$T8XSZxR3/2U8ph39e4cNz0m46eNYb6Mu7PPPEcOqjxoY\
                                     61HBMhPPJwyapWmOUMM5voXQxf1d5UDccOCYGcGYx1";
/// The environment variable (set by `scripts/test.sh`) naming the directory where proftpd
/// was unpacked (`usr/sbin/proftpd`, `usr/lib/proftpd/mod_tls.so`).
pub const PROFTPD_ROOT_VAR: &str = "FTPLIB_PROFTPD_ROOT";
/// pure-ftpd's virtual user (puredb; it runs with ftptest's uid/gid) and its password.
pub const PURE_FTPD_USER: &str = "puretest";
pub const PURE_FTPD_PASSWORD: &str = "pureftpd123";
/// `openssl passwd -6 -salt ftplibtest pureftpd123`, precomputed. `pure-pw useradd` would
/// store an argon2id hash, which pure-ftpd checks in about 2 s on every login; it accepts a
/// crypt(3) SHA-512 hash in the same field, checked in milliseconds.
const PURE_FTPD_PASSWORD_HASH: &str = "$6$ftplibtest$xsUmHOlY7J7V4XkTXojATiGgELoPTa7WZdVXEq1R0\
                                       17MQiR1ZwZf29X.svcjuqQco.09DkmXopFvR4kM2dgAd/";
/// The environment variable (set by `scripts/test.sh`) naming the directory where pure-ftpd
/// was unpacked (`usr/sbin/pure-ftpd`, `usr/bin/pure-pw`).
pub const PURE_FTPD_ROOT_VAR: &str = "FTPLIB_PURE_FTPD_ROOT";
/// pyftpdlib's virtual user and its password.
pub const PYFTPDLIB_USER: &str = "user";
pub const PYFTPDLIB_PASSWORD: &str = "12345";

/// Contents of the sample tree (anonymous root), all with LF line endings.
pub const README_TEXT: &str = "This is the readme of the ftplib test server.\n\
                               Second line.\n\
                               Third line, with some punctuation: a,b;c.\n\
                               \n\
                               Last line after an empty one.\n";
pub const NESTED_TEXT: &str = "nested file in sub/\n";
pub const SPACE_TEXT: &str = "a file whose name has a space\n";
pub const CAFE_NAME: &str = "café.txt";
pub const CAFE_TEXT: &str = "café au lait\n";
pub const LINK_NAME: &str = "link-to-readme";
pub const BLOB_NAME: &str = "blob.bin";
pub const BLOB_LEN: usize = 1 << 20;
/// Contents of `hello.txt` in the user's writable home.
pub const HELLO_TEXT: &str = "hello\n";

const READY_TIMEOUT: Duration = Duration::from_secs(15);
const START_ATTEMPTS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 127.0.0.1
    V4,
    /// ::1
    V6,
}

impl Family {
    pub fn host(self) -> &'static str {
        match self {
            Family::V4 => "127.0.0.1",
            Family::V6 => "::1",
        }
    }

    pub fn ip(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Family::V6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    None,
    /// `AUTH TLS` offered but not required (neither for logins nor data).
    Explicit {
        require_reuse: bool,
    },
    /// vsftpd `implicit_ssl=YES` (TLS from the first byte), with `require_ssl_reuse=NO`.
    Implicit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Vsftpd,
    Proftpd,
    PureFtpd,
    Pyftpdlib,
}

pub struct TestServer {
    pub kind: ServerKind,
    pub family: Family,
    pub tls: Tls,
    /// "127.0.0.1" or "::1".
    pub host: String,
    pub port: u16,
    /// Anonymous, read-only root holding the sample tree.
    pub anon_root: PathBuf,
    pub user: String,
    pub password: String,
    /// The user's writable login directory (initially holds `hello.txt`).
    pub user_home: PathBuf,
    /// The server's private temp directory (removed on drop).
    pub tmp: PathBuf,
    /// CA certificate (PEM) that signed the server certificate, when TLS is on.
    pub ca_cert_pem: Option<PathBuf>,
    /// Server log (vsftpd: protocol + transfer log; proftpd: ExtendedLog of every command
    /// and reply code; pure-ftpd: its W3C transfer log, one line per finished transfer;
    /// pyftpdlib: its DEBUG log).
    pub log_path: PathBuf,
    child: Child,
}

impl TestServer {
    /// Starts vsftpd (needs root) on 127.0.0.1 or ::1 with anonymous read access to
    /// `anon_root` and the system user `ftptest`/`ftptest123` logged into `user_home`.
    pub fn vsftpd(family: Family, tls: Tls) -> TestServer {
        TestServer::vsftpd_with(family, tls, false)
    }

    /// Like [`TestServer::vsftpd`] (plain FTP) with `port_promiscuous=YES`: PORT/EPRT may
    /// name another address than the client's, as behind a NAT router.
    pub fn vsftpd_port_promiscuous(family: Family) -> TestServer {
        TestServer::vsftpd_with(family, Tls::None, true)
    }

    fn vsftpd_with(family: Family, tls: Tls, port_promiscuous: bool) -> TestServer {
        let started = Instant::now();
        let vsftpd = find_vsftpd();
        if !is_root() {
            panic!("vsftpd tests need root (system user login, chroot); run the tests as root");
        }
        ensure_vsftpd_users();
        let tmp = unique_temp_dir("vsftpd");
        let anon_root = tmp.join("anon");
        make_sample_tree(&anon_root);
        let user_home = tmp.join("home");
        make_user_home(&user_home);
        let (uid, gid) = lookup_user(VSFTPD_USER)
            .unwrap_or_else(|| panic!("user {VSFTPD_USER} missing after creation"));
        chown_tree(&user_home, uid, gid);
        let empty = tmp.join("empty");
        mkdir(&empty, 0o755);
        let ca = match tls {
            Tls::None => None,
            _ => Some(make_certificates(&tmp)),
        };
        let log_path = tmp.join("vsftpd.log");

        start_with_retries(
            "vsftpd",
            family,
            started,
            &tmp,
            |port| {
                let conf = vsftpd_config(family, tls, port, &tmp, port_promiscuous);
                let conf_path = tmp.join("vsftpd.conf");
                fs::write(&conf_path, conf).expect("write vsftpd.conf");
                fs::set_permissions(&conf_path, fs::Permissions::from_mode(0o600)).unwrap();
                let stdout_path = tmp.join("vsftpd.stdout");
                let stderr_path = tmp.join("vsftpd.stderr");
                let child = Command::new(&vsftpd)
                    .arg(&conf_path)
                    .current_dir(&tmp)
                    .stdin(Stdio::null())
                    .stdout(fs::File::create(&stdout_path).unwrap())
                    .stderr(fs::File::create(&stderr_path).unwrap())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {vsftpd}: {e}"));
                TestServer {
                    kind: ServerKind::Vsftpd,
                    family,
                    tls,
                    host: family.host().to_string(),
                    port,
                    anon_root: anon_root.clone(),
                    user: VSFTPD_USER.to_string(),
                    password: VSFTPD_PASSWORD.to_string(),
                    user_home: user_home.clone(),
                    tmp: tmp.clone(),
                    ca_cert_pem: ca.clone(),
                    log_path: log_path.clone(),
                    child,
                }
            },
            TestServer::wait_vsftpd_ready,
        )
    }

    /// Starts pyftpdlib on 127.0.0.1 or ::1 with anonymous read access to `anon_root` and the
    /// virtual user `user`/`12345` (perm "elradfmwMT") on `user_home`. With `tls`, explicit
    /// FTPS is offered but not required (TLS_FTPHandler, pyOpenSSL).
    pub fn pyftpdlib(family: Family, tls: bool) -> TestServer {
        TestServer::pyftpdlib_with(family, tls, false)
    }

    /// Like [`TestServer::pyftpdlib`] (plain FTP) with `permit_foreign_addresses`: PORT/EPRT
    /// may name another address than the client's, as behind a NAT router.
    pub fn pyftpdlib_permitting_foreign_addresses(family: Family) -> TestServer {
        TestServer::pyftpdlib_with(family, false, true)
    }

    fn pyftpdlib_with(family: Family, tls: bool, permit_foreign: bool) -> TestServer {
        let started = Instant::now();
        check_pyftpdlib(tls);
        let tmp = unique_temp_dir("pyftpdlib");
        let anon_root = tmp.join("anon");
        make_sample_tree(&anon_root);
        let user_home = tmp.join("home");
        make_user_home(&user_home);
        let ca = if tls {
            Some(make_certificates(&tmp))
        } else {
            None
        };
        let script = tmp.join("server.py");
        fs::write(&script, PYFTPDLIB_SCRIPT).expect("write server.py");
        let log_path = tmp.join("pyftpdlib.log");

        start_with_retries(
            "pyftpdlib",
            family,
            started,
            &tmp,
            |port| {
                let stdout_path = tmp.join("pyftpdlib.stdout");
                let stderr_path = tmp.join("pyftpdlib.stderr");
                let mut cmd = Command::new("python3");
                cmd.arg("-u")
                    .arg(&script)
                    .arg(family.host())
                    .arg(port.to_string())
                    .arg(&anon_root)
                    .arg(&user_home)
                    .arg(&log_path);
                if tls {
                    cmd.arg(tmp.join("tls/server.pem"))
                        .arg(tmp.join("tls/server.key"));
                }
                if permit_foreign {
                    cmd.env("FTPLIB_TEST_PERMIT_FOREIGN_ADDRESSES", "1");
                }
                let child = cmd
                    .current_dir(&tmp)
                    .stdin(Stdio::null())
                    .stdout(fs::File::create(&stdout_path).unwrap())
                    .stderr(fs::File::create(&stderr_path).unwrap())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start python3: {e}; {SETUP_HINT}"));
                TestServer {
                    kind: ServerKind::Pyftpdlib,
                    family,
                    tls: if tls {
                        Tls::Explicit {
                            require_reuse: false,
                        }
                    } else {
                        Tls::None
                    },
                    host: family.host().to_string(),
                    port,
                    anon_root: anon_root.clone(),
                    user: PYFTPDLIB_USER.to_string(),
                    password: PYFTPDLIB_PASSWORD.to_string(),
                    user_home: user_home.clone(),
                    tmp: tmp.clone(),
                    ca_cert_pem: ca.clone(),
                    log_path: log_path.clone(),
                    child,
                }
            },
            TestServer::wait_pyftpdlib_ready,
        )
    }

    /// Starts proftpd 1.3.8 (needs root: it switches to the session user's uid) on 127.0.0.1
    /// or ::1 with anonymous read access to `anon_root` and the virtual user
    /// `proftest`/`proftpd123` logged into `user_home` (not chrooted). With
    /// `Tls::Explicit`, mod_tls offers AUTH TLS without requiring it; `require_reuse: true` is
    /// proftpd's default (data connections must resume the control connection's TLS
    /// session), `false` adds `TLSOptions NoSessionReuseRequired`.
    ///
    /// proftpd comes from `FTPLIB_PROFTPD_ROOT`, set by `scripts/test.sh` (Debian's proftpd
    /// conflicts with vsftpd, so it is unpacked side by side rather than apt-installed).
    pub fn proftpd(family: Family, tls: Tls) -> TestServer {
        let started = Instant::now();
        assert!(
            tls != Tls::Implicit,
            "the proftpd launcher offers explicit FTPS only"
        );
        let root = proftpd_root();
        let proftpd = root.join("usr/sbin/proftpd");
        if !is_root() {
            panic!("proftpd tests need root (proftpd switches to the session user's uid)");
        }
        // The virtual user borrows ftptest's uid/gid (so its home is ftptest's), and the
        // anonymous login runs as the system user `ftp`: both are made here.
        ensure_vsftpd_users();
        let (uid, gid) = lookup_user(VSFTPD_USER)
            .unwrap_or_else(|| panic!("user {VSFTPD_USER} missing after creation"));
        let tmp = unique_temp_dir("proftpd");
        let anon_root = tmp.join("anon");
        make_sample_tree(&anon_root);
        let user_home = tmp.join("home");
        make_user_home(&user_home);
        chown_tree(&user_home, uid, gid);
        let passwd = tmp.join("ftpd.passwd");
        write_file(
            &passwd,
            format!(
                "{PROFTPD_USER}:{PROFTPD_PASSWORD_HASH}:{uid}:{gid}::{}:/bin/false\n",
                user_home.display()
            )
            .as_bytes(),
        );
        // proftpd refuses an AuthUserFile that others can read.
        fs::set_permissions(&passwd, fs::Permissions::from_mode(0o600)).unwrap();
        let ca = match tls {
            Tls::None => None,
            _ => Some(make_certificates(&tmp)),
        };
        let log_path = tmp.join("proftpd.log");

        start_with_retries(
            "proftpd",
            family,
            started,
            &tmp,
            |port| {
                let conf = proftpd_config(family, tls, port, &tmp, &root);
                // -c needs an absolute path; tmp is absolute.
                let conf_path = tmp.join("proftpd.conf");
                fs::write(&conf_path, conf).expect("write proftpd.conf");
                let child = Command::new(&proftpd)
                    .arg("-n") // foreground: the child is the daemon itself
                    .arg("-c")
                    .arg(&conf_path)
                    .current_dir(&tmp)
                    .stdin(Stdio::null())
                    .stdout(fs::File::create(tmp.join("proftpd.stdout")).unwrap())
                    .stderr(fs::File::create(tmp.join("proftpd.stderr")).unwrap())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {}: {e}", proftpd.display()));
                TestServer {
                    kind: ServerKind::Proftpd,
                    family,
                    tls,
                    host: family.host().to_string(),
                    port,
                    anon_root: anon_root.clone(),
                    user: PROFTPD_USER.to_string(),
                    password: PROFTPD_PASSWORD.to_string(),
                    user_home: user_home.clone(),
                    tmp: tmp.clone(),
                    ca_cert_pem: ca.clone(),
                    log_path: log_path.clone(),
                    child,
                }
            },
            TestServer::wait_listening_ready,
        )
    }

    /// Starts pure-ftpd 1.0.50 (needs root: it switches to the session user's uid) on
    /// 127.0.0.1 or ::1, plain FTP only, with the virtual user `puretest`/`pureftpd123`
    /// (puredb) chrooted into `user_home`, which holds the sample tree and `hello.txt`.
    ///
    /// Anonymous logins are off (`-E`): pure-ftpd has no flag for the anonymous root, it is
    /// always the home of the system user `ftp`, shared by every server on the machine.
    /// `anon_root` therefore names `user_home` too, for tests that look for the sample tree.
    ///
    /// pure-ftpd comes from `FTPLIB_PURE_FTPD_ROOT`, set by `scripts/test.sh` (Debian's
    /// pure-ftpd conflicts with vsftpd, so it is unpacked side by side).
    pub fn pure_ftpd(family: Family) -> TestServer {
        let started = Instant::now();
        let root = pure_ftpd_root();
        let pure_ftpd = root.join("usr/sbin/pure-ftpd");
        if !is_root() {
            panic!("pure-ftpd tests need root (pure-ftpd switches to the session user's uid)");
        }
        // The virtual user borrows ftptest's uid/gid (pure-ftpd refuses uids below 100).
        ensure_vsftpd_users();
        let (uid, gid) = lookup_user(VSFTPD_USER)
            .unwrap_or_else(|| panic!("user {VSFTPD_USER} missing after creation"));
        let tmp = unique_temp_dir("pure-ftpd");
        let user_home = tmp.join("home");
        make_sample_tree(&user_home);
        make_user_home(&user_home);
        chown_tree(&user_home, uid, gid);
        // pure-pw's passwd format; the `/./` at the end of the home chroots the user there.
        let passwd = tmp.join("pureftpd.passwd");
        write_file(
            &passwd,
            format!(
                "{PURE_FTPD_USER}:{PURE_FTPD_PASSWORD_HASH}:{uid}:{gid}::{}/./::::::::::::\n",
                user_home.display()
            )
            .as_bytes(),
        );
        let pdb = tmp.join("pureftpd.pdb");
        let out = Command::new(root.join("usr/bin/pure-pw"))
            .arg("mkdb")
            .arg(&pdb)
            .arg("-f")
            .arg(&passwd)
            .output()
            .unwrap_or_else(|e| panic!("cannot run pure-pw: {e}"));
        if !out.status.success() {
            panic!(
                "pure-pw mkdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let log_path = tmp.join("pure-ftpd.log");

        start_with_retries(
            "pure-ftpd",
            family,
            started,
            &tmp,
            |port| {
                let child = Command::new(&pure_ftpd)
                    // Listen on this address and port only (`-S ::1,PORT` for IPv6).
                    .arg("-S")
                    .arg(format!("{},{port}", family.host()))
                    .arg("-l")
                    .arg(format!("puredb:{}", pdb.display()))
                    // No anonymous logins (see above), no reverse DNS, no TLS.
                    .arg("-E")
                    .arg("-H")
                    .args(["-Y", "0"])
                    // Its own pid file: the default, /var/run/pure-ftpd.pid, is shared.
                    .arg("-g")
                    .arg(tmp.join("pure-ftpd.pid"))
                    // pure-ftpd logs sessions only to syslog (absent here); its transfer log is
                    // the one record a test can read.
                    .arg("-O")
                    .arg(format!("w3c:{}", log_path.display()))
                    .current_dir(&tmp)
                    .stdin(Stdio::null())
                    .stdout(fs::File::create(tmp.join("pure-ftpd.stdout")).unwrap())
                    .stderr(fs::File::create(tmp.join("pure-ftpd.stderr")).unwrap())
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {}: {e}", pure_ftpd.display()));
                TestServer {
                    kind: ServerKind::PureFtpd,
                    family,
                    tls: Tls::None,
                    host: family.host().to_string(),
                    port,
                    anon_root: user_home.clone(),
                    user: PURE_FTPD_USER.to_string(),
                    password: PURE_FTPD_PASSWORD.to_string(),
                    user_home: user_home.clone(),
                    tmp: tmp.clone(),
                    ca_cert_pem: None,
                    log_path: log_path.clone(),
                    child,
                }
            },
            TestServer::wait_listening_ready,
        )
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.family.ip(), self.port)
    }

    /// The server's log text (vsftpd `log_ftp_protocol` log, proftpd ExtendedLog, pyftpdlib
    /// DEBUG log) followed by proftpd's system and TLS logs and whatever the process wrote to
    /// stdout/stderr. Empty parts are left out.
    pub fn log(&self) -> String {
        let mut out = fs::read_to_string(&self.log_path).unwrap_or_default();
        if self.kind == ServerKind::Proftpd {
            // Why a session failed (a TLS handshake, a refused data connection) is only in
            // these two.
            for name in ["system.log", "tls.log"] {
                if let Ok(text) = fs::read_to_string(self.tmp.join(name)) {
                    if !text.trim().is_empty() {
                        out.push_str(&format!("--- {name} ---\n{text}"));
                    }
                }
            }
        }
        for name in ["stdout", "stderr"] {
            let path = self.tmp.join(format!("{}.{name}", self.kind_name()));
            if let Ok(text) = fs::read_to_string(path) {
                if !text.trim().is_empty() {
                    out.push_str(&format!("--- {name} ---\n{text}"));
                }
            }
        }
        out
    }

    /// The CA certificate (PEM bytes) to trust for this server. Panics without TLS.
    pub fn ca_cert_pem_bytes(&self) -> Vec<u8> {
        let path = self
            .ca_cert_pem
            .as_ref()
            .expect("this server was started without TLS");
        fs::read(path).expect("read CA certificate")
    }

    fn kind_name(&self) -> &'static str {
        match self.kind {
            ServerKind::Vsftpd => "vsftpd",
            ServerKind::Proftpd => "proftpd",
            ServerKind::PureFtpd => "pure-ftpd",
            ServerKind::Pyftpdlib => "pyftpdlib",
        }
    }

    fn output(&self) -> String {
        let mut out = String::new();
        for name in ["stdout", "stderr"] {
            let path = self.tmp.join(format!("{}.{name}", self.kind_name()));
            out.push_str(&fs::read_to_string(path).unwrap_or_default());
        }
        out
    }

    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("{status}")),
            Ok(None) => None,
            Err(e) => Some(format!("try_wait failed: {e}")),
        }
    }

    fn fail(&mut self, what: &str) -> ! {
        let log = self.log();
        self.kill_processes();
        let tmp = self.tmp.clone();
        let text = format!(
            "{} ({:?}, {:?}) on port {}: {what}\nconfig/log dir: {}\n{log}",
            self.kind_name(),
            self.family,
            self.tls,
            self.port,
            tmp.display()
        );
        panic!("{text}");
    }

    fn wait_vsftpd_ready(&mut self) -> Result<(), Retry> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let v6 = self.family == Family::V6;
        // 1. Our process owns a listening socket on the port (not some other server that took
        //    the port between free_port() and vsftpd's bind).
        loop {
            if let Some(status) = self.exited() {
                let out = self.output();
                if out.contains("bind") || out.contains("in use") {
                    return Err(Retry(format!("port {} taken: {out}", self.port)));
                }
                if status.contains("exit status: 2") && out.trim().is_empty() {
                    // vsftpd exits 2 without a word when its port was taken between
                    // free_port() and its bind (seen under parallel tests), but also for an
                    // unknown option or a config file it does not own: retry with another
                    // port; if every attempt fails, the message below names both causes.
                    return Err(Retry(format!(
                        "exited with {status} and no output: the port was taken, or vsftpd \
                         refused the config (unknown option, or not owned by the running user)"
                    )));
                }
                self.fail(&format!("exited early with {status}"));
            }
            if pid_listens_on(self.child.id(), self.port, v6) {
                break;
            }
            if Instant::now() > deadline {
                self.fail("no listening socket within the timeout");
            }
            sleep(Duration::from_millis(5));
        }
        // 2. A client gets the greeting (for implicit TLS: the TCP connection is accepted).
        self.wait_greeting(deadline);
        Ok(())
    }

    /// Waits until a client gets the greeting (for implicit TLS: until the TCP connection
    /// is accepted); panics with the server's log if it exits or the deadline passes.
    fn wait_greeting(&mut self, deadline: Instant) {
        loop {
            match self.probe_greeting() {
                Ok(()) => return,
                Err(e) => {
                    if let Some(status) = self.exited() {
                        self.fail(&format!("exited with {status} during the ready check: {e}"));
                    }
                    if Instant::now() > deadline {
                        self.fail(&format!("not ready within the timeout: {e}"));
                    }
                    sleep(Duration::from_millis(20));
                }
            }
        }
    }

    fn wait_listening_ready(&mut self) -> Result<(), Retry> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let v6 = self.family == Family::V6;
        // As for vsftpd: first our own process listens on the port, then a client gets the
        // greeting.
        loop {
            if let Some(status) = self.exited() {
                let out = self.output();
                // proftpd: "Failed binding to 127.0.0.1, port N: Address already in use";
                // pure-ftpd: "Unable to start a standalone server: Address already in use".
                if out.contains("Address already in use") {
                    return Err(Retry(format!("port {} taken: {out}", self.port)));
                }
                self.fail(&format!("exited early with {status}"));
            }
            if pid_listens_on(self.child.id(), self.port, v6) {
                break;
            }
            if Instant::now() > deadline {
                self.fail("no listening socket within the timeout");
            }
            sleep(Duration::from_millis(5));
        }
        self.wait_greeting(deadline);
        Ok(())
    }

    fn wait_pyftpdlib_ready(&mut self) -> Result<(), Retry> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let stdout_path = self.tmp.join("pyftpdlib.stdout");
        // READY is printed after FTPServer() has bound the port.
        loop {
            let ready = fs::read_to_string(&stdout_path)
                .map(|s| s.contains("READY"))
                .unwrap_or(false);
            if ready {
                break;
            }
            if let Some(status) = self.exited() {
                let out = self.output();
                if out.contains("Address already in use") || out.contains("Errno 98") {
                    return Err(Retry(format!("port {} taken: {out}", self.port)));
                }
                if out.contains("No module named") {
                    self.fail(&format!("python module missing; {SETUP_HINT}"));
                }
                self.fail(&format!("exited early with {status}"));
            }
            if Instant::now() > deadline {
                self.fail("no READY line within the timeout");
            }
            sleep(Duration::from_millis(10));
        }
        self.wait_greeting(deadline);
        Ok(())
    }

    /// Connects once; for plain/explicit servers reads a `220` greeting and sends QUIT.
    fn probe_greeting(&self) -> Result<(), String> {
        let stream = TcpStream::connect_timeout(&self.addr(), Duration::from_secs(2))
            .map_err(|e| format!("connect: {e}"))?;
        if self.tls == Tls::Implicit {
            drop(stream);
            sleep(Duration::from_millis(100));
            return Ok(());
        }
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("reading greeting: {e}"))?;
        if !line.starts_with("220") {
            return Err(format!("greeting is not 220: {line:?}"));
        }
        let _ = (&stream).write_all(b"QUIT\r\n");
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
        Ok(())
    }

    /// Kills the server and, for vsftpd, its per-session processes.
    /// The killed session processes are re-parented to PID 1, which reaps them.
    fn kill_processes(&mut self) {
        let pid = self.child.id();
        // Parents before their children; rescan until nothing new shows up, to catch a session
        // process forked while we were killing.
        let mut descendants: Vec<u32> = Vec::new();
        for _round in 0..20 {
            let new: Vec<u32> = descendants_of(pid)
                .into_iter()
                .filter(|p| !descendants.contains(p))
                .collect();
            if new.is_empty() {
                break;
            }
            for &p in &new {
                send_kill(p);
            }
            descendants.extend(new);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!(
                "=== {} ({:?}, {:?}) port {} log tail ({}) ===\n{}",
                self.kind_name(),
                self.family,
                self.tls,
                self.port,
                self.log_path.display(),
                tail.join("\n")
            );
        }
        self.kill_processes();
        if std::env::var_os("FTPLIB_KEEP_TEST_DIRS").is_none() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

struct Retry(String);

/// Starts a server on a fresh free port, up to [`START_ATTEMPTS`] times: `launch` spawns it
/// on the given port, `ready` waits for its greeting (or asks for another port). The temp dir
/// `tmp` is kept between attempts and removed when none succeeds.
fn start_with_retries(
    name: &str,
    family: Family,
    started: Instant,
    tmp: &Path,
    mut launch: impl FnMut(u16) -> TestServer,
    ready: fn(&mut TestServer) -> Result<(), Retry>,
) -> TestServer {
    let mut last_error = String::new();
    for _attempt in 0..START_ATTEMPTS {
        let mut server = launch(free_port_for(family));
        match ready(&mut server) {
            Ok(()) => {
                debug_timing(name, family, server.tls, started);
                return server;
            }
            Err(Retry(msg)) => {
                last_error = msg;
                server.kill_processes();
                // Keep the temp dir: the next attempt reuses it. Forget this server without
                // running Drop (which would remove the directory).
                std::mem::forget(server);
            }
        }
    }
    let _ = fs::remove_dir_all(tmp);
    panic!("{name} did not start after {START_ATTEMPTS} attempts: {last_error}");
}

fn debug_timing(name: &str, family: Family, tls: Tls, started: Instant) {
    if std::env::var_os("FTPLIB_TEST_TIMING").is_some() {
        eprintln!(
            "[harness] {name} {family:?} {tls:?} ready in {:?}",
            started.elapsed()
        );
    }
}

/// Deterministic pseudo-random bytes (xorshift64, fixed seed): the contents of `blob.bin`
/// when `len == BLOB_LEN`, and a prefix of it for smaller `len`.
pub fn blob_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A port that was free on 127.0.0.1 a moment ago (bind to port 0, then release).
pub fn free_port() -> u16 {
    free_port_for(Family::V4)
}

pub fn free_port_for(family: Family) -> u16 {
    let listener = TcpListener::bind(SocketAddr::new(family.ip(), 0))
        .unwrap_or_else(|e| panic!("cannot bind {}:0: {e}", family.host()));
    listener.local_addr().unwrap().port()
}

/// Creates a fresh, empty directory `ftplib-<tag>-<pid>-<counter>-<nanos>` (mode 755) under the
/// system temp dir.
pub fn unique_temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("ftplib-{tag}-{}-{n}-{nanos}", std::process::id()));
        match fs::DirBuilder::new().mode(0o755).create(&dir) {
            Ok(()) => {
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
                return dir;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {}: {e}", dir.display()),
        }
    }
}

fn mkdir(path: &Path, mode: u32) {
    fs::create_dir_all(path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn write_file(path: &Path, data: &[u8]) {
    fs::write(path, data).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
}

/// The read-only sample tree served to anonymous users.
fn make_sample_tree(root: &Path) {
    mkdir(root, 0o755);
    write_file(&root.join("readme.txt"), README_TEXT.as_bytes());
    mkdir(&root.join("sub"), 0o755);
    write_file(&root.join("sub/nested.txt"), NESTED_TEXT.as_bytes());
    mkdir(&root.join("empty"), 0o755);
    write_file(&root.join("with space.txt"), SPACE_TEXT.as_bytes());
    std::os::unix::fs::symlink("readme.txt", root.join(LINK_NAME)).expect("symlink");
    write_file(&root.join(CAFE_NAME), CAFE_TEXT.as_bytes());
    write_file(&root.join(BLOB_NAME), &blob_bytes(BLOB_LEN));
}

fn make_user_home(home: &Path) {
    mkdir(home, 0o755);
    write_file(&home.join("hello.txt"), HELLO_TEXT.as_bytes());
}

fn chown_tree(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    if path.is_dir() && !path.is_symlink() {
        for entry in fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid, gid);
        }
    }
}

fn command_exists(cmd: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd} >/dev/null 2>&1"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn find_vsftpd() -> String {
    for candidate in ["/usr/sbin/vsftpd", "/usr/local/sbin/vsftpd"] {
        if Path::new(candidate).exists() {
            return candidate.to_string();
        }
    }
    if command_exists("vsftpd") {
        return "vsftpd".to_string();
    }
    panic!("vsftpd is not installed; {SETUP_HINT}");
}

/// Where `scripts/install_proftpd.sh` puts proftpd unless told otherwise.
const PROFTPD_DEFAULT_CACHE: &str = "/var/cache/ftplib-test-servers/proftpd";

/// The directory proftpd was unpacked into: `FTPLIB_PROFTPD_ROOT`, else the installer's
/// default cache (so a plain `cargo test` works after one `bash scripts/test.sh`).
fn proftpd_root() -> PathBuf {
    let root = match std::env::var_os(PROFTPD_ROOT_VAR) {
        Some(root) => PathBuf::from(root),
        None if Path::new(PROFTPD_DEFAULT_CACHE)
            .join(".ftplib-installed")
            .exists() =>
        {
            PathBuf::from(PROFTPD_DEFAULT_CACHE)
        }
        None => panic!(
            "{PROFTPD_ROOT_VAR} is not set and {PROFTPD_DEFAULT_CACHE} holds no proftpd: the \
             proftpd tests need proftpd unpacked side by side (Debian's proftpd conflicts with \
             vsftpd); run `bash scripts/test.sh`, which installs it \
             (scripts/install_proftpd.sh) and sets {PROFTPD_ROOT_VAR}"
        ),
    };
    let binary = root.join("usr/sbin/proftpd");
    if !binary.exists() || !root.join("usr/lib/proftpd/mod_tls.so").exists() {
        panic!(
            "{PROFTPD_ROOT_VAR}={} holds no proftpd (usr/sbin/proftpd and \
             usr/lib/proftpd/mod_tls.so); run `bash scripts/test.sh`",
            root.display()
        );
    }
    root
}

/// Where `scripts/install_pure_ftpd.sh` puts pure-ftpd unless told otherwise.
const PURE_FTPD_DEFAULT_CACHE: &str = "/var/cache/ftplib-test-servers/pure-ftpd";

/// The directory pure-ftpd was unpacked into: `FTPLIB_PURE_FTPD_ROOT`, else the installer's
/// default cache (so a plain `cargo test` works after one `bash scripts/test.sh`).
fn pure_ftpd_root() -> PathBuf {
    let root = match std::env::var_os(PURE_FTPD_ROOT_VAR) {
        Some(root) => PathBuf::from(root),
        None if Path::new(PURE_FTPD_DEFAULT_CACHE)
            .join(".ftplib-installed")
            .exists() =>
        {
            PathBuf::from(PURE_FTPD_DEFAULT_CACHE)
        }
        None => panic!(
            "{PURE_FTPD_ROOT_VAR} is not set and {PURE_FTPD_DEFAULT_CACHE} holds no pure-ftpd: \
             the pure-ftpd tests need pure-ftpd unpacked side by side (Debian's pure-ftpd \
             conflicts with vsftpd); run `bash scripts/test.sh`, which installs it \
             (scripts/install_pure_ftpd.sh) and sets {PURE_FTPD_ROOT_VAR}"
        ),
    };
    if !root.join("usr/sbin/pure-ftpd").exists() || !root.join("usr/bin/pure-pw").exists() {
        panic!(
            "{PURE_FTPD_ROOT_VAR}={} holds no pure-ftpd (usr/sbin/pure-ftpd and \
             usr/bin/pure-pw); run `bash scripts/test.sh`",
            root.display()
        );
    }
    root
}

fn check_pyftpdlib(tls: bool) {
    static PLAIN: OnceLock<Result<(), String>> = OnceLock::new();
    static TLS: OnceLock<Result<(), String>> = OnceLock::new();
    let (cell, code) = if tls {
        (&TLS, "import pyftpdlib, OpenSSL")
    } else {
        (&PLAIN, "import pyftpdlib")
    };
    let result = cell.get_or_init(|| {
        match Command::new("python3")
            .arg("-c")
            .arg(code)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
        {
            Ok(out) if out.status.success() => Ok(()),
            Ok(out) => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
            Err(e) => Err(format!("python3: {e}")),
        }
    });
    if let Err(e) = result {
        panic!(
            "pyftpdlib{} not available ({}); {SETUP_HINT}",
            if tls { "/pyOpenSSL" } else { "" },
            e.trim()
        );
    }
}

extern "C" {
    fn geteuid() -> u32;
    fn kill(pid: i32, sig: i32) -> i32;
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { geteuid() == 0 }
}

fn send_kill(pid: u32) {
    // SAFETY: plain syscall; a stale pid at worst gets ESRCH.
    unsafe {
        kill(pid as i32, 9);
    }
}

/// All descendants of `pid` (children first found via /proc/*/stat).
fn descendants_of(pid: u32) -> Vec<u32> {
    let mut parent_of: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(format!("/proc/{p}/stat")) else {
                continue;
            };
            // "pid (comm) state ppid ..." — comm may contain spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                continue;
            };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parent_of.push((p, ppid));
            }
        }
    }
    let mut found = Vec::new();
    let mut frontier = vec![pid];
    while let Some(parent) = frontier.pop() {
        for &(p, pp) in &parent_of {
            if pp == parent && !found.contains(&p) {
                found.push(p);
                frontier.push(p);
            }
        }
    }
    found
}

/// Whether process `pid` holds a TCP socket listening on `port` (per /proc/net/tcp{,6}).
fn pid_listens_on(pid: u32, port: u16, v6: bool) -> bool {
    let table = if v6 {
        "/proc/net/tcp6"
    } else {
        "/proc/net/tcp"
    };
    let Ok(text) = fs::read_to_string(table) else {
        return false;
    };
    let mut inodes = Vec::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 10 || cols[3] != "0A" {
            continue;
        }
        let local_port = cols[1]
            .rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok());
        if local_port == Some(port) {
            inodes.push(format!("socket:[{}]", cols[9]));
        }
    }
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        fs::read_link(fd.path())
            .map(|target| inodes.iter().any(|i| Path::new(i) == target))
            .unwrap_or(false)
    })
}

/// (uid, gid) of a user from /etc/passwd.
fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}

/// Creates `ftp` (vsftpd's anonymous user) and `ftptest` if missing and sets ftptest's password,
/// once per process. Tolerates other processes doing the same at the same time.
fn ensure_vsftpd_users() {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let result = DONE.get_or_init(|| {
        if lookup_user("ftp").is_none() {
            retry_cmd(
                "useradd",
                &[
                    "--system",
                    "--no-create-home",
                    "-d",
                    "/srv/ftp",
                    "-s",
                    "/usr/sbin/nologin",
                    "ftp",
                ],
                "ftp",
            )?;
        }
        if lookup_user(VSFTPD_USER).is_none() {
            // The login dir comes from vsftpd's local_root (per server); the passwd home only
            // has to exist. pam_shells needs a shell listed in /etc/shells.
            retry_cmd(
                "useradd",
                &["-m", "-s", "/bin/bash", VSFTPD_USER],
                VSFTPD_USER,
            )?;
        }
        let mut last = String::new();
        for _ in 0..50 {
            let mut child = Command::new("chpasswd")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("chpasswd: {e}"))?;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{VSFTPD_USER}:{VSFTPD_PASSWORD}\n").as_bytes())
                .map_err(|e| e.to_string())?;
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            if out.status.success() {
                return Ok(());
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            sleep(Duration::from_millis(100));
        }
        Err(format!("chpasswd failed: {last}"))
    });
    if let Err(e) = result {
        panic!("cannot set up the vsftpd users: {e}");
    }
}

/// Runs useradd, retrying while /etc/passwd is locked by a concurrent process; succeeds if
/// the user exists afterwards.
fn retry_cmd(cmd: &str, args: &[&str], user: &str) -> Result<(), String> {
    let mut last = String::new();
    for _ in 0..50 {
        match Command::new(cmd).args(args).output() {
            Ok(out) if out.status.success() => return Ok(()),
            Ok(out) => last = String::from_utf8_lossy(&out.stderr).into_owned(),
            Err(e) => return Err(format!("{cmd}: {e}")),
        }
        if lookup_user(user).is_some() {
            return Ok(()); // someone else created it
        }
        sleep(Duration::from_millis(100));
    }
    Err(format!("{cmd} {args:?} failed: {last}"))
}

/// Runs the openssl CLI in `dir`, panicking with its error output if it fails.
pub fn run_openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}); {SETUP_HINT}"));
    if !out.status.success() {
        panic!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A throwaway CA (ECDSA P-256) in `dir/ca.pem` and `dir/ca.key`.
pub fn make_ca(dir: &Path) {
    run_openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=ftplib test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        dir,
    );
}

/// Throwaway CA and a server certificate for localhost/127.0.0.1/::1 signed by it, in
/// `tmp/tls/{ca.pem,ca.key,server.pem,server.key}`. Returns the CA path.
///
/// Every server gets its own CA (ECDSA P-256 key, fast to make) and its own server certificate.
/// The server's RSA-2048 key is generated once per test process and reused (RSA key generation
/// takes 0.1-0.6 s here; RSA keeps the classic TLS 1.2 RSA cipher suites usable).
fn make_certificates(tmp: &Path) -> PathBuf {
    static SERVER_KEY: OnceLock<Vec<u8>> = OnceLock::new();
    let dir = tmp.join("tls");
    mkdir(&dir, 0o755);
    let key = SERVER_KEY.get_or_init(|| {
        run_openssl(
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "server.key",
            ],
            &dir,
        );
        fs::read(dir.join("server.key")).expect("read server.key")
    });
    write_file(&dir.join("server.key"), key);
    fs::set_permissions(dir.join("server.key"), fs::Permissions::from_mode(0o600)).unwrap();
    make_ca(&dir);
    run_openssl(
        &[
            "req",
            "-new",
            "-key",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
        &dir,
    );
    fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n\
         subjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid,issuer\n",
    )
    .unwrap();
    let serial = format!(
        "0x{:x}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    );
    run_openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            &serial,
            "-days",
            "30",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
        &dir,
    );
    dir.join("ca.pem")
}

fn vsftpd_config(
    family: Family,
    tls: Tls,
    port: u16,
    tmp: &Path,
    port_promiscuous: bool,
) -> String {
    let p = |name: &str| tmp.join(name).display().to_string();
    let mut c = String::new();
    let mut set = |k: &str, v: &str| c.push_str(&format!("{k}={v}\n"));
    match family {
        Family::V4 => {
            set("listen", "YES");
            set("listen_ipv6", "NO");
            set("listen_address", "127.0.0.1");
        }
        Family::V6 => {
            set("listen", "NO");
            set("listen_ipv6", "YES");
            set("listen_address6", "::1");
        }
    }
    set("listen_port", &port.to_string());
    set("background", "NO");
    set("seccomp_sandbox", "NO");
    set("anonymous_enable", "YES");
    set("anon_root", &p("anon"));
    set("anon_upload_enable", "NO");
    set("anon_mkdir_write_enable", "NO");
    set("local_enable", "YES");
    set("local_root", &p("home"));
    set("chroot_local_user", "NO");
    set("write_enable", "YES");
    set("local_umask", "022");
    set("file_open_mode", "0644");
    set("pam_service_name", "vsftpd");
    set("secure_chroot_dir", &p("empty"));
    set("connect_from_port_20", "NO");
    set("port_enable", "YES");
    set(
        "port_promiscuous",
        if port_promiscuous { "YES" } else { "NO" },
    );
    set("pasv_enable", "YES");
    set("ascii_upload_enable", "YES");
    set("ascii_download_enable", "YES");
    set("delay_failed_login", "0");
    set("xferlog_enable", "YES");
    set("xferlog_std_format", "NO");
    set("xferlog_file", &p("xferlog"));
    set("vsftpd_log_file", &p("vsftpd.log"));
    set("log_ftp_protocol", "YES");
    set("dual_log_enable", "NO");
    set("syslog_enable", "NO");
    if tls != Tls::None {
        set("ssl_enable", "YES");
        set("rsa_cert_file", &p("tls/server.pem"));
        set("rsa_private_key_file", &p("tls/server.key"));
        set("allow_anon_ssl", "YES");
        set("force_local_logins_ssl", "NO");
        set("force_local_data_ssl", "NO");
        set("force_anon_logins_ssl", "NO");
        set("force_anon_data_ssl", "NO");
        set("ssl_sslv2", "NO");
        set("ssl_sslv3", "NO");
        set("ssl_tlsv1", "YES");
        let reuse = match tls {
            Tls::Explicit { require_reuse } => require_reuse,
            _ => false,
        };
        set("require_ssl_reuse", if reuse { "YES" } else { "NO" });
        if tls == Tls::Implicit {
            set("implicit_ssl", "YES");
        }
    }
    c
}

fn proftpd_config(family: Family, tls: Tls, port: u16, tmp: &Path, root: &Path) -> String {
    let p = |name: &str| tmp.join(name).display().to_string();
    let (address, ipv6) = match family {
        Family::V4 => ("127.0.0.1", "off"),
        Family::V6 => ("::1", "on"),
    };
    let mut c = format!(
        "ServerType standalone\n\
         DefaultServer on\n\
         Port {port}\n\
         DefaultAddress {address}\n\
         SocketBindTight on\n\
         UseIPv6 {ipv6}\n\
         User nobody\n\
         Group nogroup\n\
         Umask 022\n\
         PidFile {pid}\n\
         ScoreboardFile {scoreboard}\n\
         # Else every instance binds /run/proftpd.sock and the second one fails.\n\
         ControlsEngine off\n\
         # No added delays after logins (mod_delay), no state outside tmp.\n\
         DelayEngine off\n\
         DelayTable none\n\
         WtmpLog off\n\
         SystemLog {system_log}\n\
         ExtendedLog {log} ALL\n\
         UseReverseDNS off\n\
         <IfModule mod_ident.c>\n\
         \x20 IdentLookups off\n\
         </IfModule>\n\
         RequireValidShell off\n\
         AuthPAM off\n\
         AuthOrder mod_auth_file.c mod_auth_unix.c\n\
         AuthUserFile {passwd}\n\
         AllowOverwrite on\n\
         # Passive ports: proftpd's default (ephemeral ports), so parallel servers never \
         share a range.\n\
         <Anonymous {anon}>\n\
         \x20 User ftp\n\
         \x20 Group nogroup\n\
         \x20 UserAlias anonymous ftp\n\
         \x20 <Limit WRITE>\n\
         \x20   DenyAll\n\
         \x20 </Limit>\n\
         </Anonymous>\n",
        pid = p("proftpd.pid"),
        scoreboard = p("proftpd.scoreboard"),
        system_log = p("system.log"),
        log = p("proftpd.log"),
        passwd = p("ftpd.passwd"),
        anon = p("anon"),
    );
    if let Tls::Explicit { require_reuse } = tls {
        // Session reuse on data connections is mod_tls's default; it is dropped only on
        // request.
        let reuse = if require_reuse {
            ""
        } else {
            " NoSessionReuseRequired"
        };
        c.push_str(&format!(
            "ModulePath {modules}\n\
             LoadModule mod_tls.c\n\
             TLSEngine on\n\
             TLSLog {tls_log}\n\
             TLSProtocol TLSv1.2 TLSv1.3\n\
             TLSRSACertificateFile {cert}\n\
             TLSRSACertificateKeyFile {key}\n\
             TLSVerifyClient off\n\
             TLSRequired off\n\
             TLSOptions EnableDiags{reuse}\n",
            modules = root.join("usr/lib/proftpd").display(),
            tls_log = p("tls.log"),
            cert = p("tls/server.pem"),
            key = p("tls/server.key"),
        ));
    }
    c
}

const PYFTPDLIB_SCRIPT: &str = r#"
import logging, os, sys
host, port, anon, home, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
tls = len(sys.argv) > 7
logging.basicConfig(filename=log, level=logging.DEBUG,
                    format="%(asctime)s %(levelname)s %(message)s")
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer
if tls:
    from pyftpdlib.handlers import TLS_FTPHandler as Handler
    Handler.certfile = sys.argv[6]
    Handler.keyfile = sys.argv[7]
    Handler.tls_control_required = False
    Handler.tls_data_required = False
else:
    from pyftpdlib.handlers import FTPHandler as Handler
authorizer = DummyAuthorizer()
authorizer.add_anonymous(anon)
authorizer.add_user("user", "12345", home, perm="elradfmwMT")
Handler.authorizer = authorizer
Handler.permit_foreign_addresses = os.environ.get("FTPLIB_TEST_PERMIT_FOREIGN_ADDRESSES") == "1"
server = FTPServer((host, port), Handler)
print("READY", flush=True)
server.serve_forever()
"#;
