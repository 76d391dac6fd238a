//! The storage layer on both engines: every test runs on SQLite and, when a PostgreSQL
//! server is given (`PARTNER_TEST_DATABASE_URL`, which `make test` provides through
//! scripts/with-postgres.sh), on PostgreSQL, each time in a database of its own.

mod common;

use std::str::FromStr as _;

use common::postgres::{engines, postgres_database};
use sir_partner_server::Store;
use sir_partner_server::config::Database;
use sir_partner_server::store::{
    Completion, IncomingEvent, LifecycleChange, NewDonation, Recorded, RewardOrder, RewardState, SessionRow,
};
use sqlx::Connection as _;

fn event(id: &str, signature: &str) -> IncomingEvent {
    IncomingEvent {
        event_id: id.into(),
        signature: signature.into(),
        event_type: "transaction.completed".into(),
        sir_timestamp: 1,
        body: "{}".into(),
    }
}

fn new_donation(id: &str, owner: Option<&str>) -> NewDonation {
    NewDonation {
        id: id.into(),
        owner: owner.map(str::to_owned),
        owner_email: None,
        amount_cents: 2500,
        currency: "USD".into(),
        nonprofit_slug: "st-jude".into(),
        frequency: "once".into(),
        campaign: Some("spring".into()),
        attribution: None,
    }
}

#[tokio::test]
async fn totals_count_confirmed_donations_per_campaign_on_both_engines() {
    for (engine, database, _file) in engines("totals").await {
        let store = Store::open(&database).await.expect("open");
        for id in ["t1", "t2", "t3"] {
            store.create_donation(&new_donation(id, Some(&format!("user-{id}"))), 1).await.expect("create");
        }
        let mut tx = store.begin().await.expect("tx");
        for id in ["t1", "t2"] {
            Store::complete(&mut tx, &Completion { id: id.into(), ..Completion::default() }, 2)
                .await
                .expect("complete");
        }
        assert!(Store::mark_reversed(&mut tx, "t2", 3).await.expect("reverse"), "{engine}");
        tx.commit().await.expect("commit");
        let totals = store.totals("st-jude", None).await.expect("totals");
        assert_eq!((totals.donations, totals.donors, totals.raised.len()), (1, 1, 1), "{engine}");
        assert_eq!(totals.raised[0].amount, 2500, "{engine}");
        assert_eq!(store.totals("st-jude", Some("spring")).await.expect("totals").donations, 1, "{engine}");
        assert_eq!(store.totals("st-jude", Some("autumn")).await.expect("totals").donations, 0, "{engine}");
        assert_eq!(store.confirmed_donations().await.expect("export").len(), 1, "{engine}");
    }
}

#[tokio::test]
async fn events_are_stored_once_by_id_and_by_signature_and_keep_whether_they_applied() {
    for (engine, database, _file) in engines("events").await {
        let store = Store::open(&database).await.expect("open");
        let mut tx = store.begin().await.expect("tx");
        assert_eq!(
            Store::insert_event(&mut tx, &event("evt_1", "sig_a"), 10).await.ok(),
            Some(Recorded::New),
            "{engine}"
        );
        Store::mark_event(&mut tx, "evt_1", Err("not yet"), 10).await.expect("mark");
        tx.commit().await.expect("commit");
        for (id, signature) in [("evt_1", "sig_b"), ("evt_2", "sig_a")] {
            let mut tx = store.begin().await.expect("tx");
            let recorded = Store::insert_event(&mut tx, &event(id, signature), 11).await;
            assert_eq!(recorded.ok(), Some(Recorded::Duplicate { applied: false }), "{engine}: {id} {signature}");
        }
        assert_eq!(store.flagged_events().await.expect("read").len(), 1, "{engine}");
        let mut tx = store.begin().await.expect("tx");
        Store::mark_event(&mut tx, "evt_1", Ok(()), 12).await.expect("mark");
        tx.commit().await.expect("commit");
        let mut tx = store.begin().await.expect("tx");
        assert_eq!(
            Store::insert_event(&mut tx, &event("evt_1", "sig_c"), 13).await.ok(),
            Some(Recorded::Duplicate { applied: true })
        );
        drop(tx); // SQLite has one connection: a transaction left open would hold it.
        assert_eq!(store.event_ids().await.ok(), Some(vec!["evt_1".to_owned()]), "{engine}");
        assert_eq!(store.health(0).await.expect("health").unapplied_events, 0, "{engine}");
    }
}

