use super::*;

// ---------------------------------------------------------------------------------------------
// The plugin config (cmpserver/plugin/config.go)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PluginSpec,
}

/// `metav1.ObjectMeta`: only the name matters to the CMP server.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginSpec {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub init: CommandSpec,
    #[serde(default)]
    pub generate: CommandSpec,
    #[serde(default)]
    pub discover: DiscoverSpec,
    #[serde(default)]
    pub parameters: ParametersSpec,
    #[serde(default)]
    pub preserve_file_mode: bool,
    #[serde(default)]
    pub provide_git_creds: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSpec {
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
}

impl CommandSpec {
    /// What `exec.Command(command[0], command[1:]++args...)` runs.
    pub fn argv(&self) -> Vec<String> {
        self.command.iter().chain(&self.args).cloned().collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiscoverSpec {
    #[serde(default)]
    pub find: FindSpec,
    #[serde(default)]
    pub file_name: String,
}

/// `Find` embeds `Command`: `command` and `args` sit beside `glob`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindSpec {
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub glob: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParametersSpec {
    #[serde(default, rename = "static")]
    pub static_: Vec<Announcement>,
    #[serde(default)]
    pub dynamic: CommandSpec,
}

/// `apiclient.ParameterAnnouncement`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Announcement {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub tooltip: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub item_type: String,
    #[serde(default)]
    pub collection_type: String,
    #[serde(default)]
    pub string: Option<String>,
    #[serde(default)]
    pub array: Option<Vec<String>>,
    #[serde(default)]
    pub map: Option<BTreeMap<String, String>>,
}

impl PluginConfig {
    /// `ReadPluginConfig` + `ValidatePluginConfig`.
    pub fn parse(text: &str) -> Result<PluginConfig, String> {
        let value = parse_yaml_document(text)?;
        let config: PluginConfig =
            serde_json::from_value(value).map_err(|e| format!("cannot read plugin config: {e}"))?;
        if config.metadata.name.is_empty() {
            return Err(
                "invalid plugin configuration file. metadata.name should be non-empty.".into(),
            );
        }
        if config.kind != "ConfigManagementPlugin" {
            return Err(format!(
                "invalid plugin configuration file. kind should be ConfigManagementPlugin, found {}",
                config.kind
            ));
        }
        if config.spec.generate.command.is_empty() {
            return Err(
                "invalid plugin configuration file. spec.generate command should be non-empty"
                    .into(),
            );
        }
        Ok(config)
    }

    pub fn load(path: &Path) -> PluginConfig {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        PluginConfig::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The name Applications use: `<metadata.name>-<spec.version>`, or the bare name.
    pub fn full_name(&self) -> String {
        if self.spec.version.is_empty() {
            self.metadata.name.clone()
        } else {
            format!("{}-{}", self.metadata.name, self.spec.version)
        }
    }
}

/// The repository's plugin.yaml.
pub fn kbundle_plugin() -> PluginConfig {
    PluginConfig::load(&support::root().join("plugin.yaml"))
}
