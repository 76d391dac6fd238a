//! The engines storage tests run on: SQLite always, and a PostgreSQL database of the
//! test's own when a server is given (`PARTNER_TEST_DATABASE_URL`, which `make test`
//! provides through scripts/with-postgres.sh).

use std::str::FromStr as _;

use sir_partner_server::config::Database;
use sqlx::Connection as _;

/// The engines to test on: SQLite always; PostgreSQL when a server is given, and a
/// missing one is a failure where it is required (`PARTNER_REQUIRE_POSTGRES=1`).
pub async fn engines(name: &str) -> Vec<(&'static str, Database, Option<super::TempDb>)> {
    let file = super::TempDb::new(name);
    let mut engines = vec![("sqlite", Database::Sqlite(file.path().to_owned()), Some(file))];
    if let Some(url) = postgres_database(name).await {
        engines.push(("postgres", Database::Postgres { url, pool: 8 }, None));
    }
    engines
}

/// A fresh, empty PostgreSQL database for one test, or `None` without a server.
pub async fn postgres_database(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var("PARTNER_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("PARTNER_REQUIRE_POSTGRES").is_err(),
            "PARTNER_REQUIRE_POSTGRES is set but PARTNER_TEST_DATABASE_URL is not"
        );
        eprintln!("{name}: no PostgreSQL given (PARTNER_TEST_DATABASE_URL); SQLite only");
        return None;
    };
    sqlx::any::install_default_drivers();
    let unique = format!("t_{}_{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"), std::process::id());
    let unique = format!("{unique}_{}", sir_partner_server::store::now_ms() % 1_000_000_000);
    let options = sqlx::any::AnyConnectOptions::from_str(&admin).expect("admin URL");
    let mut connection = sqlx::AnyConnection::connect_with(&options).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {unique}")).execute(&mut connection).await.expect("create database");
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    Some(format!("{base}/{unique}"))
}