#[tokio::test]
async fn a_completion_keeps_the_owner_and_the_api_never_undoes_it() {
    for (engine, database, _file) in engines("donations").await {
        let store = Store::open(&database).await.expect("open");
        store.create_donation(&new_donation("d1", Some("user-1")), 5).await.expect("create");
        store.record_api_status("d1", "processing", 6).await.expect("api");
        let row = store.donation("d1").await.expect("read").expect("row");
        assert_eq!(
            (row.status.as_str(), row.source.as_str(), row.owner.as_deref()),
            ("processing", "api", Some("user-1")),
            "{engine}"
        );

        let mut tx = store.begin().await.expect("tx");
        let facts =
            Completion { id: "d1".into(), donor_email: Some("jane@example.com".into()), ..Completion::default() };
        let row = Store::complete(&mut tx, &facts, 10).await.expect("complete");
        tx.commit().await.expect("commit");
        assert!(row.completed_by_webhook(), "{engine}");
        assert_eq!((row.amount_cents, row.owner.as_deref()), (Some(2500), Some("user-1")), "details kept: {engine}");
        store.record_api_status("d1", "pending", 20).await.expect("api");
        let row = store.donation("d1").await.expect("read").expect("row");
        assert_eq!((row.status.as_str(), row.updated_at), ("completed", 10), "{engine}");

        // A donation created elsewhere has no owner until a verified email claims it, once.
        let mut tx = store.begin().await.expect("tx");
        Store::complete(&mut tx, &Completion { id: "d2".into(), amount_cents: Some(500), ..Completion::default() }, 30)
            .await
            .expect("complete");
        assert!(Store::assign_owner(&mut tx, "d2", "user-2", 31).await.expect("assign"), "{engine}");
        assert!(!Store::assign_owner(&mut tx, "d2", "user-3", 32).await.expect("assign"), "{engine}");
        tx.commit().await.expect("commit");
        assert_eq!(store.donation("d2").await.expect("read").and_then(|d| d.owner).as_deref(), Some("user-2"));
    }
}

#[tokio::test]
async fn the_reward_outbox_leases_retries_and_follows_the_lifecycle() {
    for (engine, database, _file) in engines("outbox").await {
        let store = Store::open(&database).await.expect("open");
        store.create_donation(&new_donation("d1", Some("user-1")), 1).await.expect("create");
        let mut tx = store.begin().await.expect("tx");
        let donation = Store::complete(&mut tx, &Completion { id: "d1".into(), ..Completion::default() }, 2)
            .await
            .expect("complete");
        let order = |owner| RewardOrder { owner, email: None, amount_cents: 2500, hold: None };
        Store::enqueue_reward(&mut tx, &donation, &order("user-1"), 100).await.expect("enqueue");
        Store::enqueue_reward(&mut tx, &donation, &order("someone-else"), 100).await.expect("enqueue twice");
        tx.commit().await.expect("commit");

        let leased = store.lease_due_rewards(100, 60_100, 10).await.expect("lease");
        assert_eq!(leased.len(), 1, "{engine}");
        assert_eq!(
            (leased[0].external_id.as_str(), leased[0].amount_cents),
            ("user-1", 2500),
            "the first owner stays: {engine}"
        );
        assert!(store.lease_due_rewards(101, 60_101, 10).await.expect("lease").is_empty(), "leased: {engine}");
        store.reward_retry("d1", 500, "SIR: 402 INSUFFICIENT_POOL", 102).await.expect("retry");
        assert!(store.lease_due_rewards(400, 60_400, 10).await.expect("lease").is_empty(), "not due yet: {engine}");
        assert_eq!(store.next_reward_due().await.ok(), Some(Some(500)), "{engine}");
        let again = store.lease_due_rewards(500, 60_500, 10).await.expect("lease");
        assert_eq!(again.first().map(|r| r.attempts), Some(1), "{engine}");

        // action.completed may land before the outbox records SIR's 201: confirmed stays.
        let mut tx = store.begin().await.expect("tx");
        let confirmed = LifecycleChange::Confirmed { action_id: Some("a1".into()), tokens: Some(25) };
        assert_eq!(Store::reward_lifecycle(&mut tx, "d1", &confirmed, 600).await.ok(), Some(Some("user-1".to_owned())));
        tx.commit().await.expect("commit");
        store.reward_issued("d1", Some("a1"), Some(25), 601).await.expect("issued");
        let reward = store.reward("d1").await.expect("read").expect("row");
        assert_eq!(
            (reward.state, reward.tokens, reward.action_id.as_deref()),
            (RewardState::Confirmed, Some(25), Some("a1")),
            "{engine}"
        );

        let mut tx = store.begin().await.expect("tx");
        let reversed = LifecycleChange::Reversed { action_id: None, tokens: Some(25) };
        Store::reward_lifecycle(&mut tx, "d1", &reversed, 700).await.expect("reverse");
        // A late confirmation never undoes a reversal.
        Store::reward_lifecycle(&mut tx, "d1", &confirmed, 701).await.expect("late");
        tx.commit().await.expect("commit");
        assert_eq!(store.reward("d1").await.expect("read").map(|r| r.state), Some(RewardState::Reversed), "{engine}");
        let health = store.health(0).await.expect("health");
        assert_eq!((health.rewards_pending, health.rewards_failed), (0, 0), "{engine}");
    }
}

