#![allow(missing_docs, clippy::unwrap_used)]
//! JWT benchmarks: what every authenticated request pays before its view runs.
//! - `verify_jwt_access_hs256`: verify an access token as `JwtAuthentication` does (signature,
//!   algorithm, `exp` / `nbf` / `iat`, `jti`, `token_type`) and return its claims;
//! - `sign_jwt_access_hs256`: issue an access token (for comparison: a login issues two).
//!
//! `cargo bench -p rest_framework --bench jwt -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use rest_framework::contrib::simplejwt::jwt::{
    JwtSettings, TokenType, access_token_for_user, decode_token,
};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let settings = JwtSettings::new(b"django-insecure-benchmark-signing-key-0123456789".to_vec());
    let token = access_token_for_user(&settings, 42);
    let claims = decode_token(&settings, &token, Some(TokenType::Access)).expect("valid token");
    assert_eq!(claims.user_id, "42");

    c.bench_function("verify_jwt_access_hs256", |b| {
        b.iter(|| {
            decode_token(&settings, black_box(&token), Some(TokenType::Access))
                .expect("valid token")
        })
    });
    c.bench_function("sign_jwt_access_hs256", |b| {
        b.iter(|| access_token_for_user(&settings, black_box(42)))
    });
}

criterion_group!(jwt, benches);
criterion_main!(jwt);
