//! A single-node KRaft Kafka broker for the live tests, on 127.0.0.1 and free ports:
//!
//! - `SASL` listener, SASL_PLAINTEXT with SCRAM-SHA-512 (kbundle's `scram-sha-512` users, and
//!   the harness's super user `admin`, whose credential is added when the storage is formatted);
//! - `SSL` listener with `ssl.client.auth=required` (kbundle's `tls` users: a certificate per
//!   principal with subject `CN=<name>`, made with openssl and signed by a test CA; Kafka's
//!   default principal builder then names them `User:CN=<name>`, as Strimzi's users are);
//! - `CONTROLLER` listener, SASL_PLAINTEXT with PLAIN for `admin` only (the broker and
//!   controller of the one node talk over it);
//! - `StandardAuthorizer`, `allow.everyone.if.no.acl.found=false`, `super.users=User:admin`.

use super::procs::{Proc, free_port};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub const ADMIN: &str = "admin";

/// How to run Java with the pinned Kafka jars and the test's compiled classes.
#[derive(Clone)]
pub struct Jvm {
    pub java: PathBuf,
    pub classpath: String,
}

impl Jvm {
    pub fn command(&self, main: &str) -> Command {
        self.command_with(&[], main)
    }

    /// Small heaps and the quick JIT: the machine has 2 cores shared by everything.
    pub fn command_with(&self, jvm_args: &[String], main: &str) -> Command {
        let mut cmd = Command::new(&self.java);
        cmd.args([
            "-Xms64m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
        ])
        .args(jvm_args)
        .arg("-cp")
        .arg(&self.classpath)
        .arg(main);
        cmd
    }
}

pub struct Broker {
    pub proc: Proc,
    pub sasl_port: u16,
    pub ssl_port: u16,
    pub dir: PathBuf,
    pub admin_password: String,
}

