//! Connector credential policy: reads connector config keys and values, tells which keys hold
//! credentials (key-name heuristics) and which values carry no literal credential because they
//! are built only from config-provider references.

/// Words that, as the last word or the end of a word of a config key, mean the key holds a
/// credential. Matched against single words and pairs of adjacent words joined
/// (`api.key` → `apikey`, `user.info` → `userinfo`).
const CREDENTIAL_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "accountkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "sharedkey",
    "customerkey",
    "clientkey",
    "keystorekey",
    "sslkey",
    "tlskey",
    "userinfo",
    "keyfile",
    "jaas",
    "authorization",
];

/// Words that, after the credential word, mean the key configures a credential rather than
/// holding one: `password.policy.enabled`, `basic.auth.credentials.source`,
/// `sasl.oauthbearer.token.endpoint.url`, `aws.credentials.provider.class`.
const SETTING_WORDS: &[&str] = &[
    "algorithm",
    "audience",
    "cache",
    "charset",
    "class",
    "count",
    "dir",
    "directory",
    "disable",
    "disabled",
    "enable",
    "enabled",
    "encoding",
    "endpoint",
    "expiration",
    "expiry",
    "field",
    "file",
    "format",
    "header",
    "interval",
    "length",
    "location",
    "manager",
    "max",
    "mechanism",
    "min",
    "minutes",
    "mode",
    "ms",
    "name",
    "path",
    "pattern",
    "policy",
    "prefix",
    "property",
    "provider",
    "refresh",
    "regex",
    "required",
    "retries",
    "rotation",
    "scope",
    "sec",
    "seconds",
    "size",
    "source",
    "strategy",
    "suffix",
    "timeout",
    "ttl",
    "type",
    "uri",
    "url",
    "validation",
    "version",
];

/// Whether a connector config key holds a credential (so its value must be a config-provider
/// reference, never a literal).
///
/// The key is split into lowercase words on `.`, `_`, `-` and camelCase; it is a credential
/// key when a word or two adjacent words joined end in a credential word (password, passwd,
/// passphrase, secret, token, credential(s), api key, private/access/secret/account key,
/// keystore key (`ssl.keystore.key` holds a PEM private key), user info (`basic.auth.user.info`),
/// keyfile (BigQuery), jaas (`sasl.jaas.config`), authorization (an HTTP header value), ...)
/// and no word after it names a setting about the credential.
///
/// Decisions: `password.policy.enabled`, `token.endpoint.url`, `basic.auth.credentials.source`,
/// `gcs.credentials.path` and `*.provider.class` are not credentials (they configure one);
/// `aws.access.key.id` is (it is half of a key pair); user names, `connection.url`,
/// `connection.uri` and `kerberos.keytab` (a file path) are not — a URL with an embedded
/// password is a value problem, not a key one.
pub fn is_credential_key(key: &str) -> bool {
    let words = key_words(key);
    let is_credential = |w: &str| w == "pwd" || CREDENTIAL_ENDINGS.iter().any(|e| w.ends_with(e));
    let mut last = None;
    for (i, word) in words.iter().enumerate() {
        if is_credential(word) {
            last = Some(i);
        }
        if let Some(next) = words.get(i + 1)
            && is_credential(&format!("{word}{next}"))
        {
            last = Some(i + 1);
        }
    }
    last.is_some_and(|i| {
        !words[i + 1..]
            .iter()
            .any(|w| SETTING_WORDS.contains(&w.as_str()))
    })
}

/// Lowercase words of a key, split on non-alphanumerics and camelCase boundaries.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Characters that may join references without carrying secret material
/// (`${secrets:ns/sr:user}:${secrets:ns/sr:password}` for `basic.auth.user.info`).
const REFERENCE_SEPARATORS: &[char] = &[':', ',', ';', '/', '@', '|'];

