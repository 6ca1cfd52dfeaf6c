//! DPoP proofs: a proof signed by the session's key for this request is accepted once; every
//! way of reusing, forging or redirecting one is refused. Proofs are made here with
//! `p256::ecdsa::SigningKey`, as a browser's WebCrypto would make them.

use std::time::Instant;

use axum::http::Method;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use proxy::auth::dpop::{
    DpopError, Expect, IatWindow, Proof, ReplayGuard, access_token_hash, thumbprint, verify,
};
use serde_json::{Value, json};
use url::Url;

const NOW: i64 = 1_800_000_000;
const API: &str = "https://forms.example.com/api/appointments";
const HANDLE: &str = "k3QdVQ9lY0dCw2a3v7JYxq1b8mZr5nT0pH6sW4eUo2A";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_slice(&[seed; 32]).unwrap()
}

fn jkt(key: &SigningKey) -> String {
    thumbprint(key.verifying_key())
}

fn public_jwk(key: &SigningKey) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": B64.encode(point.x().unwrap()),
        "y": B64.encode(point.y().unwrap()),
    })
}

fn header(key: &SigningKey) -> Value {
    json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(key) })
}

fn claims(method: &str, url: &str, iat: i64, jti: &str) -> Value {
    json!({ "htm": method, "htu": url, "iat": iat, "jti": jti, "ath": access_token_hash(HANDLE) })
}

fn encode(value: &Value) -> String {
    B64.encode(serde_json::to_vec(value).unwrap())
}

/// A compact JWS over `header` and `claims`, signed by `key` (raw r||s, as JWS ES256 wants).
fn sign(key: &SigningKey, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", encode(header), encode(claims));
    let signature: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature.to_bytes()))
}

fn proof(key: &SigningKey, method: &str, url: &str, iat: i64, jti: &str) -> String {
    sign(key, &header(key), &claims(method, url, iat, jti))
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// What the session check expects: the session's key and the handle presented.
fn session<'a>(jkt: &'a str) -> Expect<'a> {
    Expect {
        jkt: Some(jkt),
        access_token: Some(HANDLE),
        ..Expect::default()
    }
}

fn check(
    proof: &str,
    method: Method,
    at: &str,
    now: i64,
    expect: Expect<'_>,
) -> Result<Proof, DpopError> {
    verify(proof, &method, &url(at), now, expect)
}

/// `proof` verified as the session check would, for `POST API` at `NOW`.
fn posted(proof: &str, bound: &str) -> Result<Proof, DpopError> {
    check(proof, Method::POST, API, NOW, session(bound))
}

#[test]
fn a_fresh_proof_from_the_sessions_key_is_accepted() {
    let k = key(1);
    let bound = jkt(&k);
    let p = proof(&k, "POST", API, NOW - 5, "jti-1");
    let verified = posted(&p, &bound).unwrap();
    assert_eq!(
        verified,
        Proof {
            jkt: bound.clone(),
            jti: "jti-1".into(),
            iat: NOW - 5,
            usable_until: NOW - 5 + 60,
        }
    );
    // Creating a session: no key bound yet, no handle presented; the proof names the key.
    let p = sign(
        &k,
        &header(&k),
        &json!({ "htm": "POST", "htu": API, "iat": NOW, "jti": "j" }),
    );
    assert_eq!(
        check(&p, Method::POST, API, NOW, Expect::default())
            .unwrap()
            .jkt,
        bound
    );
}

#[test]
fn a_stolen_handle_used_with_another_key_is_refused() {
    let victim = jkt(&key(1));
    // The attacker copied the handle (so ath is right) but signs with a key of their own.
    let p = proof(&key(2), "POST", API, NOW, "jti-1");
    assert_eq!(posted(&p, &victim), Err(DpopError::KeyMismatch));
}

