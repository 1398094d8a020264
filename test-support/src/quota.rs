//! A KMS stand-in with an account-wide request quota: an HTTP/1.1 proxy on loopback in front of
//! the emulator that answers `ThrottlingException` (HTTP 400, as AWS KMS does) to requests beyond
//! its rate, and forwards the others, each on a connection of its own (moto closes every
//! connection after one answer; this front keeps the client's open, as KMS does).
//!
//! The quota is a token bucket refilled at `rate` requests per second and holding at most
//! `burst`, shared by every connection, as KMS's quota is shared by every caller of an account and
//! region. `GET /__stats` answers the counts so far as JSON (`forwarded`, `throttled`, by
//! `X-Amz-Target` operation, and the requests the emulator has not answered yet: `in_flight`);
//! `POST /__reset` zeroes the counts and refills the bucket. Standard library only: the storm
//! test uses it in process, `scripts/bench_storm.py` through the `kms-quota` binary.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::http1::{header, read_message, respond, Message};

/// The counts of a quota front since it started or was last reset.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests forwarded to the emulator, by operation (`Decrypt`, …).
    pub forwarded: BTreeMap<String, u64>,
    /// Requests answered `ThrottlingException`, by operation.
    pub throttled: BTreeMap<String, u64>,
    /// Requests forwarded whose answer has not come back yet.
    pub in_flight: u64,
    /// Requests refused for a revoked access key, by operation.
    pub refused: BTreeMap<String, u64>,
    /// Every request, in order: its operation and the access key it was signed with.
    pub signed: Vec<(String, String)>,
}

impl Stats {
    /// `operation`'s requests sent to the front: forwarded and throttled.
    pub fn sent(&self, operation: &str) -> u64 {
        self.forwarded.get(operation).unwrap_or(&0) + self.throttled.get(operation).unwrap_or(&0)
    }

    /// `operation`'s requests answered `ThrottlingException`.
    pub fn throttled(&self, operation: &str) -> u64 {
        *self.throttled.get(operation).unwrap_or(&0)
    }

    /// As JSON, the shape `GET /__stats` answers.
    pub fn json(&self) -> String {
        let table = |t: &BTreeMap<String, u64>| {
            let entries: Vec<String> = t.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", entries.join(", "))
        };
        format!(
            "{{\"forwarded\": {}, \"throttled\": {}, \"in_flight\": {}, \"by_operation\": {{\"forwarded\": {}, \"throttled\": {}}}}}",
            self.forwarded.values().sum::<u64>(),
            self.throttled.values().sum::<u64>(),
            self.in_flight,
            table(&self.forwarded),
            table(&self.throttled),
        )
    }
}

/// Numbers the throttled answers' request ids.
static THROTTLED: AtomicU64 = AtomicU64::new(0);

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = self
            .burst
            .min(self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn refill(&mut self) {
        self.tokens = self.burst;
        self.last = Instant::now();
    }
}

struct State {
    upstream: String,
    bucket: Mutex<Bucket>,
    stats: Mutex<Stats>,
    /// The clients' connections open now, by number.
    connections: Mutex<Vec<(u64, TcpStream)>>,
    /// Access keys whose requests are refused, as AWS refuses a deleted or revoked key.
    revoked: Mutex<Vec<String>>,
    /// Whether requests wait before they are forwarded ([`Quota::hold`]).
    held: Mutex<bool>,
    released: std::sync::Condvar,
}

/// Numbers the clients' connections.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// A running quota front: its URL, and its counts. It serves on threads of its own until the
/// process ends.
pub struct Quota {
    /// `http://127.0.0.1:PORT`: what `AWS_ENDPOINT_URL_KMS` names.
    pub url: String,
    /// The port it listens on.
    pub port: u16,
    state: Arc<State>,
}

