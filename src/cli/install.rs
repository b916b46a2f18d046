//! `kbundle install-plugin`: copies this binary to where kustomize looks for legacy exec plugins
//! of both kinds (`<home>/kbundle.dev/v1alpha1/<lowercase kind>/<Kind>`).

use super::{EXIT_OK, EXIT_USAGE};
use std::path::{Path, PathBuf};

/// kustomize's own search order for the plugin home.
fn default_home() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("KUSTOMIZE_PLUGIN_HOME") {
        return Some(PathBuf::from(h));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(x).join("kustomize/plugin"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/kustomize/plugin"))
}

/// Where kustomize looks for the legacy plugin of `kind` under `home`.
pub fn plugin_path(home: &Path, kind: &str) -> PathBuf {
    home.join(crate::model::GROUP)
        .join("v1alpha1")
        .join(kind.to_lowercase())
        .join(kind)
}

pub fn run(home: Option<PathBuf>) -> u8 {
    let Some(home) = home.or_else(default_home) else {
        eprintln!("error: no plugin home: set --plugin-home, KUSTOMIZE_PLUGIN_HOME or HOME");
        return EXIT_USAGE;
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot find the kbundle binary: {e}");
            return EXIT_USAGE;
        }
    };
    for kind in ["AppBundle", "Environment"] {
        let target = plugin_path(&home, kind);
        let dir = target.parent().unwrap_or(&home).to_path_buf();
        if let Err(e) = install_one(&exe, &dir, &target) {
            eprintln!("error: cannot install {}: {e}", target.display());
            return EXIT_USAGE;
        }
        println!("installed {}", target.display());
    }
    EXIT_OK
}

/// Copy to a temporary name and rename, so a kustomize run never sees a half-written binary.
fn install_one(exe: &Path, dir: &Path, target: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".kbundle-install.tmp");
    std::fs::copy(exe, &tmp)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    std::fs::rename(&tmp, target)
}
