use super::*;

// ---------------------------------------------------------------------------------------------
// The repository copy the sidecar works in
// ---------------------------------------------------------------------------------------------

pub struct Repo {
    pub _tmp: tempfile::TempDir,
    /// The work directory holding the copy (the repository root).
    pub root: PathBuf,
}

impl Repo {
    pub fn empty() -> Repo {
        let tmp = tempfile::Builder::new()
            .prefix("cmp-work")
            .tempdir()
            .expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        set_mode(&root, 0o755);
        Repo { _tmp: tmp, root }
    }

    /// A copy of `src` as `Untgz` leaves it with `preserveFileMode: false`: no `.git`, files 0644,
    /// directories 0755, symlinks made relative (and refused when they leave the tree).
    pub fn copy_of(src: &Path) -> Repo {
        let repo = Repo::empty();
        copy_tree(src, src, &repo.root);
        repo
    }

    pub fn write(&self, rel: &str, text: &str) -> &Repo {
        let p = self.root.join(rel);
        let parent = p.parent().expect("parent");
        std::fs::create_dir_all(parent).expect("mkdir");
        let mut d = parent.to_path_buf();
        while d.starts_with(&self.root) {
            set_mode(&d, 0o755);
            if !d.pop() {
                break;
            }
        }
        std::fs::write(&p, text).expect("write");
        set_mode(&p, 0o644);
        self
    }

    /// `filepath.Clean(filepath.Join(workDir, appRelPath))`.
    pub fn app_path(&self, source_path: &str) -> PathBuf {
        let mut p = self.root.clone();
        for c in Path::new(source_path).components() {
            match c {
                Component::Normal(n) => p.push(n),
                Component::ParentDir => {
                    p.pop();
                }
                _ => {}
            }
        }
        assert!(
            p.starts_with(&self.root),
            "illegal appPath: out of workDir bound"
        );
        p
    }
}

pub fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

pub fn copy_tree(src_root: &Path, src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    set_mode(dst, 0o755);
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name == ".git" {
            continue;
        }
        let from = e.path();
        let to = dst.join(&name);
        let meta = std::fs::symlink_metadata(&from).expect("stat");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from).expect("readlink");
            let resolved = from.parent().expect("parent").join(&target);
            let resolved = std::fs::canonicalize(&resolved).unwrap_or(resolved);
            let root = std::fs::canonicalize(src_root).expect("canonicalize");
            assert!(
                resolved.starts_with(&root),
                "{}: symlink leaves the repository (Argo CD refuses the archive)",
                from.display()
            );
            std::os::unix::fs::symlink(&target, &to).expect("symlink");
        } else if meta.is_dir() {
            copy_tree(src_root, &from, &to);
        } else if meta.is_file() {
            std::fs::copy(&from, &to).expect("copy");
            set_mode(&to, 0o644);
        }
        // Sockets, fifos and devices are not archived.
    }
}

// ---------------------------------------------------------------------------------------------
// Running commands the way runCommand does
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
pub struct Run {
    pub argv: Vec<String>,
    pub status: Option<std::process::ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// The plugin timeout expired (SIGTERM to the group, SIGKILL 5 s later).
    pub timed_out: bool,
    /// How long until the process had exited and both pipes were closed.
    pub elapsed: Duration,
}

impl Run {
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Argo CD's `CmdError` text: what the UI shows when the command fails.
    pub fn error(&self) -> String {
        let cause = match self.status {
            Some(s) => match (s.code(), s.signal()) {
                (Some(c), _) => format!("exit status {c}"),
                (_, Some(sig)) => format!("signal: {sig}"),
                _ => format!("{s}"),
            },
            None => "not run".into(),
        };
        // getCommandArgsToLog: arguments holding white space are quoted.
        let args: Vec<String> = self
            .argv
            .iter()
            .map(|a| {
                if a.chars().any(char::is_whitespace) {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            })
            .collect();
        let args = args.join(" ");
        let stderr = self.stderr.trim();
        if stderr.is_empty() {
            format!("`{args}` failed {cause}")
        } else {
            format!("`{args}` failed {cause}: {stderr}")
        }
    }

    /// `strings.TrimSuffix(output, "\n")`.
    pub fn output(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// `exec.LookPath` against the sidecar's PATH.
pub fn look_path(program: &str, env: &[(String, String)]) -> Result<PathBuf, String> {
    if program.contains('/') {
        return Ok(PathBuf::from(program));
    }
    let path = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(|| format!("exec: {program:?}: executable file not found in $PATH"))
}

/// `kill -SIGNAL -- TARGET` (no libc in the tests): a target that is already gone is fine, a
/// missing `kill` is not.
pub fn send(signal: &str, target: &str) {
    Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run kill(1)");
}

pub fn signal_pid(pid: u32, signal: &str) {
    send(signal, &pid.to_string());
}

pub fn signal_group(pgid: u32, signal: &str) {
    send(signal, &format!("-{pgid}"));
}

/// Called while the command runs, with its pid (also its process group).
pub type Poll<'a> = &'a mut dyn FnMut(u32);

/// Run `argv` in `dir` with exactly `env`, in its own process group; stdout and stderr are read
/// to their end (as Go's `cmd.Wait` does); after `timeout` the group gets SIGTERM, 5 s later
/// SIGKILL.
pub fn run_command(
    argv: &[String],
    dir: &Path,
    env: &[(String, String)],
    timeout: Duration,
    mut poll: Option<Poll>,
) -> Result<Run, String> {
    let program = look_path(&argv[0], env)?;
    let mut child = Command::new(&program)
        .args(&argv[1..])
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let pid = child.id();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let mut status = None;
    let mut termed = None::<Instant>;
    let mut killed = false;
    loop {
        if status.is_none() {
            status = child.try_wait().map_err(|e| e.to_string())?;
        }
        if status.is_some() && out.is_finished() && err.is_finished() {
            break;
        }
        if let Some(p) = poll.as_mut() {
            p(pid);
        }
        match termed {
            None if start.elapsed() >= timeout => {
                signal_group(pid, "TERM");
                termed = Some(Instant::now());
            }
            Some(t) if !killed && t.elapsed() >= Duration::from_secs(5) => {
                signal_group(pid, "KILL");
                killed = true;
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(Run {
        argv: argv.to_vec(),
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
        timed_out: termed.is_some(),
        elapsed: start.elapsed(),
    })
}
