//! One module per EWS operation: a request type (`to_envelope`, and with the `server` feature
//! `parse_request`, see `crate::server`) and a response type (`parse_response`, and with the
//! `server` feature `new` and `to_envelope`).

pub mod cancel_calendar_item;
pub mod create_item;
pub mod delete_item;
pub mod find_item;
pub mod get_folder;
pub mod get_item;
pub mod get_room_lists;
pub mod get_rooms;
pub mod get_user_availability;
pub mod meeting_response;
pub mod resolve_names;
pub mod update_item;

/// Generates the public envelope methods of a request/response pair.
macro_rules! operation {
    ($req:ident, $resp:ident, $name:literal) => {
        $crate::operations::operation!($req, $resp, $name, concat!($name, "Response"));
    };
    ($req:ident, $resp:ident, $name:literal, $resp_name:expr) => {
        impl $req {
            /// Operation name (the body element's local name).
            pub const OPERATION: &'static str = $name;

            /// The complete SOAP request envelope.
            pub fn to_envelope(
                &self,
                headers: &$crate::soap::RequestHeaders,
            ) -> Result<String, $crate::EwsError> {
                $crate::soap::request_envelope(headers, |w| self.write_body(w))
            }

            /// Parses a request envelope for this operation (server side).
            #[cfg(feature = "server")]
            pub fn parse_request(
                bytes: &[u8],
            ) -> Result<(Self, $crate::soap::RequestHeaders), $crate::EwsError> {
                let (v, info) = $crate::soap::read_envelope(
                    bytes,
                    &$crate::ParseLimits::default(),
                    |r, e, _| {
                        if e.ns != $crate::xml::Ns::Messages || e.local() != $name.as_bytes() {
                            return Err(r.err(format!(
                                "expected m:{}, found '{}'",
                                $name,
                                e.local_str()
                            )));
                        }
                        Self::read_body(r, e)
                    },
                )?;
                Ok((v, info.request))
            }
        }

        impl $resp {
            /// Parses a response envelope (default limits). SOAP faults become
            /// [`EwsError::Fault`]; per-message errors stay in the result list.
            pub fn parse_response(bytes: &[u8]) -> Result<Self, $crate::EwsError> {
                Self::parse_response_with(bytes, &$crate::ParseLimits::default())
            }

            pub fn parse_response_with(
                bytes: &[u8],
                limits: &$crate::ParseLimits,
            ) -> Result<Self, $crate::EwsError> {
                let (mut v, info) = $crate::soap::read_envelope(bytes, limits, |r, e, _| {
                    $crate::response::expect_body(r, e, $resp_name)?;
                    Self::read_body(r, e)
                })?;
                v.server_version_info = info.server_version_info;
                Ok(v)
            }

            /// The complete SOAP response envelope (server side).
            #[cfg(feature = "server")]
            pub fn to_envelope(&self) -> Result<String, $crate::EwsError> {
                $crate::soap::response_envelope(self.server_version_info.as_ref(), |w| {
                    self.write_body(w)
                })
            }
        }
    };
}
pub(crate) use operation;