#[test]
fn a_replayed_proof_is_refused() {
    let k = key(1);
    let guard = ReplayGuard::default();
    guard.check(&verified(&k, NOW, "jti-1", NOW), NOW).unwrap();
    // The same proof sent again (captured on the wire, or a retry that did not re-sign).
    let again = verified(&k, NOW, "jti-1", NOW + 1);
    assert_eq!(guard.check(&again, NOW + 1), Err(DpopError::Replayed));
    // A new proof (new jti) from the same key is fine, and so is the same jti from another key.
    guard
        .check(&verified(&k, NOW, "jti-2", NOW + 1), NOW + 1)
        .unwrap();
    guard
        .check(&verified(&key(2), NOW, "jti-1", NOW + 1), NOW + 1)
        .unwrap();
}

#[test]
fn a_proof_made_for_another_request_is_refused() {
    let k = key(1);
    let bound = jkt(&k);
    let p = proof(&k, "POST", API, NOW, "jti-1");
    assert_eq!(
        check(&p, Method::GET, API, NOW, session(&bound)),
        Err(DpopError::MethodMismatch)
    );
    for other in [
        "https://forms.example.com/api/tasks",
        "https://forms.example.com/api/appointments/",
        "https://forms.example.com/API/appointments",
        "http://forms.example.com/api/appointments",
        "https://forms.example.com:8443/api/appointments",
        "https://evil.example/api/appointments",
    ] {
        assert_eq!(
            check(&p, Method::POST, other, NOW, session(&bound)),
            Err(DpopError::UrlMismatch),
            "{other}"
        );
    }
    let lower_case_method = proof(&k, "post", API, NOW, "jti-2");
    assert_eq!(
        posted(&lower_case_method, &bound),
        Err(DpopError::MethodMismatch)
    );
}

#[test]
fn urls_compare_without_query_and_fragment_after_normalisation() {
    let k = key(1);
    let bound = jkt(&k);
    for (htu, request) in [
        (
            API,
            "https://forms.example.com/api/appointments?start=2026-01-01T00:00:00Z",
        ),
        ("https://forms.example.com/api/appointments#x", API),
        ("HTTPS://Forms.Example.COM:443/api/appointments", API),
        ("https://forms.example.com/api/./appointments", API),
        (
            "https://forms.example.com/api/%7euser/%2f",
            "https://forms.example.com/api/~user/%2F",
        ),
        (
            "http://127.0.0.1:8080/api/tasks",
            "http://127.0.0.1:8080/api/tasks?x",
        ),
    ] {
        let p = proof(&k, "GET", htu, NOW, "jti");
        assert!(
            check(&p, Method::GET, request, NOW, session(&bound)).is_ok(),
            "{htu} vs {request}"
        );
    }
    // Only real escapes are normalised, and an encoded slash stays one.
    for (htu, request) in [
        ("https://h.example/a%+1", "https://h.example/a%01"),
        ("https://h.example/a%2Fb", "https://h.example/a/b"),
    ] {
        let p = proof(&k, "GET", htu, NOW, "jti");
        let refused = check(&p, Method::GET, request, NOW, session(&bound));
        assert_eq!(refused, Err(DpopError::UrlMismatch), "{htu} vs {request}");
    }
}

#[test]
fn stale_and_future_proofs_are_refused() {
    let k = key(1);
    let bound = jkt(&k);
    let at = |iat: i64| {
        check(
            &proof(&k, "POST", API, iat, "j"),
            Method::POST,
            API,
            NOW,
            session(&bound),
        )
    };
    assert!(at(NOW - 60).is_ok());
    assert_eq!(at(NOW - 61), Err(DpopError::Stale));
    assert_eq!(at(NOW - 86_400), Err(DpopError::Stale));
    assert!(at(NOW + 10).is_ok());
    assert_eq!(at(NOW + 11), Err(DpopError::FromTheFuture));
    assert_eq!(at(i64::MAX), Err(DpopError::FromTheFuture));
    assert_eq!(at(i64::MIN), Err(DpopError::Stale));
    // The window is configurable.
    let strict = Expect {
        window: IatWindow {
            max_age_secs: 5,
            max_ahead_secs: 0,
        },
        ..session(&bound)
    };
    let p = proof(&k, "POST", API, NOW - 6, "j");
    assert_eq!(
        check(&p, Method::POST, API, NOW, strict),
        Err(DpopError::Stale)
    );
    let p = proof(&k, "POST", API, NOW + 1, "j");
    assert_eq!(
        check(&p, Method::POST, API, NOW, strict),
        Err(DpopError::FromTheFuture)
    );
}

