//! Accounts and sessions: sign up (and its code), sign in, refresh, sign out, "who am I", account codes.

use camshare_api::{
    Account, ChangePassword, DeleteAccount, FinishPasswordReset, PasswordResetStarted, ResendSignUpCode, Secret,
    Session, SignIn, SignUp, SignUpStarted, StartPasswordReset, Tokens, VerifiedAccountCode, VerifyAccountCode,
    VerifySignUp, routes,
};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// Starts a sign-up: the server sends a code to the address. No account exists until
    /// [`Client::verify_sign_up`] brings the code back (or the mail's link is opened).
    pub async fn sign_up(&self, body: &SignUp) -> Result<SignUpStarted, ClientError> {
        self.fetch(Request::new(Method::POST, routes::SIGN_UP).json(body).without_auth()).await
    }

    /// Finishes a sign-up with the code that was sent: the account is made and signed in. The
    /// new tokens are kept and passed to the [`crate::TokensCallback`].
    pub async fn verify_sign_up(&self, verification: &Secret, code: &str) -> Result<Session, ClientError> {
        let body = VerifySignUp { verification: verification.clone(), code: code.to_string() };
        let session: Session =
            self.fetch(Request::new(Method::POST, routes::SIGN_UP_VERIFY).json(&body).without_auth()).await?;
        self.store_tokens(&session.tokens);
        Ok(session)
    }

    /// Asks for a new code for a waiting sign-up (the old one stops working).
    pub async fn resend_sign_up_code(&self, verification: &Secret) -> Result<SignUpStarted, ClientError> {
        let body = ResendSignUpCode { verification: verification.clone() };
        self.fetch(Request::new(Method::POST, routes::SIGN_UP_RESEND).json(&body).without_auth()).await
    }

    /// "Forgot password": asks for a code (and by mail a link) at the login's address. The
    /// answer is the same whether or not the login has an account.
    pub async fn start_password_reset(&self, login: &str) -> Result<PasswordResetStarted, ClientError> {
        let body = StartPasswordReset { login: login.to_string() };
        self.fetch(Request::new(Method::POST, routes::PASSWORD_RESETS).json(&body).without_auth()).await
    }

    /// Sets a new password with the code that was sent; every session of the account ends.
    pub async fn finish_password_reset(&self, body: &FinishPasswordReset) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::POST, routes::PASSWORD_RESET_FINISH).json(body).without_auth()).await
    }

    /// Changes the signed-in account's password; its other sessions end, this one stays.
    pub async fn change_password(&self, body: &ChangePassword) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::POST, routes::ME_PASSWORD).json(body)).await
    }

    /// Deletes this account, given its password: every share both ways ends, its devices and
    /// history are removed, and every session ends (this client's too).
    pub async fn delete_account(&self, body: &DeleteAccount) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::ME).json(body)).await
    }

    /// Signs in by email or phone. The new tokens are kept and passed to the
    /// [`crate::TokensCallback`].
    pub async fn sign_in(&self, body: &SignIn) -> Result<Session, ClientError> {
        let session: Session =
            self.fetch(Request::new(Method::POST, routes::SESSIONS).json(body).without_auth()).await?;
        self.store_tokens(&session.tokens);
        Ok(session)
    }

    /// Exchanges the held refresh token for a new pair now. Calls do this by themselves when the
    /// access token expires; this is for callers that want a fresh token up front.
    pub async fn refresh(&self) -> Result<Tokens, ClientError> {
        self.refresh_session().await
    }

    /// Ends this session on the server and forgets its tokens.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::SESSION_CURRENT)).await?;
        self.set_tokens(None);
        Ok(())
    }

    /// Ends every session of the account, on every device, and forgets this one's tokens.
    pub async fn sign_out_everywhere(&self) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::SESSIONS)).await?;
        self.set_tokens(None);
        Ok(())
    }

    /// The signed-in account, with its account code.
    pub async fn me(&self) -> Result<Account, ClientError> {
        self.fetch(Request::new(Method::GET, routes::ME)).await
    }

    /// Asks whether a scanned or typed account code is genuine, and whose it is.
    pub async fn verify_account_code(&self, code: &str) -> Result<VerifiedAccountCode, ClientError> {
        let body = VerifyAccountCode { code: code.to_string() };
        self.fetch(Request::new(Method::POST, routes::ACCOUNT_CODE_VERIFY).json(&body)).await
    }
}
