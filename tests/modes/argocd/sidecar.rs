use super::*;

// ---------------------------------------------------------------------------------------------
// The sidecar
// ---------------------------------------------------------------------------------------------

/// Argo CD's default `server.repo.server.timeout.seconds`.
pub const ARGO_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, PartialEq, Eq)]
pub enum Discovery {
    Matched,
    NotMatched,
    /// No discovery configured: only Applications naming the plugin use it.
    Disabled,
}

pub struct Generated {
    /// The `generate` run (`None` when `init` failed).
    pub run: Option<Run>,
    /// The manifests Argo CD would apply, or the error it would show.
    pub manifests: Result<Vec<Value>, String>,
}

impl Generated {
    #[track_caller]
    pub fn ok(&self, what: &str) -> &Vec<Value> {
        match &self.manifests {
            Ok(m) => m,
            Err(e) => panic!("{what}: manifest generation failed:\n{e}"),
        }
    }

    #[track_caller]
    pub fn err(&self, what: &str) -> (&Run, &str) {
        match (&self.manifests, &self.run) {
            (Err(e), Some(run)) => (run, e.as_str()),
            (Err(e), None) => panic!("{what}: init failed: {e}"),
            (Ok(m), _) => panic!("{what}: expected a failure, got {} manifests", m.len()),
        }
    }
}

pub struct Sidecar {
    pub plugin: PluginConfig,
    pub _tmp: tempfile::TempDir,
    /// First on PATH: `kbundle` (a symlink to the binary under test) and test doubles.
    pub bin: PathBuf,
    pub home: PathBuf,
    pub tmpdir: PathBuf,
    /// More of the sidecar's own environment (e.g. `KBUNDLE_KUSTOMIZE`).
    pub extra: Vec<(String, String)>,
    pub timeout: Duration,
}

impl Sidecar {
    pub fn new(plugin: PluginConfig) -> Sidecar {
        let tmp = tempfile::Builder::new()
            .prefix("cmp-sidecar")
            .tempdir()
            .expect("tempdir");
        let bin = tmp.path().join("bin");
        let home = tmp.path().join("home");
        let tmpdir = tmp.path().join("tmp");
        for d in [&bin, &home, &tmpdir] {
            std::fs::create_dir(d).expect("mkdir");
        }
        std::os::unix::fs::symlink(support::kbundle_bin(), bin.join("kbundle")).expect("symlink");
        Sidecar {
            plugin,
            _tmp: tmp,
            bin,
            home,
            tmpdir,
            extra: Vec::new(),
            timeout: ARGO_TIMEOUT,
        }
    }

    pub fn kbundle() -> Sidecar {
        Sidecar::new(kbundle_plugin())
    }

    /// A test double on the sidecar's PATH (ahead of everything but `kbundle`).
    pub fn install_tool(&self, name: &str, script: &str) -> PathBuf {
        let p = self.bin.join(name);
        std::fs::write(&p, script).expect("write tool");
        set_mode(&p, 0o755);
        p
    }

