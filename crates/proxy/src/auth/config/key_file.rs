//! The token encryption key: decoded from the configuration, or made once into a file
//! (sandbox mode) that every later start reads.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::AuthConfigError;
use crate::auth::crypto::TokenKey;

pub(super) fn decode_key(b64: &str) -> Result<TokenKey, String> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|_| "not valid base64".to_owned())?;
    TokenKey::from_slice(&bytes)
        .ok_or_else(|| format!("must decode to 32 bytes, got {}", bytes.len()))
}

pub(super) fn load_or_create_key_file(path: &Path) -> Result<TokenKey, AuthConfigError> {
    use std::io::Write as _;
    let err = |message: String| AuthConfigError::KeyFile {
        path: path.to_owned(),
        message,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create directory: {e}")))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            let key = TokenKey::generate();
            file.write_all(STANDARD.encode(key.expose_bytes()).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| err(format!("cannot write: {e}")))?;
            Ok(key)
        }
        // Another start (or an earlier run) made it: read that one, so all agree on one key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text =
                std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
            decode_key(&text).map_err(err)
        }
        Err(e) => Err(err(format!("cannot create: {e}"))),
    }
}