impl Quota {
    /// A front on `port` (0: any free one) forwarding to `upstream` (`host:port`, plain HTTP),
    /// allowing `rate` requests per second with a bucket of `burst`.
    ///
    /// # Panics
    /// When it cannot listen on loopback.
    pub fn start(upstream: &str, rate: f64, burst: f64, port: u16) -> Quota {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("a loopback port");
        let port = listener.local_addr().expect("a bound address").port();
        let state = Arc::new(State {
            upstream: upstream.to_owned(),
            bucket: Mutex::new(Bucket {
                rate,
                burst,
                tokens: burst,
                last: Instant::now(),
            }),
            stats: Mutex::new(Stats::default()),
            connections: Mutex::new(Vec::new()),
            revoked: Mutex::new(Vec::new()),
            held: Mutex::new(false),
            released: std::sync::Condvar::new(),
        });
        let serving = Arc::clone(&state);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let state = Arc::clone(&serving);
                std::thread::spawn(move || {
                    let number = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
                    if let Ok(kept) = client.try_clone() {
                        lock(&state.connections).push((number, kept));
                    }
                    let _ = serve(&state, client);
                    lock(&state.connections).retain(|(n, _)| *n != number);
                });
            }
        });
        Quota {
            url: format!("http://127.0.0.1:{port}"),
            port,
            state,
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> Stats {
        lock(&self.state.stats).clone()
    }

    /// How many connections clients hold open to it now.
    pub fn open_connections(&self) -> usize {
        lock(&self.state.connections).len()
    }

    /// Closes every connection clients hold open (as a network change, or a restored Lambda
    /// environment, finds them closed).
    pub fn close_all(&self) {
        for (_, connection) in lock(&self.state.connections).iter() {
            let _ = connection.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Refuses from now on every request signed with `access_key_id`, as AWS answers a deleted
    /// or revoked key (`UnrecognizedClientException`), without forwarding it.
    pub fn revoke(&self, access_key_id: &str) {
        lock(&self.state.revoked).push(access_key_id.to_owned());
    }

    /// From now on requests wait, counted as in flight, until [`Quota::release`]: a test can see
    /// every caller that is going to ask arrive before any answer comes back.
    pub fn hold(&self) {
        *lock(&self.state.held) = true;
    }

    /// Lets held requests (and later ones) through.
    pub fn release(&self) {
        *lock(&self.state.held) = false;
        self.state.released.notify_all();
    }

    /// Zeroes the counts and refills the bucket.
    pub fn reset(&self) {
        reset(&self.state);
    }

    /// Waits (two minutes at most) until the emulator has answered every request forwarded so
    /// far (the clients of a storm give up on requests the emulator still queues), then lets the
    /// bucket refill for 1.5 s.
    pub fn drain(&self) {
        let deadline = Instant::now() + Duration::from_mins(2);
        while self.stats().in_flight > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(1500));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn reset(state: &State) {
    *lock(&state.stats) = Stats::default();
    lock(&state.bucket).refill();
}

fn serve(state: &State, client: TcpStream) -> std::io::Result<()> {
    let mut out = client.try_clone()?;
    let mut reader = BufReader::new(client);
    while let Some((start, headers, body)) = read_message(&mut reader)? {
        let mut parts = start.split(' ');
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if path == "/__stats" {
            let json = lock(&state.stats).json();
            respond(
                &mut out,
                "200 OK",
                &["Content-Type: application/json".into()],
                json.as_bytes(),
            )?;
        } else if path == "/__reset" && method == "POST" {
            reset(state);
            respond(&mut out, "200 OK", &[], b"")?;
        } else {
            let operation = header(&headers, "x-amz-target")
                .and_then(|t| t.rsplit('.').next())
                .unwrap_or("?")
                .to_owned();
            let access_key = access_key_of(&headers);
            lock(&state.stats)
                .signed
                .push((operation.clone(), access_key.clone()));
            if lock(&state.revoked).contains(&access_key) {
                *lock(&state.stats).refused.entry(operation).or_default() += 1;
                respond(
                    &mut out,
                    "400 Bad Request",
                    &["Content-Type: application/x-amz-json-1.1".into()],
                    br#"{"__type": "UnrecognizedClientException", "message": "The security token included in the request is invalid."}"#,
                )?;
            } else if lock(&state.bucket).take() {
                {
                    let mut counts = lock(&state.stats);
                    *counts.forwarded.entry(operation).or_default() += 1;
                    counts.in_flight += 1;
                }
                {
                    let mut held = lock(&state.held);
                    while *held {
                        held = state
                            .released
                            .wait(held)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                }
                let answer = forward(&state.upstream, &start, &headers, &body);
                lock(&state.stats).in_flight -= 1;
                let (status, answer_headers, payload) = answer?;
                respond(&mut out, &status, &answer_headers, &payload)?;
            } else {
                *lock(&state.stats).throttled.entry(operation).or_default() += 1;
                respond(
                    &mut out,
                    "400 Bad Request",
                    &[
                        "Content-Type: application/x-amz-json-1.1".into(),
                        format!(
                            "x-amzn-RequestId: quota-{}",
                            THROTTLED.fetch_add(1, Ordering::Relaxed)
                        ),
                    ],
                    br#"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#,
                )?;
            }
        }
    }
    Ok(())
}

/// The access key id a request is signed with (`Credential=AKID/…` of its `SigV4`
/// `Authorization`); empty for an unsigned one.
fn access_key_of(headers: &[String]) -> String {
    header(headers, "authorization")
        .and_then(|value| value.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').next())
        .unwrap_or("")
        .to_owned()
}

/// The request sent to the emulator on a connection of its own: its answer's status, headers
/// (less those of the connection and the framing) and body, whole.
fn forward(
    upstream: &str,
    start: &str,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<Message> {
    let mut server = TcpStream::connect(upstream)?;
    let mut request = format!("{start}\r\n");
    for line in headers {
        let name = name_of(line);
        if name != "connection" && name != "keep-alive" {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    server.write_all(request.as_bytes())?;
    server.write_all(body)?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("the emulator's answer has no header end"))?;
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let mut payload = answer[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap_or("")
        .split_once(' ')
        .map_or("502 Bad Gateway", |(_, status)| status)
        .to_owned();
    let all: Vec<String> = lines.map(str::to_owned).collect();
    if header(&all, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        payload = dechunk(&payload);
    }
    let kept = all
        .into_iter()
        .filter(|line| {
            let name = name_of(line);
            ![
                "connection",
                "keep-alive",
                "content-length",
                "transfer-encoding",
            ]
            .contains(&name.as_str())
        })
        .collect();
    Ok((status, kept, payload))
}

/// A header line's name, lowercase.
fn name_of(line: &str) -> String {
    line.split(':')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..end]);
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
        else {
            break;
        };
        data = &data[end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}
