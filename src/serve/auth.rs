//! Who may read the board. On the loopback address anyone on the machine
//! may; on any other address (the hall's LAN) `serve` refuses to start
//! without a token, and a request must carry it: once as `?token=…`
//! (answered with a cookie, HttpOnly and SameSite=Strict, and a redirect
//! to the same page without it, so the token leaves the address bar), or
//! in that cookie, or as `Authorization: Bearer …`.

use anyhow::Result;

/// The cookie that carries the token after the first visit.
const COOKIE: &str = "xiaoneng_token";
/// The shortest token accepted: long enough not to be guessed on a LAN.
const MIN_TOKEN: usize = 16;
/// What a request without the token is told.
pub const DENIED: &str = "此看板需要令牌:请使用管理员提供的地址(带 ?token=…)打开,或在请求头中携带 Authorization: Bearer 令牌。";

/// Refuse a bind the office did not mean: a non-loopback address without
/// a token, or a token too short to keep a LAN out.
pub fn check_bind(bind: std::net::SocketAddr, token: Option<&str>) -> Result<()> {
    match token {
        Some(t) if t.chars().count() < MIN_TOKEN => anyhow::bail!(
            "the token is {} characters: use at least {MIN_TOKEN} (e.g. `openssl rand -hex 16`)",
            t.chars().count()
        ),
        Some(t) if t.chars().any(|c| c.is_whitespace() || c == ';' || c == ',') => {
            anyhow::bail!("the token must not hold spaces, `;` or `,` (it travels in a cookie)")
        }
        None if !bind.ip().is_loopback() => anyhow::bail!(
            "refusing to serve on {bind} without a token: anyone on that network could read the board; \
             give --token or --token-file (or bind 127.0.0.1)"
        ),
        _ => Ok(()),
    }
}

/// What to do with a request.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Allowed,
    /// The token came in the query: set this cookie and redirect here.
    SetCookie(String, String),
    Denied,
}

/// Whether `a` equals `b`, in a time that does not depend on where they
/// first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The verdict on a request, given the token (`None`: no token needed).
pub fn check(token: Option<&str>, request: &tiny_http::Request) -> Verdict {
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_string(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    verdict(token, request.url(), &headers)
}

/// [`check`] on a URL and headers.
pub fn verdict(token: Option<&str>, url: &str, headers: &[(String, String)]) -> Verdict {
    let Some(token) = token else {
        return Verdict::Allowed;
    };
    fn header<'h>(headers: &'h [(String, String)], name: &'h str) -> impl Iterator<Item = &'h str> {
        headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    let bearer = header(headers, "authorization").any(|v| {
        v.strip_prefix("Bearer ")
            .is_some_and(|t| same(t.trim(), token))
    });
    let cookie = header(headers, "cookie").any(|v| {
        v.split(';')
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, t)| k == COOKIE && same(t, token))
    });
    if bearer || cookie {
        return Verdict::Allowed;
    }
    let target = super::Target::parse(url);
    if target.param("token").is_some_and(|t| same(t, token)) {
        let rest: Vec<String> = target
            .query
            .iter()
            .filter(|(k, _)| k != "token")
            .map(|(k, v)| format!("{}={}", super::encode(k), super::encode(v)))
            .collect();
        let path: String = target
            .path
            .split('/')
            .map(super::encode)
            .collect::<Vec<_>>()
            .join("/");
        let location = match rest.is_empty() {
            true => path,
            false => format!("{path}?{}", rest.join("&")),
        };
        return Verdict::SetCookie(
            format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
            location,
        );
    }
    Verdict::Denied
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "0123456789abcdef-token";

    fn h(k: &str, v: &str) -> Vec<(String, String)> {
        vec![(k.to_string(), v.to_string())]
    }

    #[test]
    fn a_lan_bind_needs_a_long_token() {
        let lan: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(check_bind(lan, None).is_err());
        assert!(check_bind(lan, Some("short")).is_err());
        assert!(check_bind(lan, Some(T)).is_ok());
        assert!(check_bind(local, None).is_ok());
        assert!(check_bind("[::1]:8080".parse().unwrap(), None).is_ok());
    }

    #[test]
    fn the_token_comes_by_header_cookie_or_once_in_the_query() {
        assert_eq!(verdict(None, "/", &[]), Verdict::Allowed);
        assert_eq!(verdict(Some(T), "/", &[]), Verdict::Denied);
        let bearer = h("Authorization", &format!("Bearer {T}"));
        assert_eq!(verdict(Some(T), "/", &bearer), Verdict::Allowed);
        let wrong = h("authorization", "Bearer 0123456789abcdef-tokeX");
        assert_eq!(verdict(Some(T), "/", &wrong), Verdict::Denied);
        let cookie = h("Cookie", &format!("a=b; xiaoneng_token={T}"));
        assert_eq!(verdict(Some(T), "/board", &cookie), Verdict::Allowed);
        match verdict(
            Some(T),
            &format!("/window/W05?token={T}&period=2026-10"),
            &[],
        ) {
            Verdict::SetCookie(c, to) => {
                assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"));
                assert_eq!(to, "/window/W05?period=2026-10");
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(verdict(Some(T), "/?token=nope", &[]), Verdict::Denied);
    }
}
