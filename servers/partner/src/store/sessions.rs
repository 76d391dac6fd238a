//! Demo sign-ins (`PARTNER_IDENTITY=demo`): the SHA-256 of each cookie, never the cookie.

use sqlx::Row as _;

use super::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub external_id: String,
    pub email: String,
}

impl Store {
    pub async fn create_session(
        &self,
        token_sha256: &str,
        session: &SessionRow,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, external_id, email, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (token_sha256) DO UPDATE SET external_id = excluded.external_id, email = excluded.email,
                                                      expires_at = excluded.expires_at",
        )
        .bind(token_sha256)
        .bind(&session.external_id)
        .bind(&session.email)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session for a cookie's hash, if it exists and has not expired.
    pub async fn session(&self, token_sha256: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
        sqlx::query("SELECT external_id, email FROM sessions WHERE token_sha256 = $1 AND expires_at > $2")
            .bind(token_sha256)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| Ok(SessionRow { external_id: row.try_get(0)?, email: row.try_get(1)? }))
            .transpose()
    }

    pub async fn delete_session(&self, token_sha256: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1").bind(token_sha256).execute(&self.pool).await?;
        Ok(())
    }

    /// Deletes expired sessions (on a timer; `expires_at` is indexed).
    pub async fn prune_sessions(&self, now: i64) -> Result<u64, StoreError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(StoreError::from)
    }
}
