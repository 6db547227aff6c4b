//! Panic containment: a handler that panics fails its own request, not the server.
//!
//! tower-lsp-server polls every handler inside its one serving task, so a panic in any
//! handler would unwind through that task and end the process (the editor loses Keel until
//! it restarts it). `ContainPanics` wraps the service: a request whose handler panics is
//! answered with a JSON-RPC internal error, a notification's panic is dropped, and the
//! session goes on. The report itself is the panic hook's (`logging.rs`), so each panic is
//! logged once. Background work is already isolated by tokio (`spawn`, `spawn_blocking`
//! catch panics); its callers treat a failed task as no result.
//!
//! `keel/debugPanic` (debug builds only) panics on request, where the caller asks, so the
//! end-to-end tests prove all of this through the real binary.

use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};

/// A service whose handlers' panics become error responses.
pub struct ContainPanics<S>(pub S);

impl<S> Service<Request> for ContainPanics<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let method = request.method().to_string();
        // Handlers run their synchronous start (didChange's edit) inside `call` or on the
        // first poll; both are covered.
        let called = std::panic::catch_unwind(AssertUnwindSafe(|| self.0.call(request)));
        async move {
            let outcome = match called {
                Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
                Err(payload) => Err(payload),
            };
            outcome.unwrap_or_else(|_| {
                tracing::debug!("{method} failed with a panic; answered with an error");
                Ok(id.map(|id| {
                    let error = Error {
                        code: ErrorCode::InternalError,
                        message: format!(
                            "internal error: Keel failed on {method} (a bug, logged); \
                             the server goes on"
                        )
                        .into(),
                        data: None,
                    };
                    Response::from_error(id, error)
                }))
            })
        }
        .boxed()
    }
}

/// Where `keel/debugPanic` panics.
#[cfg(debug_assertions)]
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PanicSite {
    /// In the request's handler itself.
    Handler,
    /// In work on the background pool (rule checks and re-indexing run there).
    BackgroundPool,
    /// In a spawned task, as the debounced checks and the completion engine's requests are.
    Task,
}

#[cfg(debug_assertions)]
#[derive(Debug, serde::Deserialize)]
pub struct DebugPanicParams {
    #[serde(rename = "in")]
    pub site: PanicSite,
}

#[cfg(debug_assertions)]
impl super::Backend {
    /// Panics where asked. Compiled only into debug builds, so a release binary has no
    /// method a client could use to make it fail on purpose.
    pub(super) async fn debug_panic(
        &self,
        params: DebugPanicParams,
    ) -> tower_lsp_server::jsonrpc::Result<()> {
        const MESSAGE: &str = "keel/debugPanic: panicking as asked";
        match params.site {
            PanicSite::Handler => panic!("{MESSAGE}"),
            PanicSite::BackgroundPool => {
                let failed: Option<()> = self.live.pool.run(|| panic!("{MESSAGE}")).await;
                failed.ok_or_else(|| Error {
                    message: "internal error: the background work failed".into(),
                    ..Error::internal_error()
                })
            }
            PanicSite::Task => tokio::spawn(async { panic!("{MESSAGE}") })
                .await
                .map_err(super::internal),
        }
    }
}
