//! The owner's emergency button and the end of an account, through the CLI:
//! `share revoke-everything` (what will end, a typed `revoke`, what ended) and `delete-account`
//! (a typed `delete`, then the password).

use camshare_testkit::{Engine, on_both_engines};

use crate::cli::Cli;

async fn revoke_everything_then_delete_the_account(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let bob = cli.sign_up("Bob", "--email", "bob@example.com").await;
    let cam = cli
        .add_device(&olga, &["--name", "Porch", "--kind", "camera", "--rtsp", "rtsp://192.0.2.21", "--username", "u"])
        .await;
    let shared = cli.json(&olga, &["share", "create", "--to", "bob@example.com", "--device", &cam.to_string()]).await;
    let share = shared["shares"][0]["id"].as_i64().unwrap();
    cli.ok(&bob, &["invite", "accept", &share.to_string()]).await;
    cli.json(&olga, &["share", "create", "--to", "carol@example.com", "--device", &cam.to_string()]).await;

    // Anything but `revoke` typed ends nothing.
    let declined = cli.run(Some(&olga), &["share", "revoke-everything"], "no\n").await;
    assert_ne!(declined.code, 0, "{}", declined.stdout);
    assert!(declined.stderr.contains("Porch — bob@example.com"), "the preview: {}", declined.stderr);
    assert!(declined.stderr.contains("nothing was revoked"), "{}", declined.stderr);
    assert_eq!(cli.json(&bob, &["shared", "list"]).await.as_array().unwrap().len(), 1);

    let done = cli.run(Some(&olga), &["share", "revoke-everything"], "revoke\n").await;
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stdout.contains("Ended 2 share(s)"), "{}", done.stdout);
    assert!(done.stdout.contains("carol@example.com") && done.stdout.contains("invite cancelled"), "{}", done.stdout);
    assert_eq!(cli.json(&bob, &["shared", "list"]).await.as_array().unwrap().len(), 0);

    // Bob deletes his account: `delete` typed, then a wrong password (nothing happens), then the
    // right one; his session is gone and the login no longer signs in.
    let wrong = cli.run(Some(&bob), &["delete-account"], "delete\nnot-my-password\n").await;
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    let deleted = cli.run(Some(&bob), &["delete-account"], "delete\npassword123\n").await;
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert!(deleted.stdout.contains("Deleted the account Bob (bob@example.com)"), "{}", deleted.stdout);
    let whoami = cli.run(Some(&bob), &["whoami"], "").await;
    assert_ne!(whoami.code, 0, "the deleted account's session still works");
    let login = cli.run(None, &["login", "bob@example.com", "--print-token"], "password123\n").await;
    assert_eq!(login.code, 3, "{}", login.stderr);
}
on_both_engines!(revoke_everything_then_delete_the_account, super::revoke_everything_then_delete_the_account);
