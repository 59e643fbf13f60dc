//! Profiles: `--profile NAME` gives a second, independent instance of the app (its own app
//! identifier, hence its own single-instance lock, data folder, WebKit storage, window state and
//! keychain entry). Also reads `--server URL`, the server to use before the user picks one.

/// The default server: the one `camshare-server` serves with no arguments.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:7878";

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaunchOptions {
    /// `None` for the default profile.
    pub profile: Option<String>,
    /// `--server URL`: overrides the remembered server address.
    pub server: Option<String>,
    /// `--sign-in LOGIN`: sign in at start with the password in `CAMSHARE_PASSWORD` (for demos
    /// and scripts; the password never appears on the command line).
    pub sign_in: Option<String>,
    /// `--pin FINGERPRINT`: trust the server's certificate with this SHA-256 fingerprint (a
    /// self-signed server's, as it printed it), as the CLI's `--pin` does.
    pub pin: Option<camshare_api::Fingerprint>,
    /// `--insecure`: allow a plain `http://` server on another machine.
    pub insecure: bool,
}

impl LaunchOptions {
    /// Reads `--profile NAME`, `--server URL`, `--sign-in LOGIN`, `--pin FINGERPRINT` (also as
    /// `--flag=value`) and `--insecure`; other
    /// arguments are ignored (WebDriver and desktop launchers add their own).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<LaunchOptions, String> {
        let mut options = LaunchOptions::default();
        let mut args = args.into_iter().skip(1);
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f.to_string(), Some(v.to_string())),
                None => (arg.clone(), None),
            };
            let mut value = |name: &str| inline.clone().or_else(|| args.next()).ok_or(format!("{name} needs a value"));
            match flag.as_str() {
                "--profile" => options.profile = Some(check_profile(&value("--profile")?)?),
                "--server" => options.server = Some(value("--server")?),
                "--sign-in" => options.sign_in = Some(value("--sign-in")?),
                "--pin" => options.pin = Some(value("--pin")?.parse().map_err(|e| format!("--pin: {e}"))?),
                "--insecure" => options.insecure = true,
                _ => {}
            }
        }
        Ok(options)
    }

    /// The app identifier for this profile: D-Bus names and folder names derive from it.
    pub fn identifier(&self, base: &str) -> String {
        match &self.profile {
            Some(p) => format!("{base}.{p}"),
            None => base.to_string(),
        }
    }
}

/// A profile name becomes part of a D-Bus name and a folder name: lower-case letters, digits and
/// `_`, starting with a letter, at most 32 characters.
fn check_profile(name: &str) -> Result<String, String> {
    let ok = name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!("profile `{name}`: use lower-case letters, digits and _, starting with a letter (at most 32)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<LaunchOptions, String> {
        LaunchOptions::parse(std::iter::once("camshare-desktop").chain(args.iter().copied()).map(String::from))
    }

    #[test]
    fn profile_and_server_are_read_in_both_forms() {
        let o = parse(&["--profile", "bob", "--server=http://h:1"]).unwrap();
        assert_eq!(o.profile.as_deref(), Some("bob"));
        assert_eq!(o.server.as_deref(), Some("http://h:1"));
        assert_eq!(o.identifier("org.camshare.desktop"), "org.camshare.desktop.bob");
        assert_eq!(parse(&[]).unwrap().identifier("org.camshare.desktop"), "org.camshare.desktop");
    }

    #[test]
    fn unsafe_profile_names_are_refused() {
        for bad in ["Bob", "1bob", "bo-b", "", "a/b"] {
            assert!(parse(&["--profile", bad]).is_err(), "{bad}");
        }
        assert!(parse(&["--profile"]).is_err());
    }

    #[test]
    fn unknown_arguments_are_ignored() {
        assert_eq!(parse(&["--some-driver-flag", "x"]).unwrap(), LaunchOptions::default());
    }
}
