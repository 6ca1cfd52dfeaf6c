//! The EWS backend: builds requests with the `ews` codec, sends them to Exchange with the
//! caller's token (or as the service account, impersonating the caller's verified mailbox),
//! survives throttling, and never creates an item twice.
//!
//! * Throttling (ErrorServerBusy + BackOffMilliseconds, HTTP 503/429 + Retry-After): wait as
//!   told and retry, within [`Budget`](crate::mailbox::retry::Budget); then [`MailboxError::Throttled`].
//! * Unknown outcome of a CreateItem (timeout, connection lost after sending, a 5xx without an
//!   EWS answer): every created item carries a client request id in an extended property, so
//!   before trying again we look for it with a FindItem restriction and return what we find.
//! * Reads (FindItem, GetItem) are idempotent and simply retried.
//!
//! EWS operations: <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/ews-operations-in-exchange>

pub mod autodiscover;
mod changes;
mod check;
mod connections;
mod directory;
mod errors;
mod listing;
mod mapping;
mod meeting;
mod ntlm;
mod sending;
mod spnego;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use ews::RequestHeaders;
use ews::operations::create_item::CreateItem;
use ews::types::{FolderId, SendMeetingInvitations};
use model::{
    Appointment, CalendarWindow, NewTask, Page, PageLimit, Person, Place, Reply, Schedule, Task,
    TaskFilter, TaskSort,
};
use secrecy::SecretString;
use url::Url;

use super::paging::{CalendarCursor, TaskCursor};
use super::retry::RetryPolicy;
use super::{Access, CreateOnce, ItemVersion, MailboxBackend, MailboxError, PreparedAppointment};
use crate::config::{EwsConfig, ServerVersion};
use crate::insecure_http::InsecureHttpPolicy;
use autodiscover::{Autodiscovery, Route};
pub use check::check_service_account;

pub struct EwsMailbox {
    target: Target,
    version: ews::types::ExchangeVersion,
    /// Service-account mode: every request impersonates the caller's verified mailbox.
    impersonates: bool,
    policy: RetryPolicy,
}

/// Where EWS is: one configured endpoint, or each user's as Autodiscover finds it.
enum Target {
    Fixed(Arc<Route>),
    Discovered(Box<Autodiscovery>),
}

/// For whom one API call acts: the user's token (bearer mode), the SOAP headers, which in
/// service-account mode impersonate the user's verified mailbox, and the user's EWS.
struct Acting<'a> {
    token: &'a SecretString,
    headers: RequestHeaders,
    route: Arc<Route>,
}

fn exchange_version(version: ServerVersion) -> ews::types::ExchangeVersion {
    use ews::types::ExchangeVersion as V;
    match version {
        ServerVersion::Exchange2013 => V::Exchange2013,
        ServerVersion::Exchange2013Sp1 => V::Exchange2013Sp1,
        ServerVersion::Exchange2016 => V::Exchange2016,
    }
}

impl EwsMailbox {
    /// EWS at `endpoint` for every user.
    pub fn new(endpoint: Url, config: &EwsConfig) -> Result<Self, String> {
        Ok(Self::with_target(
            Target::Fixed(Arc::new(Route::new(endpoint, config)?)),
            config,
        ))
    }

    /// Each user's EWS found with Autodiscover, asked at `autodiscover_url` or (`None`) at
    /// the URLs derived from the user's domain.
    pub fn discovering(
        autodiscover_url: Option<Url>,
        config: &EwsConfig,
        insecure_http: InsecureHttpPolicy,
    ) -> Self {
        let discovery = Autodiscovery::new(autodiscover_url, config, insecure_http);
        Self::with_target(Target::Discovered(Box::new(discovery)), config)
    }

    fn with_target(target: Target, config: &EwsConfig) -> Self {
        Self {
            target,
            version: exchange_version(config.server_version),
            impersonates: config.auth.service_account().is_some(),
            policy: RetryPolicy {
                max_retries: config.max_retries,
                budget: config.retry_budget,
            },
        }
    }