/// Whether a value carries no literal credential: it is built only from config-provider
/// references (`${secrets:ns/name:key}`, `${configmaps:...}`, `${file:/path:key}`,
/// `${env:VAR}`, `${directory:/path:file}` or any other `${provider:...}`), optionally joined
/// by whitespace or `:,;/@|`; or it is a JAAS configuration (`sasl.jaas.config`) whose
/// credential options (`password`, `clientSecret`, `user_<name>`, ...) are each exactly one
/// reference while the rest (`username`, `clientId`, the login module) may be literal.
pub fn is_reference(value: &str) -> bool {
    let (count, literal) = split_references(value);
    if count > 0
        && literal
            .chars()
            .all(|c| c.is_whitespace() || REFERENCE_SEPARATORS.contains(&c))
    {
        return true;
    }
    jaas_options(value).is_some_and(|options| {
        options.iter().all(|(name, value)| {
            let credential =
                is_credential_key(name) || name.to_ascii_lowercase().starts_with("user_");
            !credential || is_single_reference(value)
        })
    })
}

/// The number of `${provider:...}` references in `value` and the text around them.
fn split_references(value: &str) -> (usize, String) {
    let mut count = 0;
    let mut literal = String::new();
    let mut rest = value;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        match after
            .find('}')
            .filter(|&close| is_reference_body(&after[..close]))
        {
            Some(close) => {
                literal.push_str(&rest[..open]);
                count += 1;
                rest = &after[close + 1..];
            }
            None => {
                literal.push_str(&rest[..open + 2]);
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    (count, literal)
}

/// Kafka's `ConfigTransformer` syntax inside `${...}`: `provider:[path:]key`.
fn is_reference_body(body: &str) -> bool {
    match body.split_once(':') {
        Some((provider, rest)) => {
            !rest.is_empty()
                && !body.contains('{')
                && provider.starts_with(|c: char| c.is_ascii_alphabetic())
                && provider
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        }
        None => false,
    }
}

/// The provider of the first config-provider reference written in `value` (`secrets` for
/// `${secrets:ns/name:key}`), if any.
pub fn provider_reference(value: &str) -> Option<&str> {
    let mut rest = value;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        if let Some(close) = after.find('}')
            && is_reference_body(&after[..close])
        {
            return after[..close].split(':').next();
        }
        rest = after;
    }
    None
}

/// What credential a URL in `value` carries: a password in its userinfo (`user:pw@host`, JDBC
/// and HTTP alike) or a credential query parameter (`?password=...`). A part that is itself a
/// config-provider reference is not a credential.
pub fn url_credential(value: &str) -> Option<&'static str> {
    let mut rest = value;
    while let Some(at) = rest.find("://") {
        let after = &rest[at + 3..];
        let end = after
            .find(['/', '?', '#', ' ', '"', '\''])
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some((userinfo, _host)) = authority.rsplit_once('@')
            && let Some((_user, password)) = userinfo.split_once(':')
            && !password.is_empty()
            && !is_single_reference(password)
        {
            return Some("a password in the URL's user info");
        }
        rest = after;
    }
    // Query and JDBC property parameters: `?password=x`, `;password=x` (SQL Server).
    if !value.contains("://") {
        return None;
    }
    for param in value.split(['?', '&', ';']).skip(1) {
        if let Some((name, v)) = param.split_once('=')
            && is_credential_key(name.trim())
            && !v.trim().is_empty()
            && !is_single_reference(v.trim())
        {
            return Some("a credential parameter in the URL");
        }
    }
    None
}

fn is_single_reference(value: &str) -> bool {
    let (count, literal) = split_references(value.trim());
    count == 1 && literal.is_empty()
}

