//! A service whose PostgreSQL password is a sealed KMS ciphertext: the job the secrets of the
//! original use case exist for. `scripts/postgres-demo` runs it against a real PostgreSQL server
//! on loopback; see this example's README.
//!
//! The password is decrypted before any connection is attempted: when it cannot be (no
//! `kms:Decrypt`, a ciphertext for another key), the service stops with the error naming the
//! sealed value, and the database never sees a login attempt.

use std::process::ExitCode;

use sealed_runtime::{sealed, Sealed};

/// The database role's password, sealed with
/// `cargo sealed encrypt --key alias/postgres --context app=postgres-password --out secrets/db-password.kms`
/// (`scripts/postgres-demo` does it against the local emulator).
static DB_PASSWORD: Sealed = sealed!(
    file = "secrets/db-password.kms",
    key = "alias/postgres",
    context = { "app": "postgres-password" },
);

/// A connection setting from the environment, named as libpq names it.
fn setting(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("`{name}` is not set"))
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // First the password: nothing is sent to the database without it.
    let password = DB_PASSWORD.get().await?;
    let mut config = tokio_postgres::Config::new();
    config
        .host(setting("PGHOST")?)
        .port(setting("PGPORT")?.parse()?)
        .user(setting("PGUSER")?)
        .dbname(setting("PGDATABASE")?)
        .password(password.expose());
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    // The configuration holds the one copy of the password outside the library's zeroized
    // buffer (tokio-postgres keeps it in a plain `Vec<u8>`, used for the SCRAM exchange only):
    // dropped as soon as the connection is set up.
    drop(config);
    let connection = tokio::spawn(connection);
    let row = client
        .query_one("SELECT current_user::text, 40 + 2", &[])
        .await?;
    let (user, answer): (String, i32) = (row.get(0), row.get(1));
    println!("connected as {user}; SELECT 40 + 2 = {answer}");
    drop(client);
    connection.await??;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
