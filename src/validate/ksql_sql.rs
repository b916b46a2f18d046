//! A small reader of ksqlDB migration text: just enough of ksqlDB's grammar to tell which
//! topics a statement reads and writes. It splits the text into statements (`;` outside
//! strings, quoted identifiers and comments) and recognises the statements that touch topics:
//!
//! - `CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] name (...) WITH (KAFKA_TOPIC='t')`
//!   declares `name` over topic `t` (ksqlDB requires `KAFKA_TOPIC` here); it reads `t`, and
//!   creates it (a write) when `PARTITIONS` is given.
//! - `CREATE ... name [WITH (...)] AS SELECT ... FROM a [JOIN b ...]` writes the sink topic:
//!   `KAFKA_TOPIC` when given, else the server's `ksql.output.topic.name.prefix` followed by
//!   the sink's name (unquoted identifiers are upper-cased, as ksqlDB does); it reads the
//!   topics of `a`, `b`, ....
//! - `INSERT INTO name ... SELECT ... FROM a` writes `name`'s topic and reads `a`'s;
//!   `INSERT INTO name (...) VALUES (...)` writes `name`'s topic.
//!
//! Every other statement (`DROP`, `CREATE TYPE`, `SET`, `DEFINE`, `ALTER`, `TERMINATE`, …) is
//! left alone. Sources are named by ksqlDB object, so the caller resolves them to topics
//! through the objects the same migrations declared before.

/// One word or symbol of the text, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// An identifier or keyword: upper-cased unless it was quoted (`"x"` or `` `x` ``).
    Word {
        text: String,
        quoted: bool,
    },
    /// A single-quoted string literal, unescaped (`''` is one quote).
    Str(String),
    Sym(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: u32,
}

/// What one statement does to ksqlDB objects and Kafka topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `CREATE STREAM/TABLE name ... WITH (KAFKA_TOPIC=topic)` (no `AS SELECT`).
    Declare {
        line: u32,
        object: String,
        topic: Option<String>,
        creates: bool,
    },
    /// `CREATE ... AS SELECT`: a new object whose topic is `topic` (explicit) or the default.
    CreateAs {
        line: u32,
        object: String,
        topic: Option<String>,
        sources: Vec<String>,
    },
    /// `INSERT INTO object ...`.
    Insert {
        line: u32,
        object: String,
        sources: Vec<String>,
    },
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1u32;
    while let Some(c) = chars.next() {
        let start = line;
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '\'' | '"' | '`' => {
                let quote = c;
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    if c == '\n' {
                        line += 1;
                    }
                    if c == quote {
                        // A doubled quote stands for the quote itself, as in SQL.
                        if chars.peek() == Some(&quote) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    s.push(c);
                }
                out.push(Token {
                    tok: if quote == '\'' {
                        Tok::Str(s)
                    } else {
                        Tok::Word {
                            text: s,
                            quoted: true,
                        }
                    },
                    line: start,
                });
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '$' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token {
                    tok: Tok::Word {
                        text: s.to_uppercase(),
                        quoted: false,
                    },
                    line: start,
                });
            }
            c => out.push(Token {
                tok: Tok::Sym(c),
                line: start,
            }),
        }
    }
    out
}

impl Token {
    /// The keyword or identifier, if this is one (unquoted words are upper-cased).
    fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word { text, .. } => Some(text),
            _ => None,
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word { text, quoted: false } if text == kw)
    }

    fn is_sym(&self, c: char) -> bool {
        self.tok == Tok::Sym(c)
    }
}

/// The statements of a migration that touch topics, in text order.
pub fn statements(text: &str) -> Vec<Statement> {
    let toks = tokens(text);
    toks.split(|t| t.is_sym(';'))
        .filter_map(statement)
        .collect()
}

fn statement(t: &[Token]) -> Option<Statement> {
    let line = t.first()?.line;
    if t.first()?.is_kw("INSERT") {
        let (object, rest) = match t.get(1) {
            Some(k) if k.is_kw("INTO") => (t.get(2)?.word()?.to_string(), t.get(3..)?),
            _ => return None,
        };
        return Some(Statement::Insert {
            line,
            object,
            sources: sources(rest),
        });
    }
    if !t.first()?.is_kw("CREATE") {
        return None;
    }
    let mut i = 1;
    let at = |i: usize, kw: &str| t.get(i).is_some_and(|x| x.is_kw(kw));
    if at(i, "OR") && at(i + 1, "REPLACE") {
        i += 2;
    }
    if at(i, "SOURCE") {
        i += 1;
    }
    if !(at(i, "STREAM") || at(i, "TABLE")) {
        return None;
    }
    i += 1;
    if at(i, "IF") && at(i + 1, "NOT") && at(i + 2, "EXISTS") {
        i += 3;
    }
    let object = t.get(i)?.word()?.to_string();
    let rest = t.get(i + 1..)?;
    // `AS SELECT` at the top level (outside the column list and the WITH clause).
    let mut depth = 0usize;
    let mut as_at = None;
    for (j, tok) in rest.iter().enumerate() {
        if tok.is_sym('(') {
            depth += 1;
        } else if tok.is_sym(')') {
            depth = depth.saturating_sub(1);
        } else if depth == 0
            && tok.is_kw("AS")
            && rest.get(j + 1).is_some_and(|n| n.is_kw("SELECT"))
        {
            as_at = Some(j);
            break;
        }
    }
    let head = &rest[..as_at.unwrap_or(rest.len())];
    let props = with_props(head);
    let topic = props
        .iter()
        .find(|(k, _)| k == "KAFKA_TOPIC")
        .and_then(|(_, v)| v.clone());
    match as_at {
        Some(j) => Some(Statement::CreateAs {
            line,
            object,
            topic,
            sources: sources(&rest[j..]),
        }),
        None => Some(Statement::Declare {
            line,
            object,
            topic,
            creates: props.iter().any(|(k, _)| k == "PARTITIONS"),
        }),
    }
}

