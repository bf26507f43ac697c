//! The hub's copy of the tenant's directory (`store::hub_directory`): refreshed from D1 when a write
//! route says what changed (`POST /directory-sync`) or when it is older than `DIRECTORY_MAX_AGE_MS`
//! (in the alarm, after the call that noticed), and read, never D1, when a call arrives.

use tsunagu_center::{CallArrival, CenterConfig};
use tsunagu_protocol::RecentContact;
use tsunagu_webhooks::CrmCaller;
use worker::SqlStorage;

use super::*;
use crate::{
    hub::{DirectorySyncReply, DirectorySyncRequest, IncomingCall},
    store::hub_directory::{self, DirectoryChange, recent_entries},
    tenant_config, voice,
};

/// Default age after which a call schedules a full refresh of the copy (catches edits made in D1
/// by hand; writes through the API reach the copy at once).
const DEFAULT_DIRECTORY_MAX_AGE_MS: u64 = 10 * 60 * 1000;

fn directory_max_age_ms(env: &Env) -> u64 {
    env.var("DIRECTORY_MAX_AGE_MS")
        .ok()
        .and_then(|v| v.to_string().parse().ok())
        .unwrap_or(DEFAULT_DIRECTORY_MAX_AGE_MS)
}

/// What the hub keeps of the copy's `directory_meta` (see `PresenceHub::copy_meta`).
#[derive(Debug, Clone)]
pub(super) struct CopyMeta {
    /// When the copy was last refreshed in full, if ever (ms since 1970).
    pub(super) refreshed_at: Option<u64>,
    /// The tenant's live CRM lookup URL, if it has one.
    pub(super) crm_lookup_url: Option<String>,
}

impl PresenceHub {
    /// The copy's meta, read from its SQLite once per life and after each refresh that wrote it.
    pub(super) fn copy_meta(&self) -> std::result::Result<CopyMeta, AppError> {
        if let Some(meta) = self.copy_meta.borrow().as_ref() {
            return Ok(meta.clone());
        }
        let sql = self.directory()?;
        let meta = CopyMeta {
            refreshed_at: hub_directory::refreshed_at(&sql)?,
            crm_lookup_url: hub_directory::crm_lookup_url(&sql)?,
        };
        *self.copy_meta.borrow_mut() = Some(meta.clone());
        Ok(meta)
    }

    /// The copy's SQLite, its tables created on first use after a start.
    pub(super) fn directory(&self) -> std::result::Result<SqlStorage, AppError> {
        let sql = self.state.storage().sql();
        if !self.directory_schema.get() {
            hub_directory::ensure_schema(&sql)?;
            self.directory_schema.set(true);
        }
        Ok(sql)
    }

    /// Re-reads `change` from D1 into the copy. Every D1 read is awaited before the copy is
    /// touched, and the copy is then written without an `await`, so a call sees the copy before
    /// or after, never half of it. Returns the tenant's settings when `change` covers them.
    pub(super) async fn refresh_directory(
        &self,
        tenant: &TenantId,
        change: &DirectoryChange,
    ) -> std::result::Result<Option<CenterConfig>, AppError> {
        let refreshed = self.write_copy(tenant, change).await;
        // Read again on next use: the settings and full refreshes write it (a failed refresh
        // too may have written part of it). Forgotten after the writes, not before: a call
        // during the D1 reads would cache the old meta again.
        self.copy_meta.replace(None);
        refreshed
    }

