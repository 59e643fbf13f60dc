//! Passwords through the CLI: `password change` (the current one, then the new one, on stdin)
//! and `password reset LOGIN` (the code from the mail, then the new one).

use camshare_testkit::{Engine, on_both_engines};

use crate::cli::Cli;

async fn password_change_and_reset(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;

    // A wrong current password is refused and changes nothing.
    let wrong = cli.run(Some(&olga), &["password", "change"], "guessed\nnew-password-1\n").await;
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("not your current password"), "{}", wrong.stderr);
    let changed = cli.run(Some(&olga), &["password", "change"], "password123\nnew-password-1\n").await;
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    assert!(changed.stdout.contains("Password changed"), "{}", changed.stdout);
    let login = cli.run(None, &["login", "olga@example.com", "--print-token"], "new-password-1\n").await;
    assert_eq!(login.code, 0, "the new password does not sign in: {}", login.stderr);

    // Forgotten: the code from the mail, then a new one. Every session ends.
    let reset = cli.run_with_code(None, &["password", "reset", "olga@example.com"], "", "new-password-2\n").await;
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    assert!(reset.stderr.contains("a code is on its way"), "{}", reset.stderr);
    let whoami = cli.run(Some(&olga), &["whoami"], "").await;
    assert_ne!(whoami.code, 0, "a session survived the reset");
    let login = cli.run(None, &["login", "olga@example.com", "--print-token"], "new-password-2\n").await;
    assert_eq!(login.code, 0, "{}", login.stderr);
}
on_both_engines!(password_change_and_reset, super::password_change_and_reset);
