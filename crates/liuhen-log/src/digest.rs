//! SHA-256, SHA-512 and SM3 of one stream, the three a package records of every file. A large
//! stream is hashed on two threads (SHA-256 with SHA-512, which together cost about what SM3
//! alone does), fed the chunks the caller reads or writes, so a package is hashed at about the
//! speed of its slowest digest rather than of all three in turn.

use sha2::{Digest, Sha256, Sha512};
use std::io::Read;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Streams at least this long are hashed on threads; shorter ones inline.
pub const THREADED_FROM: u64 = 4 << 20;
/// Chunks in flight to each thread (memory: this many chunks, shared by both).
const IN_FLIGHT: usize = 2;
/// The size of the chunks [`of_reader`] reads.
pub const CHUNK: usize = 1 << 20;

/// The three digests, in lowercase hex, and the length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub sha256: String,
    pub sha512: String,
    pub sm3: String,
    pub size: u64,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One chunk of the stream, shared with the threads.
type Chunk = Arc<dyn AsRef<[u8]> + Send + Sync>;

enum Mode {
    Inline(Box<(Sha256, Sha512, sm3::Sm3)>),
    Threaded {
        to_sha: SyncSender<Chunk>,
        to_sm3: SyncSender<Chunk>,
        sha: JoinHandle<(String, String)>,
        sm3: JoinHandle<String>,
    },
}

/// A digest in progress.
pub struct Digester {
    mode: Mode,
    size: u64,
}

fn sha_thread(rx: Receiver<Chunk>) -> (String, String) {
    let (mut a, mut b) = (Sha256::new(), Sha512::new());
    for chunk in rx {
        a.update((*chunk).as_ref());
        b.update((*chunk).as_ref());
    }
    (hex(&a.finalize()), hex(&b.finalize()))
}

fn sm3_thread(rx: Receiver<Chunk>) -> String {
    let mut c = <sm3::Sm3 as sm3::Digest>::new();
    for chunk in rx {
        sm3::Digest::update(&mut c, (*chunk).as_ref());
    }
    hex(&sm3::Digest::finalize(c))
}

impl Digester {
    /// A digester for a stream of about `expected` bytes (threads when it is large).
    pub fn new(expected: u64) -> Digester {
        let mode = if expected >= THREADED_FROM {
            let (to_sha, rx_sha) = sync_channel(IN_FLIGHT);
            let (to_sm3, rx_sm3) = sync_channel(IN_FLIGHT);
            Mode::Threaded {
                to_sha,
                to_sm3,
                sha: std::thread::spawn(move || sha_thread(rx_sha)),
                sm3: std::thread::spawn(move || sm3_thread(rx_sm3)),
            }
        } else {
            Mode::Inline(Box::new((Sha256::new(), Sha512::new(), <sm3::Sm3 as sm3::Digest>::new())))
        };
        Digester { mode, size: 0 }
    }

    /// Adds the next chunk (shared with the threads, never copied).
    pub fn update<T: AsRef<[u8]> + Send + Sync + 'static>(&mut self, chunk: T) {
        let bytes = chunk.as_ref();
        self.size += bytes.len() as u64;
        match &mut self.mode {
            Mode::Inline(h) => {
                let (a, b, c) = &mut **h;
                a.update(bytes);
                b.update(bytes);
                sm3::Digest::update(c, bytes);
            }
            Mode::Threaded { to_sha, to_sm3, .. } => {
                let chunk: Chunk = Arc::new(chunk);
                // A thread gone has panicked; `finish` reports it.
                let _ = to_sha.send(chunk.clone());
                let _ = to_sm3.send(chunk);
            }
        }
    }

    pub fn finish(self) -> Digests {
        let size = self.size;
        let (sha256, sha512, sm3) = match self.mode {
            Mode::Inline(h) => {
                let (a, b, c) = *h;
                (hex(&a.finalize()), hex(&b.finalize()), hex(&sm3::Digest::finalize(c)))
            }
            Mode::Threaded { to_sha, to_sm3, sha, sm3 } => {
                drop((to_sha, to_sm3));
                let (a, b) = sha.join().expect("the SHA thread");
                (a, b, sm3.join().expect("the SM3 thread"))
            }
        };
        Digests { sha256, sha512, sm3, size }
    }
}

/// The digests of everything `r` yields; `expected` is its length if known (else 0).
pub fn of_reader(r: &mut dyn Read, expected: u64) -> std::io::Result<Digests> {
    let mut d = Digester::new(expected);
    loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < buf.len() {
            match r.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled == 0 {
            break;
        }
        buf.truncate(filled);
        d.update(buf);
    }
    Ok(d.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threaded or inline, in one chunk or many, the digests are those of the whole (checked
    /// against the standard vectors for "abc", and against each other for a long stream).
    #[test]
    fn threaded_and_inline_agree_with_the_vectors() {
        let abc = of_reader(&mut &b"abc"[..], 3).unwrap();
        assert_eq!(abc.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(abc.sha512.starts_with("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"));
        assert_eq!(abc.sm3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        let long: Vec<u8> = (0..(9u32 << 20) + 17).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let threaded = of_reader(&mut &long[..], long.len() as u64).unwrap();
        let inline = of_reader(&mut &long[..], 0).unwrap();
        assert_eq!(threaded, inline);
        assert_eq!(threaded.size, long.len() as u64);
        assert_eq!(threaded.sha256, hex(&Sha256::digest(&long)));
    }
}