    async fn write_copy(
        &self,
        tenant: &TenantId,
        change: &DirectoryChange,
    ) -> std::result::Result<Option<CenterConfig>, AppError> {
        let env = &self.env;
        match change {
            DirectoryChange::Settings => {
                let row = store::tenant(env, tenant).await?;
                let config = tenant_config::from_row(&row)?;
                let url = row.crm_lookup_url.as_deref();
                hub_directory::set_crm_lookup_url(&self.directory()?, url)?;
                Ok(Some(config))
            }
            DirectoryChange::Agents => {
                let agents = hub_directory::agents(env, tenant).await?;
                hub_directory::replace_agents(&self.directory()?, &agents)?;
                Ok(None)
            }
            DirectoryChange::Lines => {
                let lines = hub_directory::lines(env, tenant).await?;
                // Lines' own hours are part of the tenant's settings (`line_hours`).
                let config = tenant_config::from_row(&store::tenant(env, tenant).await?)?;
                hub_directory::replace_lines(&self.directory()?, &lines)?;
                Ok(Some(config))
            }
            DirectoryChange::Customers { ids } => {
                let found = hub_directory::customers_by_id(env, tenant, ids).await?;
                hub_directory::update_customers(&self.directory()?, ids, &found)?;
                Ok(None)
            }
            DirectoryChange::Subscriptions => {
                self.outbox.forget_subscriptions();
                Ok(None)
            }
            DirectoryChange::Everything => {
                self.outbox.forget_subscriptions();
                let row = store::tenant(env, tenant).await?;
                let config = tenant_config::from_row(&row)?;
                let agents = hub_directory::agents(env, tenant).await?;
                let lines = hub_directory::lines(env, tenant).await?;
                let customers = hub_directory::all_customers(env, tenant).await?;
                let conversations = hub_directory::newest_conversations(env, tenant).await?;
                let recent = recent_entries(
                    &conversations
                        .iter()
                        .filter_map(|row| serde_json::from_str(&row.body).ok())
                        .collect::<Vec<_>>(),
                );
                let sql = self.directory()?;
                hub_directory::replace_agents(&sql, &agents)?;
                hub_directory::replace_lines(&sql, &lines)?;
                hub_directory::replace_customers(&sql, &customers)?;
                hub_directory::remember_recent(&sql, &recent)?;
                hub_directory::set_crm_lookup_url(&sql, row.crm_lookup_url.as_deref())?;
                hub_directory::set_refreshed_at(&sql, clock::now_ms())?;
                self.directory_refresh_due.set(false);
                log::info(
                    "hub.directory_refreshed",
                    &[
                        ("tenant", tenant.as_str().into()),
                        ("customers", customers.len().into()),
                        ("lines", lines.len().into()),
                        ("agents", agents.len().into()),
                    ],
                );
                Ok(Some(config))
            }
        }
    }

    /// `POST /directory-sync`: a write route changed D1; the copy follows before it answers.
    pub(super) async fn directory_sync(&self, mut req: Request) -> Result<Response> {
        let request: DirectorySyncRequest = req.json().await?;
        let config = match self
            .refresh_directory(&request.tenant, &request.change)
            .await
        {
            Ok(config) => config,
            Err(err) => return Response::error(err.to_string(), 503),
        };
        if config.is_some() || self.center.borrow().is_some() {
            self.load(config).await?;
            self.settle().await?;
        }
        Response::from_json(&DirectorySyncReply { refreshed: true })
    }

    /// Before the first call of a hub whose copy was never filled: fill it now (the only time D1
    /// is on a call's path). Without D1 the call goes on with what the hub holds.
    pub(super) async fn directory_before_call(&self, tenant: &TenantId) -> Option<CenterConfig> {
        let refreshed_at = match self.copy_meta() {
            Ok(meta) => meta.refreshed_at,
            Err(err) => {
                log::warn(
                    "hub.directory_unreadable",
                    &[("detail", err.to_string().into())],
                );
                return None;
            }
        };
        match refreshed_at {
            Some(at) => {
                if clock::now_ms().saturating_sub(at) > directory_max_age_ms(&self.env) {
                    // Refreshed from the alarm, right after this call is answered.
                    self.directory_refresh_due.set(true);
                }
                None
            }
            None => self.refresh_everything(tenant).await,
        }
    }