#[test]
fn a_tampered_proof_is_refused() {
    let k = key(1);
    let bound = jkt(&k);
    let p = proof(&k, "POST", API, NOW, "jti-1");
    let parts: Vec<&str> = p.split('.').collect();

    // Claims rewritten (a fresh iat on an old proof) under the original signature.
    let rewritten = encode(&claims("POST", API, NOW + 1, "jti-1"));
    let forged = format!("{}.{rewritten}.{}", parts[0], parts[2]);
    assert_eq!(posted(&forged, &bound), Err(DpopError::BadSignature));

    // One bit of the signature flipped.
    let mut signature = B64.decode(parts[2]).unwrap();
    signature[10] ^= 1;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], B64.encode(&signature));
    assert_eq!(posted(&flipped, &bound), Err(DpopError::BadSignature));

    // Signature cut short, or missing.
    let short = format!("{}.{}.{}", parts[0], parts[1], B64.encode(&signature[..63]));
    assert_eq!(posted(&short, &bound), Err(DpopError::BadSignature));
    let none = format!("{}.{}.", parts[0], parts[1]);
    assert_eq!(posted(&none, &bound), Err(DpopError::BadSignature));

    // The header's key swapped for the session's while the signature stays another key's.
    let attacker = key(2);
    let signed_by_attacker = proof(&attacker, "POST", API, NOW, "jti-1");
    let sig = signed_by_attacker.rsplit('.').next().unwrap();
    let claims_b64 = signed_by_attacker.split('.').nth(1).unwrap();
    let swapped = format!("{}.{claims_b64}.{sig}", encode(&header(&k)));
    assert_eq!(posted(&swapped, &bound), Err(DpopError::BadSignature));

    // A header member changed after signing (typ kept valid, an extra member added).
    let mut h = header(&k);
    h["kid"] = json!("x");
    let edited = format!("{}.{}.{}", encode(&h), parts[1], parts[2]);
    assert_eq!(
        check(&edited, Method::POST, API, NOW, Expect::default()),
        Err(DpopError::BadSignature)
    );
}

/// `object[member] = value`, or removes `member` when `value` is `None`.
fn set(object: &mut Value, member: &str, value: Option<Value>) {
    match value {
        Some(v) => object[member] = v,
        None => {
            object.as_object_mut().unwrap().remove(member);
        }
    }
}

#[test]
fn only_es256_proofs_of_type_dpop_jwt_are_accepted() {
    let k = key(1);
    let bound = jkt(&k);
    let c = claims("POST", API, NOW, "jti-1");
    let refused = |p: &str| posted(p, &bound).unwrap_err();

    // alg none: an unsigned token must not pass for a signed one.
    let mut h = header(&k);
    h["alg"] = json!("none");
    let unsigned = format!("{}.{}.", encode(&h), encode(&c));
    assert_eq!(refused(&unsigned), DpopError::UnsupportedAlgorithm);
    // HS256 keyed with public values (the classic algorithm confusion).
    h["alg"] = json!("HS256");
    let input = format!("{}.{}", encode(&h), encode(&c));
    let secret = public_jwk(&k)["x"].as_str().unwrap().to_owned();
    let mac = hmac_sha256(secret.as_bytes(), input.as_bytes());
    let hmac = format!("{input}.{}", B64.encode(mac));
    assert_eq!(refused(&hmac), DpopError::UnsupportedAlgorithm);

    let unsupported = DpopError::UnsupportedAlgorithm;
    for (member, value, expected) in [
        ("alg", Some(json!("ES384")), &unsupported),
        ("alg", Some(json!("RS256")), &unsupported),
        ("alg", Some(json!("es256")), &unsupported),
        ("alg", None, &unsupported),
        ("typ", Some(json!("JWT")), &DpopError::WrongType),
        ("typ", Some(json!("DPOP+JWT")), &DpopError::WrongType),
        ("typ", None, &DpopError::WrongType),
        (
            "crit",
            Some(json!(["exp"])),
            &DpopError::UnsupportedCritical,
        ),
    ] {
        let mut h = header(&k);
        set(&mut h, member, value.clone());
        assert_eq!(&refused(&sign(&k, &h, &c)), expected, "{member}: {value:?}");
    }
}

