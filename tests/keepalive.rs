//! Keep-alive NOOPs during transfers, against a scripted server that paces the data so
//! that NOOPs are really sent, and answers them before, after or around the transfer's
//! final reply, with 200 or a refusal. Every scenario checks the transfer's outcome, that
//! the server saw the NOOPs, and that the session is in step afterwards (a PWD gets its
//! own 257).

mod client;
mod scripted;

use std::io::{self, Read, Write};
use std::time::Duration;

use client::download;
use ftplib::{Builder, Error, FtpStream, DEFAULT_BLOCKSIZE};
use scripted::{
    answer_noops, data, expect, greeting, pasv, reply, type_i, Server, Step, Transcript,
};

/// The keep-alive interval: well below the pauses, so each pause is followed by a NOOP.
const INTERVAL: Duration = Duration::from_millis(30);

/// The pause between two pieces of data (server side for downloads, client side for
/// uploads).
const PAUSE: Duration = Duration::from_millis(100);

/// How much data each piece holds.
const PIECE: usize = 1000;

fn builder() -> Builder {
    FtpStream::builder()
        .timeout(Some(Duration::from_secs(3)))
        .keepalive(Some(INTERVAL))
}

fn start(steps: Vec<Vec<Step>>) -> (Server, FtpStream) {
    start_with(builder(), steps)
}

fn start_with(builder: Builder, steps: Vec<Vec<Step>>) -> (Server, FtpStream) {
    let mut script = vec![greeting()];
    script.extend(steps.into_iter().flatten());
    let server = Server::start(script);
    let ftp = builder
        .connect("127.0.0.1", server.port())
        .expect("connect");
    (server, ftp)
}

/// Closes the client and returns what the server saw, which must be the whole script.
fn end(server: Server, ftp: FtpStream) -> Transcript {
    drop(ftp);
    let transcript = server.finish();
    assert!(transcript.completed, "script not completed: {transcript:?}");
    transcript
}

fn assert_noops(transcript: &Transcript, at_least: usize) {
    let sent = transcript.count("NOOP");
    assert!(
        sent >= at_least,
        "expected at least {at_least} NOOPs, the server saw {sent}: {:?}",
        transcript.lines
    );
}

/// TYPE I, PASV, RETR f answered with 150 (announcing `pieces` pieces), data accepted.
fn retr(pieces: usize) -> Vec<Step> {
    let mut steps = type_i();
    steps.extend(pasv());
    steps.extend([
        expect("RETR f"),
        Step::Send(
            format!(
                "150 Opening BINARY mode data connection for f ({} bytes).\r\n",
                pieces * PIECE
            )
            .into_bytes(),
        ),
        Step::Accept,
    ]);
    steps
}

/// TYPE I, PASV, STOR f answered with 150, data accepted and read to its end.
fn stor() -> Vec<Step> {
    let mut steps = type_i();
    steps.extend(pasv());
    steps.extend([
        expect("STOR f"),
        reply("150 Ok to send data."),
        Step::Accept,
        Step::DataRecv,
    ]);
    steps
}

/// Pieces number `pieces.start` to `pieces.end - 1` (each filled with its number), each
/// followed by a pause: the client reads each piece after a pause longer than the
/// interval, so it sends a NOOP for each but (perhaps) the first.
fn slow_data(pieces: std::ops::Range<usize>) -> Vec<Step> {
    pieces
        .flat_map(|i| [data(&[i as u8; PIECE]), Step::Sleep(PAUSE)])
        .collect()
}

/// Checks received data without printing kilobytes when it differs.
fn assert_data(received: &[u8], pieces: usize) {
    assert!(
        received == expected_data(pieces),
        "received {} bytes, expected {} pieces of {PIECE}",
        received.len(),
        pieces
    );
}

fn expected_data(pieces: usize) -> Vec<u8> {
    (0..pieces).flat_map(|i| [i as u8; PIECE]).collect()
}

/// The PWD exchange that proves the session is in step after the transfer.
fn pwd() -> Vec<Step> {
    vec![
        expect("PWD"),
        reply("257 \"/home/ka\" is the current directory"),
    ]
}