    /// The incoming call (from `number`, E.164) as the center needs it, from the copy: the
    /// caller's record (the CRM's live answer `crm` instead, when there is one), recent contacts
    /// and the line. A copy that cannot be read routes the caller as unknown on the main line,
    /// which beats a caller who hears an error.
    pub(super) fn arrival_from_copy(
        &self,
        tenant: &TenantId,
        incoming: &IncomingCall,
        number: Option<String>,
        crm: Option<CrmCaller>,
    ) -> CallArrival {
        let looked_up = self.directory().and_then(|sql| {
            // The CRM's live answer wins over the copy; its owner's team is the directory's.
            let caller = match (&number, crm) {
                (_, Some(crm)) => {
                    let owner = crm.owner.map(String::from);
                    let owner_team = match &owner {
                        Some(owner) => hub_directory::team_of(&sql, owner)?,
                        None => None,
                    };
                    Some(store::CallerRow {
                        id: crm.id,
                        name: crm.name,
                        company: crm.company,
                        owner_agent_id: owner,
                        owner_team_id: owner_team,
                        attributes_json: serde_json::to_string(&crm.attributes)
                            .unwrap_or_else(|_| store::no_attributes()),
                    })
                }
                (Some(number), None) => hub_directory::caller(&sql, number)?,
                (None, None) => None,
            };
            let recent = match &number {
                Some(number) => hub_directory::recent(&sql, number)?
                    .iter()
                    .filter_map(|json| serde_json::from_str::<RecentContact>(json).ok())
                    .collect(),
                None => Vec::new(),
            };
            let line = match &incoming.called {
                Some(called) => hub_directory::line(&sql, called)?,
                None => None,
            };
            Ok((caller, recent, line))
        });
        let (caller, recent, line) = looked_up.unwrap_or_else(|err| {
            log::warn(
                "hub.directory_lookup_failed",
                &[
                    ("tenant", tenant.as_str().into()),
                    ("detail", err.to_string().into()),
                ],
            );
            (None, Vec::new(), None)
        });
        let mut arrival = voice::arrival_from(
            tenant,
            incoming.call_sid.clone(),
            number,
            caller,
            recent,
            (incoming.called.clone(), line),
        );
        if incoming.main_line {
            arrival.line = tsunagu_center::Line::Main;
        }
        arrival
    }

    /// A hub without a center asked about a call (its first request is a callback, or its storage
    /// was set aside): the tenant's settings from D1, as a full refresh of the copy reads them.
    /// Whether there is a center now.
    pub(super) async fn load_from_d1(&self, tenant: &TenantId) -> Result<bool> {
        match self.refresh_everything(tenant).await {
            config @ Some(_) => self.load(config).await,
            None => Ok(false),
        }
    }

    /// From the alarm: the full refresh a call asked for when it found the copy old (after that
    /// call was answered), and the settings it brings.
    pub(super) async fn refresh_directory_if_due(&self) -> Result<()> {
        if !self.directory_refresh_due.get() {
            return Ok(());
        }
        let Some(tenant) = self.with_center(|center| center.config().tenant.clone()) else {
            return Ok(());
        };
        self.directory_refresh_due.set(false);
        if let Some(config) = self.refresh_everything(&tenant).await {
            self.load(Some(config)).await?;
        }
        self.settle().await
    }

    /// A full refresh of the copy; a failure (D1 out of reach) is logged and leaves the copy as
    /// it was. The tenant's settings when it succeeded.
    async fn refresh_everything(&self, tenant: &TenantId) -> Option<CenterConfig> {
        match self
            .refresh_directory(tenant, &DirectoryChange::Everything)
            .await
        {
            Ok(config) => config,
            Err(err) => {
                log::warn(
                    "hub.directory_refresh_failed",
                    &[
                        ("tenant", tenant.as_str().into()),
                        ("detail", err.to_string().into()),
                    ],
                );
                None
            }
        }
    }

    /// The copy's sizes, for the storage report.
    pub(super) fn directory_size(&self) -> Option<hub_directory::CopySize> {
        self.directory()
            .and_then(|sql| hub_directory::size(&sql))
            .ok()
    }
}