/// The options of a single-module JAAS configuration
/// (`<LoginModule> <flag> name="value" ... ;`), or `None` if `value` is not one.
fn jaas_options(value: &str) -> Option<Vec<(String, String)>> {
    let b = value.as_bytes();
    let word_end = |start: usize, extra: &[u8]| {
        let mut i = start;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        {
            i += 1;
        }
        i
    };
    let mut i = skip_whitespace(b, 0);
    let module_end = word_end(i, b"_$.");
    if module_end == i || !b[i].is_ascii_alphabetic() {
        return None;
    }
    i = skip_whitespace(b, module_end);
    let flag_end = word_end(i, b"");
    let flag = value[i..flag_end].to_ascii_lowercase();
    if !matches!(
        flag.as_str(),
        "required" | "requisite" | "sufficient" | "optional"
    ) {
        return None;
    }
    i = flag_end;
    let mut options = Vec::new();
    loop {
        i = skip_whitespace(b, i);
        match b.get(i) {
            None => return None,
            Some(b';') => {
                return (skip_whitespace(b, i + 1) == b.len()).then_some(options);
            }
            Some(_) => {}
        }
        let name_end = word_end(i, b"_$.-");
        if name_end == i {
            return None;
        }
        let name = value[i..name_end].to_owned();
        i = skip_whitespace(b, name_end);
        if b.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_whitespace(b, i + 1);
        let option_value = if let Some(&quote) = b.get(i).filter(|c| matches!(c, b'"' | b'\'')) {
            let start = i + 1;
            let mut j = start;
            loop {
                match b.get(j) {
                    None => return None,
                    Some(b'\\') => j += 2,
                    Some(&c) if c == quote => break,
                    Some(_) => j += 1,
                }
            }
            i = j + 1;
            value.get(start..j)?.to_owned()
        } else {
            let start = i;
            while b
                .get(i)
                .is_some_and(|c| !c.is_ascii_whitespace() && *c != b';')
            {
                i += 1;
            }
            if i == start {
                return None;
            }
            value[start..i].to_owned()
        };
        options.push((name, option_value));
    }
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    #[test]
    fn raw_provider_references_and_url_credentials_are_found() {
        use super::{provider_reference, url_credential};
        assert_eq!(
            provider_reference("${secrets:kube-system/admin-token:token}"),
            Some("secrets")
        );
        assert_eq!(
            provider_reference("x ${file:/etc/passwd:root} y"),
            Some("file")
        );
        assert_eq!(provider_reference("${topic}-${partition}"), None);
        assert_eq!(provider_reference("plain"), None);
        for leak in [
            "jdbc:postgresql://app:hunter2@db:5432/orders",
            "https://user:pw@registry:8081",
            "jdbc:mysql://db/orders?user=app&password=hunter2",
            "jdbc:sqlserver://db:1433;user=app;password=hunter2",
        ] {
            assert!(url_credential(leak).is_some(), "{leak}");
        }
        for fine in [
            "jdbc:postgresql://db:5432/orders",
            "https://registry:8081",
            "https://app@registry:8081",
            "jdbc:postgresql://app:${secrets:kafka/db:password}@db/orders",
            "jdbc:mysql://db/orders?user=app&password=${secrets:kafka/db:password}",
            "a;password=x",
        ] {
            assert!(url_credential(fine).is_none(), "{fine}");
        }
    }

    use super::*;
    use crate::template::{TemplateContext, render};

    #[test]
    fn credential_keys() {
        let table: &[(&str, bool)] = &[
            ("connection.password", true),
            ("database.password", true),
            ("aws.secret.access.key", true),
            ("aws.access.key.id", true),
            ("snowflake.private.key", true),
            ("snowflake.private.key.passphrase", true),
            ("ssl.keystore.password", true),
            ("ssl.key.password", true),
            ("ssl.truststore.password", true),
            ("ssl.keystore.key", true),
            ("basic.auth.user.info", true),
            ("schema.registry.basic.auth.user.info", true),
            ("value.converter.basic.auth.user.info", true),
            ("bearer.auth.token", true),
            ("keyfile", true),
            ("keyFile", true),
            ("sasl.jaas.config", true),
            ("producer.override.sasl.jaas.config", true),
            ("oauth2.client.secret", true),
            ("clientSecret", true),
            ("datadog.api.key", true),
            ("api_key", true),
            ("apiKey", true),
            ("splunk.hec.token", true),
            ("snowflake.oauth.refresh.token", true),
            ("azblob.account.key", true),
            ("azblob.sas.token", true),
            ("github.access.token", true),
            ("http.headers.authorization", true),
            ("gcs.credentials.json", true),
            ("mongodb.passwd", true),
            ("db.pwd", true),
            ("s3.sse.customer.key", true),
            ("CONNECT_DB_PASSWORD", true),
            ("key.converter", false),
            ("value.converter", false),
            ("key.ignore", false),
            ("tasks.max", false),
            ("topics", false),
            ("connection.url", false),
            ("connection.uri", false),
            ("connection.user", false),
            ("connection.username", false),
            ("password.policy.enabled", false),
            ("token.endpoint.url", false),
            ("sasl.oauthbearer.token.endpoint.url", false),
            ("basic.auth.credentials.source", false),
            ("value.converter.basic.auth.credentials.source", false),
            ("aws.credentials.provider.class", false),
            ("gcs.credentials.path", false),
            ("ssl.keystore.location", false),
            ("ssl.keystore.type", false),
            ("ssl.key.location", false),
            ("sasl.mechanism", false),
            ("kerberos.keytab", false),
            ("keySource", false),
            ("s3.sse.kms.key.id", false),
            ("secret.name", false),
            ("config.providers.secrets.class", false),
            ("unsecuredLoginStringClaim_sub", false),
            ("tokenizer.type", false),
            ("table.name.format", false),
        ];
        assert!(table.len() >= 30);
        for (key, expected) in table {
            assert_eq!(is_credential_key(key), *expected, "{key}");
        }
    }

    #[test]
    fn references() {
        let table: &[(&str, bool)] = &[
            ("${secrets:kafka/db:password}", true),
            ("${configmaps:kafka/db:url}", true),
            (
                "${file:/opt/kafka/external-configuration/db/creds.properties:password}",
                true,
            ),
            ("${env:DB_PASSWORD}", true),
            ("${directory:/mnt/secrets:password}", true),
            ("  ${secrets:kafka/db:password}\n", true),
            (
                "${secrets:kafka/sr:user}:${secrets:kafka/sr:password}",
                true,
            ),
            ("${vault:secret/data/db:password}", true),
            ("hunter2", false),
            ("", false),
            ("${}", false),
            ("${password}", false),
            ("${:x}", false),
            ("alice:${secrets:kafka/sr:password}", false),
            ("${secrets:kafka/db:password}x", false),
            ("pre${secrets:kafka/db:password}", false),
            (
                "org.apache.kafka.common.security.scram.ScramLoginModule required \
                 username=\"orders\" password=\"${secrets:kafka/orders:password}\";",
                true,
            ),
            (
                "org.apache.kafka.common.security.scram.ScramLoginModule required \
                 username=\"orders\" password=\"hunter2\";",
                false,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 username=${secrets:kafka/u:user} password=${secrets:kafka/u:password} ;",
                true,
            ),
            (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \
                 clientId=\"orders\" clientSecret=\"s3cr3t\";",
                false,
            ),
            (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \
                 clientId=\"orders\" clientSecret=\"${secrets:kafka/oauth:secret}\" scope=\"x\";",
                true,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 user_admin=\"admin-secret\";",
                false,
            ),
            (
                "software.amazon.msk.auth.iam.IAMLoginModule required;",
                true,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 password=\"${secrets:kafka/u:password}\"; extra",
                false,
            ),
            (
                "PlainLoginModule banana password=\"${secrets:kafka/u:password}\";",
                false,
            ),
        ];
        for (value, expected) in table {
            assert_eq!(is_reference(value), *expected, "{value}");
        }
        // What the template functions emit is a reference.
        let ctx = TemplateContext {
            reference: crate::backend::strimzi::connect::config_reference,
            env_name: "prod".into(),
            env_namespace: Some("kafka".into()),
            bundle_name: "orders".into(),
        };
        let emitted = render("{{ secret(name='db', key='password') }}", &ctx);
        assert!(emitted.is_ok_and(|value| is_reference(&value)));
    }
}