    /// The SOAP headers for `access`: in service-account mode, ExchangeImpersonation of the
    /// mailbox the user's sign-in verified, and of nothing else (no request field reaches it);
    /// with Autodiscover, the EWS of that mailbox.
    async fn acting<'a>(&self, access: &'a Access) -> Result<Acting<'a>, MailboxError> {
        let mut headers = RequestHeaders::new(self.version);
        let mailbox = access.mailbox.as_deref().filter(|m| m.contains('@'));
        if self.impersonates {
            let Some(mailbox) = mailbox else {
                return Err(MailboxError::Misconfigured(
                    "Your sign-in did not say which mailbox is yours, so the proxy cannot act \
                     for you: the sign-in server must send the user's address in the ID token \
                     (email or upn claim)."
                        .into(),
                ));
            };
            headers = headers.impersonate(mailbox.to_owned());
        }
        let route = match &self.target {
            Target::Fixed(route) => route.clone(),
            Target::Discovered(discovery) => {
                let Some(mailbox) = mailbox else {
                    return Err(MailboxError::Misconfigured(
                        "Your sign-in did not say which mailbox is yours, so the proxy cannot \
                         find your Exchange server with Autodiscover: the sign-in server must \
                         send the user's address in the ID token (email or upn claim)."
                            .into(),
                    ));
                };
                discovery.route(mailbox, &access.token).await?
            }
        };
        Ok(Acting {
            token: &access.token,
            headers,
            route,
        })
    }

    /// The EWS URL of `address`: the configured endpoint, or what Autodiscover finds (asked
    /// with `token`, or as the service account).
    pub async fn endpoint_for(
        &self,
        address: &str,
        token: &SecretString,
    ) -> Result<Url, MailboxError> {
        match &self.target {
            Target::Fixed(route) => Ok(route.endpoint.clone()),
            Target::Discovered(discovery) => discovery
                .route(address, token)
                .await
                .map(|route| route.endpoint.clone()),
        }
    }

    /// How the service account last signed in (`Kerberos`, `NTLM`, `Basic`); `None` before
    /// its first sign-in, with each user's own token, or with Autodiscover.
    pub fn signed_in_with(&self) -> Option<&'static str> {
        match &self.target {
            Target::Fixed(route) => match &route.transport {
                transport::Transport::ServiceAccount(client) => client.signed_in_with(),
                transport::Transport::Bearer(_) => None,
            },
            Target::Discovered(_) => None,
        }
    }
}