    /// The sidecar's own environment (`os.Environ()` of argocd-cmp-server).
    pub fn os_env(&self) -> Vec<(String, String)> {
        let host_path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&host_path)),
        )
        .expect("PATH");
        let mut env = vec![
            ("PATH".to_string(), path.to_string_lossy().into_owned()),
            ("HOME".to_string(), self.home.display().to_string()),
            ("TMPDIR".to_string(), self.tmpdir.display().to_string()),
        ];
        env.extend(self.extra.iter().cloned());
        env
    }

    /// `append(os.Environ(), environ(entries)...)`: entries with an empty value are dropped;
    /// a later duplicate wins (as in `os/exec`).
    pub fn command_env(&self, entries: &[(String, String)]) -> Vec<(String, String)> {
        let mut env = self.os_env();
        env.extend(
            entries
                .iter()
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .cloned(),
        );
        env
    }

    /// `matchRepository`.
    pub fn discover(
        &self,
        app_path: &Path,
        entries: &[(String, String)],
    ) -> Result<Discovery, String> {
        let d = &self.plugin.spec.discover;
        let found = |m: Vec<PathBuf>| {
            if m.is_empty() {
                Discovery::NotMatched
            } else {
                Discovery::Matched
            }
        };
        if !d.file_name.is_empty() {
            return glob_below(app_path, &d.file_name, false).map(found);
        }
        if !d.find.glob.is_empty() {
            return glob_below(app_path, &d.find.glob, true).map(found);
        }
        if !d.find.command.is_empty() {
            let argv: Vec<String> = d.find.command.iter().chain(&d.find.args).cloned().collect();
            let run = run_command(
                &argv,
                app_path,
                &self.command_env(entries),
                self.timeout,
                None,
            )?;
            if !run.success() {
                return Err(format!("error running find command: {}", run.error()));
            }
            return Ok(if run.output().is_empty() {
                Discovery::NotMatched
            } else {
                Discovery::Matched
            });
        }
        Ok(Discovery::Disabled)
    }

    /// `DetectConfigManagementPlugin` for this (only) sidecar: `Ok` when Argo CD would hand the
    /// app to the plugin.
    pub fn select(&self, repo: &Repo, app: &Application) -> Result<(), String> {
        let app_path = repo.app_path(&app.path);
        let named = !app.plugin_name.is_empty();
        if named && app.plugin_name != self.plugin.full_name() {
            return Err(format!(
                "couldn't find cmp-server plugin with name {:?} supporting the given repository \
                 (the sidecar serves {:?})",
                app.plugin_name,
                self.plugin.full_name()
            ));
        }
        match self.discover(&app_path, &app.env_entries()) {
            Ok(Discovery::Matched) => Ok(()),
            Ok(Discovery::Disabled) if named => Ok(()),
            Ok(other) => Err(format!(
                "{}: plugin {:?} does not support {} (discovery: {other:?})",
                app.origin,
                self.plugin.full_name(),
                app.path
            )),
            Err(e) => Err(format!(
                "{}: repository is not the match because {e}",
                app.origin
            )),
        }
    }

    /// `generateManifest`: init, generate, split.
    pub fn generate(&self, repo: &Repo, app: &Application) -> Generated {
        self.generate_with(repo, app, None)
    }

    pub fn generate_with(&self, repo: &Repo, app: &Application, poll: Option<Poll>) -> Generated {
        let app_path = repo.app_path(&app.path);
        let env = self.command_env(&app.env_entries());
        let spec = &self.plugin.spec;
        if !spec.init.command.is_empty() {
            match run_command(&spec.init.argv(), &app_path, &env, self.timeout, None) {
                Ok(run) if run.success() => {}
                Ok(run) => {
                    return Generated {
                        run: None,
                        manifests: Err(run.error()),
                    };
                }
                Err(e) => {
                    return Generated {
                        run: None,
                        manifests: Err(e),
                    };
                }
            }
        }
        match run_command(&spec.generate.argv(), &app_path, &env, self.timeout, poll) {
            Ok(run) => {
                let manifests = if run.success() {
                    split_manifests(run.output())
                } else {
                    Err(run.error())
                };
                Generated {
                    run: Some(run),
                    manifests,
                }
            }
            Err(e) => Generated {
                run: None,
                manifests: Err(e),
            },
        }
    }

    /// `getParametersAnnouncement`: the dynamic announcements, then the static ones.
    pub fn parameters(&self, repo: &Repo, app: &Application) -> Result<Vec<Announcement>, String> {
        let spec = &self.plugin.spec.parameters;
        let mut out = Vec::new();
        if !spec.dynamic.command.is_empty() {
            let app_path = repo.app_path(&app.path);
            let env = self.command_env(&app.env_entries());
            let run = run_command(&spec.dynamic.argv(), &app_path, &env, self.timeout, None)?;
            if !run.success() {
                return Err(format!(
                    "error executing dynamic parameter output command: {}",
                    run.error()
                ));
            }
            out = serde_json::from_str::<Vec<Announcement>>(run.output()).map_err(|e| {
                format!(
                    "error unmarshaling dynamic parameter output into \
                     ParametersAnnouncementResponse: {e}\n{}",
                    run.stdout
                )
            })?;
        }
        out.extend(spec.static_.iter().cloned());
        Ok(out)
    }
}