#[tokio::test]
async fn sessions_expire_and_are_pruned() {
    for (engine, database, _file) in engines("sessions").await {
        let store = Store::open(&database).await.expect("open");
        let session = SessionRow { external_id: "donor_1".into(), email: "jane@example.com".into() };
        store.create_session("hash-live", &session, 1_000).await.expect("create");
        store.create_session("hash-old", &session, 10).await.expect("create");
        assert_eq!(store.session("hash-live", 500).await.ok(), Some(Some(session.clone())), "{engine}");
        assert_eq!(store.session("hash-old", 500).await.ok(), Some(None), "{engine}");
        assert_eq!(store.prune_sessions(500).await.ok(), Some(1), "{engine}");
        store.delete_session("hash-live").await.expect("delete");
        assert_eq!(store.session("hash-live", 500).await.ok(), Some(None), "{engine}");
    }
}

#[tokio::test]
async fn a_database_from_a_newer_server_is_refused() {
    for (engine, database, _file) in engines("newer").await {
        let store = Store::open(&database).await.expect("open");
        drop(store);
        // What a newer server's migration leaves behind.
        let url = match &database {
            Database::Sqlite(path) => format!("sqlite://{path}"),
            Database::Postgres { url, .. } => url.clone(),
        };
        let mut connection =
            sqlx::AnyConnection::connect_with(&sqlx::any::AnyConnectOptions::from_str(&url).expect("url"))
                .await
                .expect("connect");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             SELECT 9999, 'from the future', installed_on, success, checksum, execution_time FROM _sqlx_migrations WHERE version = 1",
        )
        .execute(&mut connection)
        .await
        .expect("a future migration");
        let refused = Store::open(&database).await.expect_err("refused");
        assert!(refused.to_string().contains("9999"), "{engine}: {refused}");
    }
}

#[tokio::test]
async fn two_instances_store_the_same_event_once_and_lease_each_reward_once() {
    // Meaningful where two pools really race: PostgreSQL (SQLite serves one instance).
    let Some(url) = postgres_database("instances").await else { return };
    let database = Database::Postgres { url, pool: 8 };
    let (a, b) = (Store::open(&database).await.expect("open a"), Store::open(&database).await.expect("open b"));
    for n in 0..50 {
        let id = format!("d{n}");
        a.create_donation(&new_donation(&id, Some(&format!("user-{n}"))), 1).await.expect("create");
    }
    let deliver = |store: Store, n: usize| async move {
        let mut tx = store.begin().await.expect("tx");
        let recorded =
            Store::insert_event(&mut tx, &event(&format!("evt_{n}"), &format!("sig_{n}")), 5).await.expect("insert");
        if recorded == Recorded::New {
            let facts = Completion { id: format!("d{n}"), ..Completion::default() };
            let donation = Store::complete(&mut tx, &facts, 5).await.expect("complete");
            let owner = donation.owner.clone().expect("owner");
            let order = RewardOrder { owner: &owner, email: None, amount_cents: 2500, hold: None };
            Store::enqueue_reward(&mut tx, &donation, &order, 5).await.expect("enqueue");
            Store::mark_event(&mut tx, &format!("evt_{n}"), Ok(()), 5).await.expect("mark");
        }
        tx.commit().await.expect("commit");
        recorded
    };
    let mut news = 0;
    for n in 0..50 {
        let (x, y) = tokio::join!(deliver(a.clone(), n), deliver(b.clone(), n));
        news += [x, y].iter().filter(|r| **r == Recorded::New).count();
    }
    assert_eq!(news, 50, "each event stored once");
    let lease = |store: Store| async move { store.lease_due_rewards(10, 60_000, 7).await.expect("lease") };
    let mut leased = Vec::new();
    for _ in 0..10 {
        let (x, y) = tokio::join!(lease(a.clone()), lease(b.clone()));
        leased.extend(x.into_iter().chain(y).map(|r| r.donation_id));
    }
    leased.sort();
    let count = leased.len();
    leased.dedup();
    assert_eq!((count, leased.len()), (50, 50), "every reward leased exactly once");
}