#[async_trait::async_trait]
impl MailboxBackend for EwsMailbox {
    fn name(&self) -> &'static str {
        "ews"
    }

    /// Uses this backend's own connections and its no-redirect policy. With Autodiscover
    /// there is no one server to ask: each user's is found on their first call.
    async fn answers(&self, timeout: Duration) -> Result<(), String> {
        match &self.target {
            Target::Fixed(route) => route.transport.answers(&route.endpoint, timeout).await,
            Target::Discovered(_) => Ok(()),
        }
    }

    async fn create_appointment(
        &self,
        access: &Access,
        appointment: &PreparedAppointment,
        once: &CreateOnce,
    ) -> Result<Appointment, MailboxError> {
        let invitations = if appointment.details.invites_anyone() {
            SendMeetingInvitations::SendToAllAndSaveCopy
        } else {
            SendMeetingInvitations::SendToNone
        };
        let request = CreateItem::calendar_item(
            mapping::calendar_item(appointment, &once.client_request_id),
            invitations,
        );
        let id = self
            .create(
                &self.acting(access).await?,
                &request,
                FolderId::calendar(),
                once,
            )
            .await?;
        Ok(appointment.created(id.id, id.change_key.unwrap_or_default()))
    }

    async fn calendar_page(
        &self,
        access: &Access,
        window: CalendarWindow,
        limit: PageLimit,
        cursor: Option<CalendarCursor>,
    ) -> Result<Page<Appointment>, MailboxError> {
        self.calendar_view_page(&self.acting(access).await?, window, limit, cursor)
            .await
    }

    async fn appointment(&self, access: &Access, id: &str) -> Result<Appointment, MailboxError> {
        self.get_appointment(&self.acting(access).await?, id).await
    }

    async fn update_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        self.update_calendar_item(&self.acting(access).await?, id, version, appointment)
            .await
    }

    async fn delete_appointment(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete(&self.acting(access).await?, id, version, true)
            .await
    }

    async fn cancel_meeting(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError> {
        self.cancel(&self.acting(access).await?, id, version, message)
            .await
    }

    async fn reply_to_invitation(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError> {
        self.reply(&self.acting(access).await?, id, version, reply)
            .await
    }

    async fn search_people(
        &self,
        access: &Access,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        self.resolve_people(&self.acting(access).await?, query)
            .await
    }

    async fn room_lists(&self, access: &Access) -> Result<Vec<Place>, MailboxError> {
        self.list_room_lists(&self.acting(access).await?).await
    }

    async fn rooms(&self, access: &Access, room_list: &str) -> Result<Vec<Place>, MailboxError> {
        self.list_rooms(&self.acting(access).await?, room_list)
            .await
    }

    async fn availability(
        &self,
        access: &Access,
        addresses: &[String],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        self.free_busy(&self.acting(access).await?, addresses, start, end)
            .await
    }

    async fn task(&self, access: &Access, id: &str) -> Result<Task, MailboxError> {
        self.get_task(&self.acting(access).await?, id).await
    }

    async fn update_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError> {
        self.update_task_item(&self.acting(access).await?, id, version, task)
            .await
    }

    async fn delete_task(
        &self,
        access: &Access,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        self.delete(&self.acting(access).await?, id, version, false)
            .await
    }

    async fn create_task(
        &self,
        access: &Access,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError> {
        let request = CreateItem::task(mapping::task_to_ews(task, &once.client_request_id));
        let id = self
            .create(
                &self.acting(access).await?,
                &request,
                FolderId::tasks(),
                once,
            )
            .await?;
        Ok(mapping::created_task(task, id))
    }

    async fn task_page(
        &self,
        access: &Access,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError> {
        self.tasks_folder_page(&self.acting(access).await?, filter, sort, limit, cursor)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigLayer, EwsAuth, ServiceAccount};

    fn ews_config(auth: EwsAuth) -> EwsConfig {
        let layer = ConfigLayer::from_toml("[sandbox]\nenabled = true\n", "t.toml".as_ref());
        let mut config = Config::resolve([layer.unwrap()]).unwrap().ews;
        config.auth = auth;
        config
    }

    fn mailbox(auth: EwsAuth) -> EwsMailbox {
        let config = ews_config(auth);
        let endpoint = Url::parse("https://mail.example.com/EWS/Exchange.asmx").unwrap();
        EwsMailbox::new(endpoint, &config).unwrap()
    }

    fn access(mailbox: Option<&str>) -> Access {
        Access {
            token: SecretString::from("user-token".to_owned()),
            mailbox: mailbox.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn a_service_account_impersonates_the_verified_mailbox_and_nothing_else() {
        let account = ServiceAccount {
            username: "C\\svc".into(),
            password: SecretString::from("pw".to_owned()),
        };
        let ews = mailbox(EwsAuth::Ntlm(account));
        let dana = access(Some("dana@contoso.com"));
        let acting = ews.acting(&dana).await.unwrap();
        assert_eq!(acting.headers.anchor_mailbox(), Some("dana@contoso.com"));
        // A sign-in that verified no address cannot act: it would be the account's own mailbox.
        for missing in [None, Some("dana")] {
            let Err(MailboxError::Misconfigured(message)) = ews.acting(&access(missing)).await
            else {
                panic!("acted without a verified address");
            };
            assert!(message.contains("email or upn claim"), "{message}");
        }
        // Autodiscover needs the address as much as impersonation does.
        let config = ews_config(EwsAuth::OAuth);
        let discovering = EwsMailbox::discovering(None, &config, InsecureHttpPolicy::default());
        let Err(MailboxError::Misconfigured(message)) = discovering.acting(&access(None)).await
        else {
            panic!("discovered without an address");
        };
        assert!(message.contains("Autodiscover"), "{message}");
        // With the user's own token nobody is impersonated.
        let ews = mailbox(EwsAuth::OAuth);
        let acting = ews.acting(&dana).await.unwrap();
        assert_eq!(acting.headers.anchor_mailbox(), None);
    }
}
