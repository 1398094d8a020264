//! A Lambda Runtime API of the tests' own, for what cargo-lambda's emulator does not do:
//! SnapStart's restore (`/runtime/restore/next`, `/runtime/restore/error`), Managed Instances'
//! concurrent invocations (as many `/invocation/next` long polls as the function keeps open), and
//! the container-credentials endpoint Lambda gives SnapStart functions
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`), whose answer a
//! test changes at the restore, as Lambda does.
//!
//! It speaks what `lambda_runtime` 1.5 asks of Lambda: `GET /2018-06-01/runtime/invocation/next`
//! answers an event with `Lambda-Runtime-Aws-Request-Id` and `Lambda-Runtime-Deadline-Ms` (the
//! runtime panics without either) once a test queues one; `POST …/invocation/{id}/response` and
//! `…/error`, `…/init/error` and `…/restore/error` answer 202; `GET …/restore/next` answers a
//! bare 200 once the test restores. Each connection is served on a thread of its own, so any
//! number of long polls wait at once. Standard library only.

use std::collections::{HashMap, VecDeque};
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_kms::primitives::{DateTime, DateTimeFormat};

use crate::http1::{header, read_message, respond};

/// How long a test waits for the function before it fails.
const PATIENCE: Duration = Duration::from_mins(1);

/// What the function answered to an invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `POST …/response`: the body.
    Response(String),
    /// `POST …/error`: the body (`errorType`, `errorMessage`).
    Error(String),
}

/// The credentials the container endpoint serves.
#[derive(Clone, Debug)]
struct Credentials {
    access_key_id: String,
    expires: SystemTime,
}

#[derive(Default)]
struct Inner {
    queued: VecDeque<(String, String)>,
    next_id: u64,
    polling: usize,
    restore_asked: bool,
    restored: bool,
    answers: HashMap<String, Answer>,
    init_errors: Vec<String>,
    restore_errors: Vec<String>,
    credentials: Option<Credentials>,
    credential_fetches: Vec<String>,
}

struct State {
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, `PATIENCE` at most, until `done` holds; whether it does.
    fn wait_until(&self, mut done: impl FnMut(&Inner) -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut inner = self.lock();
        while !done(&inner) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            inner = self
                .changed
                .wait_timeout(inner, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

/// A running Runtime API on loopback; it serves until the process ends.
pub struct RuntimeApi {
    /// `127.0.0.1:PORT`: what `AWS_LAMBDA_RUNTIME_API` names.
    pub address: String,
    token: String,
    state: Arc<State>,
}

impl RuntimeApi {
    /// Starts one on a free loopback port.
    pub fn start() -> RuntimeApi {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
        let address = listener.local_addr().expect("a bound address").to_string();
        let state = Arc::new(State {
            inner: Mutex::new(Inner::default()),
            changed: Condvar::new(),
        });
        let token = format!("sealed-test-{}", std::process::id());
        let serving = Arc::clone(&state);
        let expected = token.clone();
        std::thread::spawn(move || {
            for connection in listener.incoming().flatten() {
                let state = Arc::clone(&serving);
                let token = expected.clone();
                std::thread::spawn(move || {
                    let _ = serve(&state, &token, connection);
                });
            }
        });
        RuntimeApi {
            address,
            token,
            state,
        }
    }

    /// The environment Lambda gives a function's process, pointing at this API: the Runtime
    /// API, the function's name, memory and version, and the container-credentials endpoint with
    /// its token (no access-key variables, as with SnapStart).
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_LAMBDA_RUNTIME_API", self.address.clone()),
            ("AWS_LAMBDA_FUNCTION_NAME", "sealed-test".into()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "1".into()),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                format!("http://{}/2021-04-23/credentials", self.address),
            ),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", self.token.clone()),
        ]
    }

    /// From now on the container endpoint serves `access_key_id` (with [`secret_of`] it),
    /// expiring `expires_in` from now.
    pub fn serve_credentials(&self, access_key_id: &str, expires_in: Duration) {
        self.state.lock().credentials = Some(Credentials {
            access_key_id: access_key_id.to_owned(),
            expires: SystemTime::now() + expires_in,
        });
    }

    /// The access key ids the container endpoint served so far, in order.
    pub fn credential_fetches(&self) -> Vec<String> {
        self.state.lock().credential_fetches.clone()
    }

    /// Waits until the function calls `/restore/next`: INIT and its before-snapshot hooks are
    /// done, and the process is what a snapshot would copy. Whether it came (within a minute).
    pub fn wait_for_snapshot_point(&self) -> bool {
        self.state.wait_until(|inner| inner.restore_asked)
    }

    /// Answers `/restore/next`: the process runs on as a restored environment.
    pub fn restore(&self) {
        self.state.lock().restored = true;
        self.state.changed.notify_all();
    }

    /// Waits until `count` `/invocation/next` polls are open at once; whether they are.
    pub fn wait_for_polls(&self, count: usize) -> bool {
        self.state.wait_until(|inner| inner.polling >= count)
    }

    /// Waits until every queued event has been handed to the function (each by an
    /// `/invocation/next` of its own); whether they were.
    pub fn wait_until_handed_out(&self) -> bool {
        self.state.wait_until(|inner| inner.queued.is_empty())
    }

    /// Queues `events` without waiting for their answers; their request ids.
    pub fn queue(&self, events: &[&str]) -> Vec<String> {
        let ids: Vec<String> = {
            let mut inner = self.state.lock();
            events
                .iter()
                .map(|event| {
                    inner.next_id += 1;
                    let id = format!("request-{}", inner.next_id);
                    inner.queued.push_back((id.clone(), (*event).to_owned()));
                    id
                })
                .collect()
        };
        self.state.changed.notify_all();
        ids
    }

    /// Waits for the answers to the invocations `ids`, in their order.
    ///
    /// # Panics
    /// When the function does not answer them all within a minute.
    pub fn answers(&self, ids: &[String]) -> Vec<Answer> {
        let answered = self
            .state
            .wait_until(|inner| ids.iter().all(|id| inner.answers.contains_key(id)));
        let inner = self.state.lock();
        assert!(
            answered,
            "the function did not answer every invocation within {PATIENCE:?} (init errors: \
             {:?}; restore errors: {:?})",
            inner.init_errors, inner.restore_errors
        );
        ids.iter().map(|id| inner.answers[id].clone()).collect()
    }

    /// Queues one invocation of `event` (JSON) and waits for its answer.
    ///
    /// # Panics
    /// When the function does not answer within a minute.
    pub fn invoke(&self, event: &str) -> Answer {
        self.invoke_all(&[event]).remove(0)
    }

    /// Queues every event at once, then waits for all their answers, in the events' order.
    ///
    /// # Panics
    /// When the function does not answer them all within a minute.
    pub fn invoke_all(&self, events: &[&str]) -> Vec<Answer> {
        let ids = self.queue(events);
        self.answers(&ids)
    }

    /// The bodies posted to `/runtime/init/error`.
    pub fn init_errors(&self) -> Vec<String> {
        self.state.lock().init_errors.clone()
    }

    /// The bodies posted to `/runtime/restore/error`.
    pub fn restore_errors(&self) -> Vec<String> {
        self.state.lock().restore_errors.clone()
    }

    /// Waits until something is posted to `/runtime/restore/error`; whether it was.
    pub fn wait_for_restore_error(&self) -> bool {
        self.state
            .wait_until(|inner| !inner.restore_errors.is_empty())
    }
}

fn serve(state: &State, token: &str, connection: TcpStream) -> std::io::Result<()> {
    let mut out = connection.try_clone()?;
    let mut reader = BufReader::new(connection);
    while let Some((start, headers, body)) = read_message(&mut reader)? {
        let mut parts = start.split(' ');
        let method = parts.next().unwrap_or("").to_owned();
        let path = parts.next().unwrap_or("").to_owned();
        let body = String::from_utf8_lossy(&body).into_owned();
        let accepted = |out: &mut TcpStream| respond(out, "202 Accepted", &[], b"{}");
        match (method.as_str(), path.as_str()) {
            ("GET", "/2018-06-01/runtime/invocation/next") => next_invocation(state, &mut out)?,
            ("GET", "/2018-06-01/runtime/restore/next") => {
                state.lock().restore_asked = true;
                state.changed.notify_all();
                // the snapshot: held until the test restores (a day at most)
                let mut inner = state.lock();
                while !inner.restored {
                    inner = state
                        .changed
                        .wait(inner)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                drop(inner);
                respond(&mut out, "200 OK", &[], b"")?;
            }
            ("POST", "/2018-06-01/runtime/init/error") => {
                state.lock().init_errors.push(body);
                state.changed.notify_all();
                accepted(&mut out)?;
            }
            ("POST", "/2018-06-01/runtime/restore/error") => {
                state.lock().restore_errors.push(body);
                state.changed.notify_all();
                accepted(&mut out)?;
            }
            ("POST", path) if path.starts_with("/2018-06-01/runtime/invocation/") => {
                let rest = &path["/2018-06-01/runtime/invocation/".len()..];
                let (id, kind) = rest.split_once('/').unwrap_or((rest, ""));
                let answer = match kind {
                    "response" => Answer::Response(body),
                    _ => Answer::Error(body),
                };
                state.lock().answers.insert(id.to_owned(), answer);
                state.changed.notify_all();
                accepted(&mut out)?;
            }
            ("GET", "/2021-04-23/credentials") => credentials(state, token, &headers, &mut out)?,
            _ => respond(&mut out, "404 Not Found", &[], b"")?,
        }
    }
    Ok(())
}

/// `/invocation/next`: waits for a queued event (however long), then hands it over.
fn next_invocation(state: &State, out: &mut TcpStream) -> std::io::Result<()> {
    let mut inner = state.lock();
    inner.polling += 1;
    state.changed.notify_all();
    let (id, event) = loop {
        if let Some(next) = inner.queued.pop_front() {
            break next;
        }
        inner = state
            .changed
            .wait(inner)
            .unwrap_or_else(PoisonError::into_inner);
    };
    inner.polling -= 1;
    drop(inner);
    state.changed.notify_all();
    let deadline = SystemTime::now() + Duration::from_mins(1);
    let deadline_ms = deadline
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    respond(
        out,
        "200 OK",
        &[
            "Content-Type: application/json".into(),
            format!("Lambda-Runtime-Aws-Request-Id: {id}"),
            format!("Lambda-Runtime-Deadline-Ms: {deadline_ms}"),
            "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:sealed-test".into(),
        ],
        event.as_bytes(),
    )
}

/// The secret access key the container endpoint serves with `access_key_id` (the emulator checks
/// no signature): one of its own per key, so that a test can look for a set's secret.
pub fn secret_of(access_key_id: &str) -> String {
    format!("secret-of-{access_key_id}")
}

/// The container-credentials endpoint: the credentials of the moment, to the token only.
fn credentials(
    state: &State,
    token: &str,
    headers: &[String],
    out: &mut TcpStream,
) -> std::io::Result<()> {
    if header(headers, "authorization") != Some(token) {
        return respond(out, "401 Unauthorized", &[], b"");
    }
    let served = {
        let mut inner = state.lock();
        let served = inner.credentials.clone();
        if let Some(credentials) = &served {
            inner
                .credential_fetches
                .push(credentials.access_key_id.clone());
        }
        served
    };
    let Some(credentials) = served else {
        return respond(out, "404 Not Found", &[], b"");
    };
    let json = format!(
        r#"{{"AccessKeyId": "{0}", "SecretAccessKey": "{1}", "Token": "session-token-of-{0}", "Expiration": "{2}"}}"#,
        credentials.access_key_id,
        secret_of(&credentials.access_key_id),
        DateTime::from(credentials.expires)
            .fmt(DateTimeFormat::DateTime)
            .expect("a time of this century formats as RFC 3339")
    );
    respond(
        out,
        "200 OK",
        &["Content-Type: application/json".into()],
        json.as_bytes(),
    )
}