fn assert_in_step(ftp: &mut FtpStream) {
    assert!(ftp.is_usable());
    assert_eq!(ftp.pwd().expect("PWD after the transfer"), "/home/ka");
}

fn done() -> Step {
    reply("226 Transfer complete.")
}

// ----- downloads -----------------------------------------------------------------------

#[test]
fn noop_replies_before_the_226() {
    // pyftpdlib's order: each NOOP answered at once, the 226 last.
    let (server, mut ftp) = start(vec![
        retr(4),
        slow_data(0..4),
        vec![Step::DataClose],
        answer_noops("200 NOOP ok").into(),
        vec![done()],
        pwd(),
    ]);
    let mut received = Vec::new();
    let reply = ftp
        .retrbinary(
            "RETR f",
            |block| {
                received.extend_from_slice(block);
                Ok(())
            },
            DEFAULT_BLOCKSIZE,
            None,
        )
        .expect("download");
    assert_eq!(reply.code, 226, "the 226, not a NOOP's 200: {reply:?}");
    assert_data(&received, 4);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn noop_replies_after_the_226() {
    // vsftpd's order: the NOOPs wait until the transfer is over.
    let (server, mut ftp) = start(vec![
        retr(4),
        slow_data(0..4),
        vec![Step::DataClose, done()],
        answer_noops("200 NOOP ok").into(),
        pwd(),
    ]);
    let mut received = Vec::new();
    let reply = ftp
        .retrbinary(
            "RETR f",
            |block| {
                received.extend_from_slice(block);
                Ok(())
            },
            DEFAULT_BLOCKSIZE,
            None,
        )
        .expect("download");
    assert_eq!(reply.code, 226, "the 226, not a NOOP's 200: {reply:?}");
    assert_data(&received, 4);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn noop_replies_interleaved_with_the_226() {
    // Some NOOPs answered during the transfer, one right before the 226, the rest after.
    let (server, mut ftp) = start(vec![
        retr(5),
        slow_data(0..2),
        answer_noops("200 NOOP ok").into(),
        slow_data(2..5),
        vec![
            Step::DataClose,
            Step::ReadNoops,
            Step::AnswerNoops("200 NOOP ok", 1),
            done(),
            Step::AnswerNoops("200 NOOP ok", usize::MAX),
        ],
        pwd(),
    ]);
    let mut stream = ftp.retr_stream("f", None).expect("RETR");
    let mut received = Vec::new();
    stream.read_to_end(&mut received).expect("read");
    let reply = stream.finish().expect("finish");
    assert_eq!(reply.code, 226);
    assert_data(&received, 5);
    assert_in_step(&mut ftp);
    // One NOOP after each pause except perhaps the first: 1 + 3 at least, and the
    // second phase needs two to be interleaved around the 226.
    assert_noops(&end(server, ftp), 4);
}

#[test]
fn noops_refused_during_the_transfer() {
    // A server that refuses commands while a transfer runs: 500 before the 226.
    let (server, mut ftp) = start(vec![
        retr(4),
        slow_data(0..4),
        vec![Step::DataClose],
        answer_noops("500 Command not allowed during transfer.").into(),
        vec![done()],
        pwd(),
    ]);
    assert_data(&download(&mut ftp, "f").expect("download"), 4);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn noops_refused_with_502_after_the_226() {
    let (server, mut ftp) = start(vec![
        retr(3),
        slow_data(0..3),
        vec![Step::DataClose, done()],
        answer_noops("502 NOOP not implemented.").into(),
        pwd(),
    ]);
    assert_data(&download(&mut ftp, "f").expect("download"), 3);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn failed_download_426_after_noop_replies() {
    // The NOOPs' 200s come first; the transfer's failure must still be reported.
    let (server, mut ftp) = start(vec![
        retr(4),
        slow_data(0..3),
        vec![Step::DataClose],
        answer_noops("200 NOOP ok").into(),
        vec![reply("426 Connection closed; transfer aborted.")],
        pwd(),
    ]);
    let result = download(&mut ftp, "f");
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 426),
        "{result:?}"
    );
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn failed_download_451_before_noop_replies() {
    // vsftpd's order with a failure: 451 first, then the NOOPs' 200s.
    let (server, mut ftp) = start(vec![
        retr(3),
        slow_data(0..3),
        vec![Step::DataClose, reply("451 Local error in processing.")],
        answer_noops("200 NOOP ok").into(),
        pwd(),
    ]);
    let mut stream = ftp.retr_stream("f", None).expect("RETR");
    io::copy(&mut stream, &mut io::sink()).expect("read");
    let result = stream.finish();
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 451),
        "{result:?}"
    );
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn short_download_is_still_incomplete() {
    // 4 pieces announced, 3 sent, 226 and 200s: neither the 226 nor a 200 hides the
    // missing bytes.
    let (server, mut ftp) = start(vec![
        retr(4),
        slow_data(0..3),
        vec![Step::DataClose],
        answer_noops("200 NOOP ok").into(),
        vec![done()],
        pwd(),
    ]);
    let result = download(&mut ftp, "f");
    assert!(
        matches!(
            result,
            Err(Error::TransferIncomplete {
                expected: 4000,
                received: 3000
            })
        ),
        "{result:?}"
    );
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn listing_sends_noops_too() {
    let lines: Vec<Step> = (0..4)
        .flat_map(|i| {
            [
                Step::DataSend(format!("-rw-r--r-- 1 u g 1 Jan 1 2020 f{i}\r\n").into_bytes()),
                Step::Sleep(PAUSE),
            ]
        })
        .collect();
    let (server, mut ftp) = start(vec![
        vec![expect("TYPE A"), reply("200 Switching to ASCII mode.")],
        pasv(),
        vec![
            expect("LIST"),
            reply("150 Here comes the directory listing."),
            Step::Accept,
        ],
        lines,
        vec![Step::DataClose, reply("226 Directory send OK.")],
        answer_noops("200 NOOP ok").into(),
        pwd(),
    ]);
    let listing = ftp.dir(&[]).expect("LIST");
    assert_eq!(listing.len(), 4, "{listing:?}");
    assert!(listing[3].ends_with("f3"));
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn no_noops_without_keepalive() {
    let (server, mut ftp) = start_with(
        builder().keepalive(None),
        vec![
            retr(3),
            slow_data(0..3),
            vec![Step::DataClose, done()],
            pwd(),
        ],
    );
    assert_data(&download(&mut ftp, "f").expect("download"), 3);
    assert_in_step(&mut ftp);
    assert_eq!(end(server, ftp).count("NOOP"), 0);
}

#[test]
fn set_keepalive_switches_noops_on() {
    let (server, mut ftp) = start_with(
        builder().keepalive(None),
        vec![
            retr(3),
            slow_data(0..3),
            vec![Step::DataClose, done()],
            answer_noops("200 NOOP ok").into(),
            pwd(),
        ],
    );
    ftp.set_keepalive(Some(INTERVAL)).expect("set_keepalive");
    assert_data(&download(&mut ftp, "f").expect("download"), 3);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn zero_interval_is_refused() {
    let err = builder()
        .keepalive(Some(Duration::ZERO))
        .connect("127.0.0.1", 1)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    let (server, mut ftp) = start_with(builder().keepalive(None), vec![pwd()]);
    let err = ftp.set_keepalive(Some(Duration::ZERO)).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_in_step(&mut ftp);
    end(server, ftp);
}

#[test]
fn reply_421_among_noop_replies_ends_the_session() {
    // The server gives up while NOOPs are owed: the 421 is reported, not a NOOP's 200,
    // and the stream refuses further calls instead of reading replies that never come.
    let (server, mut ftp) = start(vec![
        retr(3),
        slow_data(0..3),
        vec![
            Step::DataClose,
            Step::ReadNoops,
            Step::AnswerNoops("200 NOOP ok", 1),
            reply("421 Timeout, closing control connection."),
            Step::Close,
        ],
    ]);
    let result = download(&mut ftp, "f");
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 421),
        "{result:?}"
    );
    assert!(!ftp.is_usable());
    assert!(matches!(ftp.pwd(), Err(Error::InvalidState(_))));
    assert_noops(&end(server, ftp), 2);
}

// ----- uploads -------------------------------------------------------------------------

/// Writes `pieces` pieces to an upload stream, pausing before each but the first.
fn slow_upload(upload: &mut ftplib::Upload<'_>, pieces: usize) {
    for i in 0..pieces {
        if i > 0 {
            std::thread::sleep(PAUSE);
        }
        upload.write_all(&[i as u8; PIECE]).expect("write");
    }
}

/// A reader that pauses before each piece but the first, for storbinary.
struct SlowReader {
    pieces: usize,
    next: usize,
}

impl Read for SlowReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.next == self.pieces {
            return Ok(0);
        }
        if self.next > 0 {
            std::thread::sleep(PAUSE);
        }
        let n = PIECE.min(buf.len());
        buf[..n].fill(self.next as u8);
        self.next += 1;
        Ok(n)
    }
}

#[test]
fn upload_noop_replies_before_the_226() {
    let (server, mut ftp) = start(vec![
        stor(),
        answer_noops("200 NOOP ok").into(),
        vec![done()],
        pwd(),
    ]);
    let mut upload = ftp.stor_stream("f").expect("STOR");
    slow_upload(&mut upload, 4);
    assert_eq!(upload.finish().expect("finish").code, 226);
    assert_in_step(&mut ftp);
    let transcript = end(server, ftp);
    assert_eq!(transcript.data_received, 4 * PIECE as u64);
    assert_noops(&transcript, 3);
}

#[test]
fn storbinary_noop_replies_after_the_226() {
    let (server, mut ftp) = start(vec![
        stor(),
        vec![done()],
        answer_noops("200 NOOP ok").into(),
        pwd(),
    ]);
    let mut source = SlowReader { pieces: 4, next: 0 };
    let reply = ftp
        .storbinary("STOR f", &mut source, DEFAULT_BLOCKSIZE, |_| {}, None)
        .expect("upload");
    assert_eq!(reply.code, 226);
    assert_in_step(&mut ftp);
    let transcript = end(server, ftp);
    assert_eq!(transcript.data_received, 4 * PIECE as u64);
    assert_noops(&transcript, 3);
}

#[test]
fn failed_upload_552_between_noop_replies() {
    let (server, mut ftp) = start(vec![
        stor(),
        vec![
            Step::ReadNoops,
            Step::AnswerNoops("200 NOOP ok", 1),
            reply("552 Quota exceeded."),
            Step::AnswerNoops("200 NOOP ok", usize::MAX),
        ],
        pwd(),
    ]);
    let mut source = SlowReader { pieces: 4, next: 0 };
    let result = ftp.storbinary("STOR f", &mut source, DEFAULT_BLOCKSIZE, |_| {}, None);
    assert!(
        matches!(&result, Err(Error::Permanent(r)) if r.code == 552),
        "{result:?}"
    );
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn failed_stream_upload_426_after_refused_noops() {
    let (server, mut ftp) = start(vec![
        stor(),
        answer_noops("502 Not now.").into(),
        vec![reply("426 Failure writing to local file.")],
        pwd(),
    ]);
    let mut upload = ftp.stor_stream("f").expect("STOR");
    slow_upload(&mut upload, 3);
    let result = upload.finish();
    assert!(
        matches!(&result, Err(Error::Temporary(r)) if r.code == 426),
        "{result:?}"
    );
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn storlines_sends_noops_too() {
    struct SlowLines(usize);
    impl Read for SlowLines {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Ok(0);
            }
            self.0 -= 1;
            std::thread::sleep(PAUSE);
            let line = b"a line\n";
            buf[..line.len()].copy_from_slice(line);
            Ok(line.len())
        }
    }
    let (server, mut ftp) = start(vec![
        vec![expect("TYPE A"), reply("200 Switching to ASCII mode.")],
        pasv(),
        vec![
            expect("STOR t"),
            reply("150 Ok to send data."),
            Step::Accept,
            Step::DataRecv,
            done(),
        ],
        answer_noops("200 NOOP ok").into(),
        pwd(),
    ]);
    let mut source = io::BufReader::with_capacity(16, SlowLines(3));
    let reply = ftp
        .storlines("STOR t", &mut source, |_| {})
        .expect("storlines");
    assert_eq!(reply.code, 226);
    assert_in_step(&mut ftp);
    let transcript = end(server, ftp);
    assert_eq!(transcript.data_received, 3 * 8);
    assert_noops(&transcript, 2);
}

// ----- aborts --------------------------------------------------------------------------

/// Reads three pieces of a slow download (so NOOPs are outstanding), then aborts or drops.
fn read_three_pieces(ftp: &mut FtpStream) -> ftplib::Download<'_> {
    let mut stream = ftp.retr_stream("f", None).expect("RETR");
    let mut head = vec![0u8; 3 * PIECE];
    stream.read_exact(&mut head).expect("first pieces");
    assert_data(&head, 3);
    stream
}

