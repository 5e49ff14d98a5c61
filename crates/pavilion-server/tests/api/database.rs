//! The store's two engines: the suite really runs on the engine it says (PostgreSQL when
//! `PAVILION_TEST_DATABASE_URL` is set by `cargo xtask test-postgres`), and the PostgreSQL
//! schema has the same tables and columns, in the same order, as SQLite's.

use std::collections::BTreeMap;

use pavilion_server::db::{Backend, Store};

use crate::{on_postgres, spawn_app};

#[tokio::test]
async fn the_app_runs_on_the_engine_the_suite_names() {
    let app = spawn_app().await;
    let expected = if on_postgres() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(app.state.store().backend(), expected);
    // Both engines answer the same statement the same way.
    let published: i64 = sqlx::query_scalar("SELECT version FROM published WHERE id = $1")
        .bind(1_i64)
        .fetch_one(app.state.store().pool())
        .await
        .unwrap();
    assert_eq!(published, 1);
}

/// Table name -> its columns in order.
type Schema = BTreeMap<String, Vec<String>>;

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
         ORDER BY m.name, p.cid",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    store.close().await;
    group(rows)
}

fn group(rows: Vec<(String, String)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().push(column);
    }
    schema
}

#[tokio::test]
async fn postgres_has_the_sqlite_schema() {
    if !on_postgres() {
        eprintln!("compares with PostgreSQL: runs under cargo xtask test-postgres");
        return;
    }
    let app = spawn_app().await;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT)
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(app.state.store().pool())
    .await
    .unwrap();
    let postgres = group(rows);
    assert!(postgres.contains_key("snapshots"), "{postgres:?}");
    assert_eq!(postgres, sqlite_schema().await);
}
