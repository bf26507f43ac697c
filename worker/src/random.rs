//! Random ids from the runtime's CSPRNG (`crypto.getRandomValues`): web calls, sessions, demo tokens.

use wasm_bindgen::JsCast;

/// `N` bytes from `crypto.getRandomValues`.
pub(crate) fn bytes<const N: usize>() -> worker::Result<[u8; N]> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())?;
    let get_random_values: js_sys::Function =
        js_sys::Reflect::get(&crypto, &"getRandomValues".into())?
            .dyn_into()
            .map_err(|_| worker::Error::RustError("crypto.getRandomValues is missing".into()))?;
    let length = u32::try_from(N).map_err(|_| worker::Error::RustError("too many bytes".into()))?;
    let array = js_sys::Uint8Array::new_with_length(length);
    get_random_values.call1(&crypto, &array)?;
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    Ok(out)
}

/// Sixteen random bytes in lowercase hex (32 characters): a session id or a token id.
pub(crate) fn hex_id() -> worker::Result<String> {
    Ok(bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect())
}