/// A password nobody else knows: SHA-256 of the time, the pid and a label (hex).
pub fn secret(label: &str) -> String {
    use sha2::{Digest, Sha256};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let digest = Sha256::digest(format!("{nanos}/{}/{label}", std::process::id()));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[track_caller]
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`), and `<name>.pem` (PKCS#8 key + certificate, Kafka's PEM keystore format)
/// signed by it with subject CN=<name>; `san` adds subjectAltName (the broker's).
pub fn make_cert(dir: &Path, name: &str, san: Option<&str>) -> PathBuf {
    if !dir.join("ca.pem").is_file() {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=kbundle-live-ca",
            ],
        );
    }
    let (key, csr, crt) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.crt"),
    );
    let subj = format!("/CN={name}");
    openssl(
        dir,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj", &subj,
        ],
    );
    let ext = format!("{name}.ext");
    std::fs::write(
        dir.join(&ext),
        match san {
            Some(san) => format!("subjectAltName={san}\n"),
            None => "extendedKeyUsage=clientAuth\n".to_string(),
        },
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &crt,
            "-extfile",
            &ext,
        ],
    );
    let pem = dir.join(format!("{name}.pem"));
    let text = std::fs::read_to_string(dir.join(&key)).unwrap()
        + &std::fs::read_to_string(dir.join(&crt)).unwrap();
    assert!(text.contains("BEGIN PRIVATE KEY"), "not PKCS#8: {key}");
    std::fs::write(&pem, text).unwrap();
    pem
}

/// A Kafka cluster id: 16 bytes (the first of SHA-256 of `seed`), base64url, no padding.
fn cluster_id(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits = u128::from_be_bytes(Sha256::digest(seed)[..16].try_into().unwrap());
    // 22 six-bit digits cover 132 bits: the 128 of the id, then 4 zero bits.
    (0..22)
        .map(|i| {
            let v = if i < 21 {
                (bits >> (122 - 6 * i)) & 63
            } else {
                (bits & 3) << 4
            };
            ALPHABET[v as usize] as char
        })
        .collect()
}

fn jaas_scram(user: &str, password: &str) -> String {
    format!(
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"{password}\";"
    )
}

impl Broker {
    /// Formats the storage and starts the broker; returns once the SASL and SSL listeners
    /// accept connections (at most 90 s).
    pub fn start(jvm: &Jvm, dir: &Path) -> Broker {
        std::fs::create_dir_all(dir).unwrap();
        let certs = dir.join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        let broker_pem = make_cert(&certs, "broker", Some("IP:127.0.0.1,DNS:localhost"));
        let (sasl_port, ssl_port, controller_port) = (free_port(), free_port(), free_port());
        let pw = secret("admin");
        let props = format!(
            "process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=SASL://127.0.0.1:{sasl_port},SSL://127.0.0.1:{ssl_port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=SASL://127.0.0.1:{sasl_port},SSL://127.0.0.1:{ssl_port}
listener.security.protocol.map=SASL:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:SASL_PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config={scram}
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{ADMIN}\" password=\"{pw}\" user_{ADMIN}=\"{pw}\";
ssl.keystore.type=PEM
ssl.keystore.location={keystore}
ssl.truststore.type=PEM
ssl.truststore.location={ca}
ssl.client.auth=required
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{ADMIN}
log.dirs={data}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
",
            scram = jaas_scram(ADMIN, &pw),
            keystore = broker_pem.display(),
            ca = certs.join("ca.pem").display(),
            data = dir.join("data").display(),
        );
        let config = dir.join("server.properties");
        std::fs::write(&config, props).unwrap();
        std::fs::write(
            dir.join("log4j2.properties"),
            format!(
                "appender.f.type=File\nappender.f.name=f\nappender.f.fileName={}\n\
                 appender.f.layout.type=PatternLayout\nappender.f.layout.pattern=%d %p %c{{1}} %m%n\n\
                 rootLogger.level=INFO\nrootLogger.appenderRef.f.ref=f\n",
                dir.join("server.log").display()
            ),
        )
        .unwrap();

        let id = cluster_id(&secret("cluster-id"));
        let mut fmt = jvm.command("kafka.tools.StorageTool");
        fmt.arg("format")
            .args(["-t", &id, "-c"])
            .arg(&config)
            .arg("--add-scram")
            .arg(format!("SCRAM-SHA-512=[name={ADMIN},password={pw}]"));
        let out = fmt.output().expect("kafka-storage format");
        assert!(
            out.status.success(),
            "kafka-storage format failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let mut cmd = jvm.command_with(
            &[format!(
                "-Dlog4j2.configurationFile={}",
                dir.join("log4j2.properties").display()
            )],
            "kafka.Kafka",
        );
        cmd.arg(&config);
        let proc = Proc::spawn("kafka broker", cmd, &dir.join("broker.out"));
        proc.wait_port(sasl_port, Duration::from_secs(90));
        proc.wait_port(ssl_port, Duration::from_secs(30));
        Broker {
            proc,
            sasl_port,
            ssl_port,
            dir: dir.to_path_buf(),
            admin_password: pw,
        }
    }

    /// Client settings of a SCRAM-SHA-512 user on the SASL listener.
    pub fn scram_props(&self, user: &str, password: &str) -> String {
        format!(
            "bootstrap.servers=127.0.0.1:{}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config={}\n",
            self.sasl_port,
            jaas_scram(user, password)
        )
    }

    /// Client settings of a TLS user (certificate CN=<user>) on the SSL listener.
    pub fn tls_props(&self, user: &str) -> String {
        let certs = self.dir.join("certs");
        let pem = make_cert(&certs, user, None);
        format!(
            "bootstrap.servers=127.0.0.1:{}\nsecurity.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location={}\nssl.truststore.type=PEM\nssl.truststore.location={}\n",
            self.ssl_port,
            pem.display(),
            certs.join("ca.pem").display()
        )
    }

    pub fn admin_props(&self) -> String {
        self.scram_props(ADMIN, &self.admin_password)
    }
}