/// The properties of the top-level `WITH (K=V, ...)` clause: upper-cased keys, string values
/// (`None` for a number or other literal).
fn with_props(head: &[Token]) -> Vec<(String, Option<String>)> {
    let mut depth = 0usize;
    let mut start = None;
    for (j, tok) in head.iter().enumerate() {
        if tok.is_sym('(') {
            depth += 1;
        } else if tok.is_sym(')') {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && tok.is_kw("WITH") && head.get(j + 1).is_some_and(|n| n.is_sym('('))
        {
            start = Some(j + 2);
            break;
        }
    }
    let Some(start) = start else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut j = start;
    while let (Some(k), Some(eq)) = (head.get(j), head.get(j + 1)) {
        if k.is_sym(')') || !eq.is_sym('=') {
            break;
        }
        let Some(key) = k.word() else {
            break;
        };
        let value = match head.get(j + 2).map(|v| &v.tok) {
            Some(Tok::Str(s)) => Some(s.clone()),
            _ => None,
        };
        out.push((key.to_uppercase(), value));
        j += 3;
        if head.get(j).is_some_and(|c| c.is_sym(',')) {
            j += 1;
        }
    }
    out
}

/// Objects named after `FROM` and `JOIN` (ksqlDB has no sub-queries, so each is a source).
fn sources(t: &[Token]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (j, tok) in t.iter().enumerate() {
        if (tok.is_kw("FROM") || tok.is_kw("JOIN"))
            && let Some(name) = t.get(j + 1).and_then(Token::word)
            && !out.iter().any(|o| o == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_name_their_topic() {
        let s = statements(
            "-- orders; from the service\nCREATE STREAM orders (id VARCHAR KEY, note VARCHAR)\n  WITH (KAFKA_TOPIC='orders.created.v1', VALUE_FORMAT='JSON');\n\nCREATE OR REPLACE TABLE IF NOT EXISTS `Totals` (id INT PRIMARY KEY) WITH (kafka_topic='t''x', partitions=3);",
        );
        assert_eq!(
            s,
            [
                Statement::Declare {
                    line: 2,
                    object: "ORDERS".into(),
                    topic: Some("orders.created.v1".into()),
                    creates: false
                },
                Statement::Declare {
                    line: 5,
                    object: "Totals".into(),
                    topic: Some("t'x".into()),
                    creates: true
                },
            ]
        );
    }

    #[test]
    fn queries_name_their_sink_and_sources() {
        let s = statements(
            "CREATE TABLE order_totals AS SELECT id, SUM(amount) AS total FROM orders o\n LEFT JOIN payments p WITHIN 1 HOURS ON o.id = p.id GROUP BY id;\n/* a ; in a comment */\nCREATE STREAM big WITH (KAFKA_TOPIC='big.v1') AS SELECT * FROM orders WHERE note = 'a;b';\nINSERT INTO big SELECT * FROM more_orders;\nINSERT INTO big (id) VALUES ('x');\nDROP STREAM x;\nCREATE TYPE t AS STRUCT<a INT>;",
        );
        assert_eq!(
            s,
            [
                Statement::CreateAs {
                    line: 1,
                    object: "ORDER_TOTALS".into(),
                    topic: None,
                    sources: vec!["ORDERS".into(), "PAYMENTS".into()]
                },
                Statement::CreateAs {
                    line: 4,
                    object: "BIG".into(),
                    topic: Some("big.v1".into()),
                    sources: vec!["ORDERS".into()]
                },
                Statement::Insert {
                    line: 5,
                    object: "BIG".into(),
                    sources: vec!["MORE_ORDERS".into()]
                },
                Statement::Insert {
                    line: 6,
                    object: "BIG".into(),
                    sources: vec![]
                },
            ]
        );
    }

    #[test]
    fn broken_text_never_panics() {
        for text in [
            "CREATE",
            "CREATE STREAM",
            "INSERT INTO",
            "'unclosed",
            "CREATE STREAM s WITH (",
            "CREATE STREAM s WITH (a=",
            "/* open",
            "`x",
        ] {
            let _ = statements(text);
        }
    }
}