#[test]
fn the_key_must_be_a_public_p256_jwk() {
    let k = key(1);
    let c = claims("POST", API, NOW, "jti-1");
    let refused = |p: &str| check(p, Method::POST, API, NOW, Expect::default()).unwrap_err();

    let mut h = header(&k);
    h.as_object_mut().unwrap().remove("jwk");
    assert_eq!(refused(&sign(&k, &h, &c)), DpopError::BadKey);
    let x = public_jwk(&k)["x"].as_str().unwrap().to_owned();
    for (member, value, expected) in [
        // The private scalar published alongside: the client's key is compromised.
        (
            "d",
            Some(json!(B64.encode(k.to_bytes()))),
            DpopError::PrivateKey,
        ),
        ("k", Some(json!("c2VjcmV0")), DpopError::PrivateKey),
        ("kty", Some(json!("RSA")), DpopError::BadKey),
        ("crv", Some(json!("P-384")), DpopError::BadKey),
        ("y", None, DpopError::BadKey),
        // A point that is not on the curve.
        ("y", Some(json!(B64.encode([7u8; 32]))), DpopError::BadKey),
        // A coordinate of the wrong length, or with padding.
        ("x", Some(json!(B64.encode([7u8; 31]))), DpopError::BadKey),
        ("x", Some(json!(format!("{x}="))), DpopError::BadKey),
    ] {
        let mut h = header(&k);
        set(&mut h["jwk"], member, value.clone());
        assert_eq!(refused(&sign(&k, &h, &c)), expected, "{member}: {value:?}");
    }
    // Extra public members (WebCrypto exports ext and key_ops) are fine.
    let mut h = header(&k);
    h["jwk"]["ext"] = json!(true);
    h["jwk"]["key_ops"] = json!(["verify"]);
    let verified = check(&sign(&k, &h, &c), Method::POST, API, NOW, Expect::default());
    assert_eq!(verified.unwrap().jkt, jkt(&k));
}

#[test]
fn the_proof_must_name_the_session_handle_presented() {
    let k = key(1);
    let bound = jkt(&k);
    for ath in [
        Some(json!(access_token_hash("another-session-handle"))),
        None,
    ] {
        let mut c = claims("POST", API, NOW, "jti-1");
        set(&mut c, "ath", ath.clone());
        let p = sign(&k, &header(&k), &c);
        assert_eq!(
            posted(&p, &bound),
            Err(DpopError::AccessTokenMismatch),
            "{ath:?}"
        );
    }
    // RFC 9449 §4.2's rule: base64url of the SHA-256 of the handle's ASCII bytes (checked
    // with python3: base64.urlsafe_b64encode(hashlib.sha256(b"...").digest())).
    assert_eq!(
        access_token_hash(HANDLE),
        "kOesu9Evd7VTN_GTbnd4kDIprh4w8PI7rf6rPyCGPko"
    );
}

