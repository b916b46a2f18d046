use super::*;

// ---------------------------------------------------------------------------------------------
// SIGTERM
// ---------------------------------------------------------------------------------------------

pub fn alive(pid: u32) -> bool {
    // A zombie has exited: only its parent has not collected it yet.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit_once(") ").map(|(_, r)| r.chars().next());
            state != Some(Some('Z')) && state != Some(Some('X'))
        }
        Err(_) => false,
    }
}

#[track_caller]
pub fn assert_gone(pid: u32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive(pid) {
        signal_pid(pid, "KILL");
        panic!("{what}: process {pid} is still running");
    }
}

/// A kustomize that never finishes: it records its pid (and its child's) and sleeps.
pub fn slow_kustomize(sidecar: &Sidecar, pids: &Path) -> PathBuf {
    sidecar.install_tool(
        "kustomize",
        &format!(
            "#!/bin/sh\nsleep 60 &\necho $$ $! > '{0}.tmp'\nmv '{0}.tmp' '{0}'\nwait\n",
            pids.display()
        ),
    )
}

pub fn read_pids(p: &Path) -> Option<Vec<u32>> {
    let text = std::fs::read_to_string(p).ok()?;
    Some(
        text.split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect(),
    )
}

pub fn kustomize_app() -> Repo {
    let repo = Repo::empty();
    repo.write(
        "app/kustomization.yaml",
        "resources:\n- orders.yaml\ntransformers:\n- env.yaml\n",
    )
    .write("app/orders.yaml", ORDERS)
    .write("app/env.yaml", PROD);
    repo
}

/// SIGTERM to kbundle alone while its kustomize runs: kbundle exits at once (143, KB126),
/// prints nothing on stdout, and takes its kustomize down with it.
pub fn sigterm_stops_kbundle_and_its_kustomize() {
    let mut sidecar = Sidecar::kbundle();
    let pids = sidecar.tmpdir.join("kustomize.pids");
    let tool = slow_kustomize(&sidecar, &pids);
    sidecar
        .extra
        .push(("KBUNDLE_KUSTOMIZE".into(), tool.display().to_string()));
    let repo = kustomize_app();
    let app = Application::kbundle("slow", "app");
    let mut sent = None::<Instant>;
    let mut kustomize_pid = None;
    let mut poll = |pid: u32| {
        if sent.is_none()
            && let Some(p) = read_pids(&pids)
        {
            kustomize_pid = p.first().copied();
            signal_pid(pid, "TERM");
            sent = Some(Instant::now());
        }
    };
    let started = Instant::now();
    let g = sidecar.generate_with(&repo, &app, Some(&mut poll));
    let run = g.run.as_ref().expect("run");
    let sent = sent.unwrap_or_else(|| {
        panic!(
            "kustomize never started ({:?}): {}",
            started.elapsed(),
            run.stderr
        )
    });
    let took = sent.elapsed();
    let kpid = kustomize_pid.expect("pid");
    assert!(!run.timed_out, "the simulator's timeout fired");
    assert!(
        took < Duration::from_secs(5),
        "kbundle took {took:?} after SIGTERM"
    );
    assert_eq!(run.code(), Some(143), "{}", run.error());
    assert!(codes(&run.stderr).contains("KB126"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(g.manifests.is_err());
    assert_gone(kpid, "kustomize after kbundle's SIGTERM");
    // The grandchild (sleep) is kustomize's business; Argo CD's group signal reaches it. Here
    // it is only cleaned up.
    if let Some(p) = read_pids(&pids) {
        for pid in p {
            signal_pid(pid, "KILL");
        }
    }
}

/// What Argo CD really does on its timeout: SIGTERM to the plugin's whole process group. kbundle
/// fails without output well before the SIGKILL that follows 5 s later, and nothing survives.
pub fn argo_timeout_terminates_the_process_group() {
    let mut sidecar = Sidecar::kbundle();
    let pids = sidecar.tmpdir.join("kustomize.pids");
    let tool = slow_kustomize(&sidecar, &pids);
    sidecar
        .extra
        .push(("KBUNDLE_KUSTOMIZE".into(), tool.display().to_string()));
    let repo = kustomize_app();
    let app = Application::kbundle("slow", "app");
    let mut ready = false;
    let mut poll = |_pid: u32| {
        ready = ready || pids.exists();
    };
    sidecar.timeout = Duration::from_secs(5);
    let g = sidecar.generate_with(&repo, &app, Some(&mut poll));
    let run = g.run.as_ref().expect("run");
    assert!(ready, "kustomize never started: {}", run.stderr);
    assert!(run.timed_out, "{run:?}");
    assert!(
        run.elapsed < Duration::from_secs(5 + 4),
        "kbundle needed the SIGKILL: {:?}",
        run.elapsed
    );
    assert!(!run.success());
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let found = codes(&run.stderr);
    assert!(
        found.contains("KB126") || found.contains("KB124"),
        "neither KB126 nor KB124: {}",
        run.stderr
    );
    for pid in read_pids(&pids).expect("pids") {
        assert_gone(pid, "kustomize's process after the group SIGTERM");
    }
    eprintln!("group SIGTERM: exit {:?}, codes {found:?}", run.code());
}

register!(
    sigterm_stops_kbundle_and_its_kustomize,
    argo_timeout_terminates_the_process_group
);
