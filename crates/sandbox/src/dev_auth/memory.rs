//! What the development authorization server keeps in memory between requests: authorization
//! requests waiting for sign-in and consent, unused codes, and recently used codes (for replay
//! detection). Anyone may open `/authorize`, so every table is bounded: expired entries are
//! purged whenever one is added, and a full table refuses new entries instead of growing.

use std::collections::HashMap;

use super::DevUser;

/// Authorization requests between `/authorize` and the consent decision. A development server
/// rarely has more than a few in progress; the load test signs in 16 users at a time.
pub const MAX_PENDING_REQUESTS: usize = 1_000;
/// Codes issued but not yet exchanged (each lives a minute).
pub const MAX_UNUSED_CODES: usize = 1_000;
/// Used codes remembered to detect a replay.
const MAX_USED_CODES: usize = 10_000;
/// How long a used code is remembered: long after it expired, a replay is refused as unknown.
const USED_CODE_MEMORY_SECS: i64 = 3_600;

/// An authorization request between `/authorize` and the consent decision.
#[derive(Clone, Debug)]
pub struct PendingRequest {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scope: String,
    pub code_challenge: String,
    /// OIDC `nonce` of the request, echoed in the ID token.
    pub nonce: Option<String>,
    pub user: Option<DevUser>,
    pub expires_at: i64,
}

#[derive(Clone, Debug)]
pub struct CodeGrant {
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub sub: String,
    pub expires_at: i64,
    pub grant_id: String,
}

#[derive(Clone, Debug)]
struct UsedCode {
    grant_id: String,
    forget_at: i64,
}

/// A table is at its cap even after purging expired entries.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

/// How a code exchange went.
pub enum Redemption {
    /// First use: the grant the code stands for (it may have expired since).
    Fresh(CodeGrant),
    /// Already used: the grant it produced, to be revoked.
    Replayed(String),
    Unknown,
}

#[derive(Default)]
pub struct Memory {
    requests: HashMap<String, PendingRequest>,
    /// Unused codes by SHA-256.
    codes: HashMap<Vec<u8>, CodeGrant>,
    /// Used codes by SHA-256.
    used_codes: HashMap<Vec<u8>, UsedCode>,
}

impl Memory {
    pub fn add_request(
        &mut self,
        id: String,
        request: PendingRequest,
        now: i64,
    ) -> Result<(), Full> {
        self.requests.retain(|_, r| r.expires_at > now);
        if self.requests.len() >= MAX_PENDING_REQUESTS {
            return Err(Full);
        }
        self.requests.insert(id, request);
        Ok(())
    }

    /// A request still waiting for its decision.
    pub fn request_mut(&mut self, id: &str, now: i64) -> Option<&mut PendingRequest> {
        self.requests.get_mut(id).filter(|r| r.expires_at > now)
    }

    /// Takes a request out for its decision (one decision per request).
    pub fn take_request(&mut self, id: &str, now: i64) -> Option<PendingRequest> {
        self.requests.remove(id).filter(|r| r.expires_at > now)
    }

    pub fn add_code(&mut self, hash: Vec<u8>, grant: CodeGrant, now: i64) -> Result<(), Full> {
        self.codes.retain(|_, c| c.expires_at > now);
        if self.codes.len() >= MAX_UNUSED_CODES {
            return Err(Full);
        }
        self.codes.insert(hash, grant);
        Ok(())
    }

    /// Uses a code: it moves to the used ones, so a second use is recognised as a replay.
    pub fn redeem_code(&mut self, hash: Vec<u8>, now: i64) -> Redemption {
        if let Some(used) = self.used_codes.get(&hash) {
            return Redemption::Replayed(used.grant_id.clone());
        }
        let Some(grant) = self.codes.remove(&hash) else {
            return Redemption::Unknown;
        };
        self.remember_used(hash, grant.grant_id.clone(), now);
        Redemption::Fresh(grant)
    }

    fn remember_used(&mut self, hash: Vec<u8>, grant_id: String, now: i64) {
        if self.used_codes.len() >= MAX_USED_CODES {
            self.used_codes.retain(|_, u| u.forget_at > now);
        }
        if self.used_codes.len() >= MAX_USED_CODES {
            // Still full within the memory window: forget the oldest one.
            let oldest = self
                .used_codes
                .iter()
                .min_by_key(|(_, u)| u.forget_at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.used_codes.remove(&oldest);
            }
        }
        self.used_codes.insert(
            hash,
            UsedCode {
                grant_id,
                forget_at: now + USED_CODE_MEMORY_SECS,
            },
        );
    }

    /// Entries held: (pending requests, unused codes, used codes).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (self.requests.len(), self.codes.len(), self.used_codes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires_at: i64) -> CodeGrant {
        CodeGrant {
            redirect_uri: "http://127.0.0.1/auth/callback".into(),
            scope: "openid".into(),
            code_challenge: "c".into(),
            nonce: None,
            sub: "alice".into(),
            expires_at,
            grant_id: format!("grant-{expires_at}"),
        }
    }

    #[test]
    fn used_codes_are_remembered_within_their_bound() {
        let mut memory = Memory::default();
        for i in 0..(MAX_USED_CODES + 5) {
            let hash = i.to_be_bytes().to_vec();
            memory.add_code(hash.clone(), grant(100), 0).unwrap();
            assert!(matches!(memory.redeem_code(hash, 0), Redemption::Fresh(_)));
        }
        assert_eq!(memory.sizes(), (0, 0, MAX_USED_CODES));
        // The latest use is remembered: a replay is recognised.
        let last = (MAX_USED_CODES + 4).to_be_bytes().to_vec();
        assert!(matches!(
            memory.redeem_code(last, 1),
            Redemption::Replayed(_)
        ));
        // Past the memory window the old entries make room instead of the oldest one only.
        let later = USED_CODE_MEMORY_SECS + 1;
        memory
            .add_code(vec![0xff], grant(later + 60), later)
            .unwrap();
        assert!(matches!(
            memory.redeem_code(vec![0xff], later),
            Redemption::Fresh(_)
        ));
        assert_eq!(memory.sizes(), (0, 0, 1));
    }
}