#[test]
fn malformed_proofs_are_refused_with_a_reason() {
    let k = key(1);
    let refused = |p: &str| check(p, Method::POST, API, NOW, Expect::default()).unwrap_err();
    let p = proof(&k, "POST", API, NOW, "jti-1");
    assert_eq!(refused(""), DpopError::Malformed);
    assert_eq!(refused("a.b"), DpopError::Malformed);
    assert_eq!(refused(&format!("{p}.x")), DpopError::Malformed);
    assert_eq!(refused("!!!.e30.AA"), DpopError::Malformed);
    assert_eq!(refused(&"a".repeat(4000)), DpopError::Malformed);
    let with_claims = |c: Value| refused(&sign(&k, &header(&k), &c));
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": API, "iat": NOW })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": API, "iat": NOW, "jti": "" })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": API, "iat": NOW, "jti": "j".repeat(65) })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": API, "iat": "1800000000", "jti": "j" })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": API, "iat": 1.5, "jti": "j" })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htu": API, "iat": NOW, "jti": "j" })),
        DpopError::BadClaims
    );
    assert_eq!(
        with_claims(json!({ "htm": "POST", "htu": "/api/appointments", "iat": NOW, "jti": "j" })),
        DpopError::UrlMismatch
    );
    // The messages are plain sentences for a 401 answer, without key material.
    let message = DpopError::KeyMismatch.to_string();
    assert!(
        message.ends_with('.') && !message.contains(&jkt(&k)),
        "{message}"
    );
}

#[test]
fn high_s_signatures_as_webcrypto_makes_them_are_accepted() {
    // WebCrypto does not normalise s; half its signatures have the high form.
    let k = key(1);
    let input = format!(
        "{}.{}",
        encode(&header(&k)),
        encode(&claims("POST", API, NOW, "jti-1"))
    );
    let signature: Signature = k.sign(input.as_bytes());
    let (r, s) = signature.split_scalars();
    let other_s = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    for sig in [signature, other_s] {
        let p = format!("{input}.{}", B64.encode(sig.to_bytes()));
        assert!(check(&p, Method::POST, API, NOW, Expect::default()).is_ok());
    }
}

/// A proof by `k` made at `iat`, verified at `now` for a session bound to `k`.
fn verified(k: &SigningKey, iat: i64, jti: &str, now: i64) -> Proof {
    let p = proof(k, "POST", API, iat, jti);
    check(&p, Method::POST, API, now, session(&jkt(k))).unwrap()
}

/// A proof of key 1 with this `jti`, verified at its `iat`.
fn at(iat: i64, jti: &str) -> Proof {
    verified(&key(1), iat, jti, iat)
}

#[test]
fn the_replay_guard_forgets_stale_proofs_and_refuses_them_anyway() {
    let guard = ReplayGuard::default();
    let early = at(NOW, "a");
    guard.check(&early, NOW).unwrap();
    guard.check(&at(NOW + 30, "b"), NOW + 30).unwrap();
    assert_eq!(guard.len(), 2);
    // Still remembered on its last acceptable second.
    assert_eq!(guard.check(&early, NOW + 60), Err(DpopError::Replayed));
    // One second later the first is forgotten: verify refuses it as stale, and so does the
    // guard if asked directly.
    guard.check(&at(NOW + 61, "c"), NOW + 61).unwrap();
    assert_eq!(guard.len(), 2);
    assert_eq!(guard.check(&early, NOW + 61), Err(DpopError::Stale));
    guard.check(&at(NOW + 200, "d"), NOW + 200).unwrap();
    assert_eq!(guard.len(), 1);
}

#[test]
fn the_replay_guard_refuses_new_proofs_beyond_its_cap_instead_of_growing() {
    let guard = ReplayGuard::new(3);
    for jti in ["a", "b", "c"] {
        guard.check(&at(NOW, jti), NOW).unwrap();
    }
    assert_eq!(
        guard.check(&at(NOW, "d"), NOW),
        Err(DpopError::TooManyProofs)
    );
    // A replay is still reported as such when full.
    assert_eq!(guard.check(&at(NOW, "a"), NOW), Err(DpopError::Replayed));
    assert_eq!(guard.len(), 3);
    // Once the remembered proofs are stale there is room again.
    guard.check(&at(NOW + 61, "d"), NOW + 61).unwrap();
    assert_eq!(guard.len(), 1);
}