#[test]
fn abort_with_noop_replies_first() {
    // pyftpdlib's order: the NOOPs' 200s, then 426 and 226 for ABOR.
    let (server, mut ftp) = start(vec![
        retr(10),
        slow_data(0..3),
        vec![
            Step::ReadNoops,
            Step::AnswerNoops("200 NOOP ok", usize::MAX),
            expect("ABOR"),
            reply("426 Transfer aborted.\n226 ABOR successful."),
        ],
        pwd(),
    ]);
    let stream = read_three_pieces(&mut ftp);
    let reply = stream.abort().expect("abort");
    assert_eq!(reply.code, 226);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn abort_with_noop_replies_between_426_and_226() {
    // vsftpd's order: the transfer fails (426), the queued NOOPs are answered, then ABOR.
    let (server, mut ftp) = start(vec![
        retr(10),
        slow_data(0..3),
        vec![
            Step::ReadNoops,
            reply("426 Failure writing network stream."),
            Step::AnswerNoops("200 NOOP ok", usize::MAX),
            expect("ABOR"),
            reply("226 ABOR successful."),
        ],
        pwd(),
    ]);
    let stream = read_three_pieces(&mut ftp);
    assert_eq!(stream.abort().expect("abort").code, 226);
    assert_in_step(&mut ftp);
    assert_noops(&end(server, ftp), 2);
}

#[test]
fn abort_answered_225_then_noop_replies() {
    // A lone 225, the NOOPs' replies after it: the client reads them before its own sync
    // NOOP, so no 200 is taken for another's.
    let (server, mut ftp) = start(vec![
        retr(10),
        slow_data(0..3),
        vec![
            Step::ReadNoops,
            expect("ABOR"),
            reply("225 ABOR successful, no transfer in progress."),
            Step::AnswerNoops("200 NOOP ok", usize::MAX),
            expect("NOOP"),
            reply("200 Sync NOOP ok"),
        ],
        pwd(),
    ]);
    let stream = read_three_pieces(&mut ftp);
    assert_eq!(stream.abort().expect("abort").code, 225);
    assert_in_step(&mut ftp);
    // Two keep-alives at least, plus the sync NOOP.
    assert_noops(&end(server, ftp), 3);
}

#[test]
fn dropped_download_with_noops_outstanding() {
    let (server, mut ftp) = start(vec![
        retr(10),
        slow_data(0..3),
        vec![
            Step::ReadNoops,
            reply("426 Transfer aborted."),
            Step::AnswerNoops("500 Not during a transfer.", usize::MAX),
            expect("ABOR"),
            reply("226 ABOR successful."),
        ],
        pwd(),
    ]);
    drop(read_three_pieces(&mut ftp));
    assert_in_step(&mut ftp);
    let transcript = end(server, ftp);
    assert!(transcript.saw("ABOR"));
    assert_noops(&transcript, 2);
}
