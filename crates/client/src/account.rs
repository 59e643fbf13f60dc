//! Accounts and sessions: sign up, sign in, refresh, sign out, "who am I", account codes.

use camshare_api::{Account, Session, SignIn, SignUp, Tokens, VerifiedAccountCode, VerifyAccountCode, routes};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// Creates an account and signs in to it. The new tokens are kept and passed to the
    /// [`crate::TokensCallback`].
    pub async fn sign_up(&self, body: &SignUp) -> Result<Session, ClientError> {
        let session: Session =
            self.fetch(Request::new(Method::POST, routes::SIGN_UP).json(body).without_auth()).await?;
        self.store_tokens(&session.tokens);
        Ok(session)
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