#[test]
fn the_replay_guard_cap_is_set_in_memory_and_holds_a_busy_minute() {
    // A caller-set budget: room for three proofs.
    let small = ReplayGuard::with_memory(3 * ReplayGuard::ENTRY_BYTES);
    for jti in ["a", "b", "c"] {
        small.check(&at(NOW, jti), NOW).unwrap();
    }
    assert_eq!(
        small.check(&at(NOW, "d"), NOW),
        Err(DpopError::TooManyProofs)
    );
    // The default remembers a minute of thousands of requests a second (the replay memory is
    // not what limits a busy process), and still refuses every one of them a second time.
    let guard = ReplayGuard::default();
    let busy_minute = 150_000;
    let bound = jkt(&key(1));
    let signed = |i: usize| Proof {
        jkt: bound.clone(),
        jti: format!("jti-{i}"),
        iat: NOW,
        usable_until: NOW + 60,
    };
    for i in 0..busy_minute {
        guard.check(&signed(i), NOW).unwrap();
    }
    assert_eq!(guard.len(), busy_minute);
    for i in (0..busy_minute).step_by(997) {
        assert_eq!(guard.check(&signed(i), NOW + 60), Err(DpopError::Replayed));
    }
    // Forgotten together once stale.
    let next_minute = Proof {
        iat: NOW + 61,
        usable_until: NOW + 121,
        ..signed(busy_minute)
    };
    guard.check(&next_minute, NOW + 61).unwrap();
    assert_eq!(guard.len(), 1);
}

