//! Every verb answers `--help`; the version is printed.

use crate::{proctor, repo_root, text};

#[test]
fn every_verb_has_help() {
    for verb in [
        &["--help"][..],
        &["validate", "--help"],
        &["run", "--help"],
        &["generate", "--help"],
        &["verify", "--help"],
        &["plugin", "check", "--help"],
        &["env", "generate", "--help"],
    ] {
        let output = proctor(&repo_root(), verb, &[]);
        let (stdout, _) = text(&output);
        assert!(output.status.success(), "{verb:?}");
        assert!(stdout.contains("Usage:"), "{verb:?}: {stdout}");
    }
}

#[test]
fn an_unknown_verb_is_a_usage_error() {
    let output = proctor(&repo_root(), &["trian"], &[]);
    assert_eq!(output.status.code(), Some(2));
}
