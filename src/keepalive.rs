//! Keep-alive NOOPs on the control connection during long transfers.
//!
//! While data flows, the control connection carries nothing, and NAT boxes and firewalls
//! drop connections that stay idle for a few minutes; the transfer's final reply is then
//! lost and a long download fails at its very end. With a keep-alive interval set
//! ([`crate::Builder::keepalive`]), the transfer loops call
//! `FtpStream::keepalive_tick` as data moves, which sends `NOOP` whenever the interval has
//! passed since the last command, without waiting for its reply (the server may not answer
//! before the transfer ends).
//!
//! Every NOOP sent is counted, and when the transfer ends exactly that many replies are
//! read besides the transfer's own final reply, so the next command gets its own reply.
//! Servers order them differently: pyftpdlib answers each NOOP at once (its 200s come
//! before the 226), vsftpd only after the transfer (the 200s follow the 226). This module
//! holds the rule that tells the transfer's final reply apart from the NOOP replies.

use crate::reply::Reply;

/// The most NOOPs left unanswered at a time; past it no more are sent until the transfer
/// ends. A server that answers NOOPs during the transfer leaves the replies in our
/// receive buffer, which we only read at the end: 512 short replies (about 20 KiB) stay
/// well inside it, and at any sensible interval (tens of seconds) 512 NOOPs cover hours.
pub(crate) const MAX_OUTSTANDING_NOOPS: usize = 512;

/// True for a reply code a NOOP gets during a transfer: 200 (done), or 500/501/502 from a
/// server that refuses commands while a transfer runs. A transfer's own final reply is
/// never one of these in practice: success is 226 or 250, failure 4xx or 550–553.
pub(crate) fn is_noop_reply(code: u16) -> bool {
    matches!(code, 200 | 500 | 501 | 502)
}

/// Picks the transfer's final reply from all the replies read at its end (the outstanding
/// NOOPs' replies plus the final one, in the order the server sent them).
///
/// The final reply is the one reply not shaped like a NOOP reply. When that does not pick
/// exactly one, the server answered in a way we cannot fully untangle, and doubt must never
/// turn into success: among the candidates (the replies not shaped like NOOP replies, or
/// all of them if every one is), the first 4xx/5xx wins; only when there is none is the
/// first candidate taken. So a 426 is reported even if a NOOP was answered with 503, and
/// `500, 200` (a refused NOOP and a non-standard 200 for the transfer, or the other way
/// round) reports the 500.
pub(crate) fn pick_final(mut replies: Vec<Reply>) -> Reply {
    debug_assert!(!replies.is_empty());
    let candidates: Vec<usize> = (0..replies.len())
        .filter(|&i| !is_noop_reply(replies[i].code))
        .collect();
    let pick = match candidates.as_slice() {
        [only] => *only,
        [] => first_error(&replies, 0..replies.len()).unwrap_or(0),
        several => first_error(&replies, several.iter().copied()).unwrap_or(several[0]),
    };
    replies.swap_remove(pick)
}

fn first_error(replies: &[Reply], among: impl IntoIterator<Item = usize>) -> Option<usize> {
    among.into_iter().find(|&i| replies[i].class() >= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(codes: &[u16]) -> u16 {
        let replies = codes
            .iter()
            .map(|&c| Reply::new(c, format!("{c} x")))
            .collect();
        pick_final(replies).code
    }

    #[test]
    fn final_reply_in_any_position() {
        assert_eq!(pick(&[226]), 226);
        assert_eq!(pick(&[200, 200, 226]), 226); // pyftpdlib: NOOPs answered at once
        assert_eq!(pick(&[226, 200, 200]), 226); // vsftpd: NOOPs answered afterwards
        assert_eq!(pick(&[200, 226, 200]), 226);
        assert_eq!(pick(&[500, 226, 502]), 226); // NOOPs refused during the transfer
        assert_eq!(pick(&[250, 501]), 250);
    }

    #[test]
    fn failures_are_never_hidden() {
        assert_eq!(pick(&[200, 426, 200]), 426);
        assert_eq!(pick(&[451, 200]), 451);
        assert_eq!(pick(&[500, 552]), 552);
        // Doubtful answers: the error wins over a success.
        assert_eq!(pick(&[226, 503]), 503);
        assert_eq!(pick(&[503, 426]), 503);
        assert_eq!(pick(&[200, 500]), 500);
        assert_eq!(pick(&[502, 200, 200]), 502);
    }

    #[test]
    fn all_noop_shaped_successes() {
        // A server that ends transfers with 200 (not standard, but seen): success.
        assert_eq!(pick(&[200, 200]), 200);
    }

    #[test]
    fn several_successes_take_the_first() {
        assert_eq!(pick(&[226, 250]), 226);
    }

    #[test]
    fn classification() {
        for code in [200, 500, 501, 502] {
            assert!(is_noop_reply(code), "{code}");
        }
        for code in [150, 225, 226, 250, 421, 425, 426, 451, 503, 550, 552] {
            assert!(!is_noop_reply(code), "{code}");
        }
    }
}