#[test]
fn thumbprints_match_values_computed_independently() {
    // RFC 7517 Appendix A.1's example P-256 key. Expected value computed with python3's stdlib:
    // base64.urlsafe_b64encode(hashlib.sha256(json.dumps({"crv":"P-256","kty":"EC","x":X,
    // "y":Y}, separators=(",", ":"), sort_keys=True).encode()).digest()).rstrip(b"=").
    let rfc7517 = proof_header_key(
        "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
        "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
    );
    assert_eq!(
        thumbprint(&rfc7517),
        "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"
    );
    // RFC 9449's example key; Figure 9 publishes its jkt (python3 gives the same).
    let rfc9449 = proof_header_key(
        "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    );
    assert_eq!(
        thumbprint(&rfc9449),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
}

/// RFC 9449 Figure 2: the specification's own example proof, checked at its `iat`.
const RFC9449_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";

#[test]
fn the_rfc_9449_example_proof_verifies() {
    let expect = Expect {
        jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
        ..Expect::default()
    };
    let at = "https://server.example.com/token";
    let verified = check(RFC9449_PROOF, Method::POST, at, 1_562_262_616, expect).unwrap();
    assert_eq!(verified.jti, "-BwC3ESc6acc2lTc");
    assert_eq!(
        check(RFC9449_PROOF, Method::POST, at, 1_562_262_616 + 61, expect),
        Err(DpopError::Stale)
    );
}

/// Proofs made by the widget (`src/js/dpop.js`, WebCrypto) in headless Chromium: printed by the
/// browser test `a_proof_is_a_signed_jws_carrying_the_public_key` (tests/dpop.rs at the
/// workspace root, run with `-- --nocapture`), with the thumbprint the widget computed. One
/// has a low s, one a high s (WebCrypto does not normalise it). Request: `POST
/// http://127.0.0.1:8080/api/appointments?start=…#top` presenting `HANDLE`.
const BROWSER_PROOFS: [(&str, i64, &str); 2] = [
    (
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiekJGYmdBckdjRWlWUDdDdUNBRGQ5ckVYNmJTLXRFRjhMTXNtZTNOMjVUNCIsInkiOiI3Vy1zcWdUMXZLZWcwdy12T1pabTVsUjhNSU5INVVxNWl3YThuaDEtLVF3In19.eyJodG0iOiJQT1NUIiwiaHR1IjoiaHR0cDovLzEyNy4wLjAuMTo4MDgwL2FwaS9hcHBvaW50bWVudHMiLCJpYXQiOjE3OTYwMTk2NTksImp0aSI6ImgxU3JUQWhUaV84OEM2cDh6WmdkeFEiLCJhdGgiOiJrT2VzdTlFdmQ3VlROX0dUYm5kNGtESXByaDR3OFBJN3JmNnJQeUNHUGtvIn0.YPZhST2oVJSvLLZ9RpFobIVbCHNbz9dPdEobNiDTkgBBFfB9HBY3-TgXXUP0g0davSAlnv07WIt8NsM4jWYjBA",
        1_796_019_659,
        "tqbxo1z9mwXkCRbQHbhO7G6Ees5fN0tV15Z9kWWC2Nw",
    ),
    (
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwiY3J2IjoiUC0yNTYiLCJ4IjoiVkJCbS1UZjd4UlNtVEo3TXBSUlBDZ2RkUktQU1J3a1ktWExqdmZIdjQ5OCIsInkiOiJsRi0wbDRtNDdPVXVyQlA0aklVUGFCU1U2bUM3Y3VLem81UjVaS2N6b0tFIn19.eyJodG0iOiJQT1NUIiwiaHR1IjoiaHR0cDovLzEyNy4wLjAuMTo4MDgwL2FwaS9hcHBvaW50bWVudHMiLCJpYXQiOjE3OTYwMTk2NzMsImp0aSI6IjJvZktvZ3hDOFFmbUVBaUZHbGVtQ0EiLCJhdGgiOiJrT2VzdTlFdmQ3VlROX0dUYm5kNGtESXByaDR3OFBJN3JmNnJQeUNHUGtvIn0.BTVGHv_fMkTsvLw8rRyw5soUGl_Lwhhzw7SMp2zVQhGVNtKayR7cK0Y3bw91hgV0ArDTLbyiRzx3fqSpUyGQyg",
        1_796_019_673,
        "VtZsGaYUN_FsP4lneNqjwIxVgoPcjfdiJXbgh0Qby0A",
    ),
];

#[test]
fn proofs_made_by_the_widget_in_chromium_verify() {
    let request = "http://127.0.0.1:8080/api/appointments?start=2026-01-01T00:00:00Z";
    for (proof, iat, widget_thumbprint) in BROWSER_PROOFS {
        let verified = check(
            proof,
            Method::POST,
            request,
            iat + 1,
            session(widget_thumbprint),
        );
        assert_eq!(verified.unwrap().iat, iat);
        // The same proof for another method or handle is refused: the fixture is not inert.
        let other_handle = Expect {
            access_token: Some("another-session-handle"),
            ..session(widget_thumbprint)
        };
        let refused = check(proof, Method::POST, request, iat + 1, other_handle);
        assert_eq!(refused, Err(DpopError::AccessTokenMismatch));
        let refused = check(
            proof,
            Method::GET,
            request,
            iat + 1,
            session(widget_thumbprint),
        );
        assert_eq!(refused, Err(DpopError::MethodMismatch));
    }
}

/// Prints the cost of one verification (signature check included):
/// `cargo test --release -p exchange-forms-proxy --test suite dpop:: -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; run in release with --nocapture"]
fn verify_cost() {
    let k = key(1);
    let bound = jkt(&k);
    let proofs: Vec<String> = (0..2000)
        .map(|i| proof(&k, "POST", API, NOW, &format!("jti-{i}")))
        .collect();
    let guard = ReplayGuard::default();
    let started = Instant::now();
    for p in &proofs {
        let verified = posted(p, &bound).unwrap();
        guard.check(&verified, NOW).unwrap();
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / proofs.len() as f64;
    println!(
        "DPoP verify + replay check: {per:.1} µs per proof ({} proofs)",
        proofs.len()
    );
}

fn proof_header_key(x: &str, y: &str) -> p256::ecdsa::VerifyingKey {
    let point = p256::EncodedPoint::from_affine_coordinates(
        B64.decode(x).unwrap().as_slice().into(),
        B64.decode(y).unwrap().as_slice().into(),
        false,
    );
    p256::ecdsa::VerifyingKey::from_encoded_point(&point).unwrap()
}

/// HMAC-SHA-256 (RFC 2104) from sha2, for the algorithm-confusion attack above.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}
