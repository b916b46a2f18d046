//! Unit tests of the sources.

use super::*;

fn origin(root: &Path) -> Origin {
    Origin {
        file: Some("input/bundle.yaml".into()),
        index: 0,
        span: None,
        base_dir: Some(root.to_path_buf()),
        root: Some(root.to_path_buf()),
        base_dir_guessed: false,
        left_out: Vec::new(),
    }
}

#[test]
fn dir_lists_sorted_regular_files_without_hidden_or_subfolders() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("ksql");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::write(d.join("V000002__b.sql"), "B").unwrap();
    std::fs::write(d.join("V000001__a.sql"), "A").unwrap();
    std::fs::write(d.join(".gitkeep"), "").unwrap();
    std::fs::write(d.join("sub/V000003__c.sql"), "C").unwrap();
    let files = read_relative_dir(&origin(t.path()), "ksql/").unwrap();
    let shown: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
    assert_eq!(
        shown,
        ["input/ksql/V000001__a.sql", "input/ksql/V000002__b.sql"]
    );
    assert_eq!(files[0].text, "A");
}

#[test]
fn dir_is_confined() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("ksql")).unwrap();
    std::fs::write(root.join("file.sql"), "x").unwrap();
    std::fs::create_dir_all(t.path().join("outside")).unwrap();
    std::fs::write(t.path().join("outside/V000001__x.sql"), "x").unwrap();
    let o = origin(&root);
    let code = |rel: &str| read_relative_dir(&o, rel).map(|_| ()).unwrap_err().code;
    assert_eq!(code("/etc"), Code::FileEscape);
    assert_eq!(code("../outside"), Code::FileEscape);
    assert_eq!(code("missing"), Code::FileMissing);
    assert_eq!(code("file.sql"), Code::FileMissing);
    assert_eq!(code(""), Code::FileEscape);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(t.path().join("outside"), root.join("linked")).unwrap();
        assert_eq!(code("linked"), Code::FileEscape);
        std::os::unix::fs::symlink(
            t.path().join("outside/V000001__x.sql"),
            root.join("ksql/V000001__x.sql"),
        )
        .unwrap();
        assert_eq!(
            code("ksql"),
            Code::FileEscape,
            "a file linked out of the tree"
        );
    }
    let unknown = Origin::default();
    assert_eq!(
        read_relative_dir(&unknown, "ksql").unwrap_err().code,
        Code::FileUnresolvable
    );
}
