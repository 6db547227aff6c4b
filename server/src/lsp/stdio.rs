//! stdin and stdout as the runtime reads and writes them. tokio's `stdin()` and `stdout()`
//! hand every read and write to a blocking-pool thread (a regular file or a terminal cannot
//! be polled), which costs two thread hand-offs per message each way. When they are pipes or
//! sockets, as an editor's are, they are made non-blocking and polled by the runtime itself,
//! on the thread that handles the message. Anything else keeps tokio's versions.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::UnixStream;
use tokio::net::unix::pipe;

/// Standard input for the runtime; must be called inside it.
pub fn stdin() -> Box<dyn AsyncRead + Unpin + Send> {
    let polled = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .and_then(|fd| match kind(&fd)? {
            Kind::Pipe => Ok(Some(Box::new(pipe::Receiver::from_owned_fd(fd)?) as Box<_>)),
            Kind::Socket => Ok(Some(Box::new(socket(fd)?) as Box<_>)),
            Kind::Other => Ok(None),
        });
    match polled {
        Ok(Some(input)) => input,
        _ => Box::new(tokio::io::stdin()),
    }
}

/// Standard output for the runtime; must be called inside it. Not when stderr goes to the
/// same pipe (`2>&1`): non-blocking is a property of the pipe's open file, and the log's
/// plain writes to stderr would then fail whenever the pipe is full.
pub fn stdout() -> Box<dyn AsyncWrite + Unpin + Send> {
    let polled = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .and_then(|fd| match kind(&fd)? {
            _ if same_file(&fd, std::io::stderr().as_fd())? => Ok(None),
            Kind::Pipe => Ok(Some(Box::new(pipe::Sender::from_owned_fd(fd)?) as Box<_>)),
            Kind::Socket => Ok(Some(Box::new(socket(fd)?) as Box<_>)),
            Kind::Other => Ok(None),
        });
    match polled {
        Ok(Some(output)) => output,
        _ => Box::new(tokio::io::stdout()),
    }
}

enum Kind {
    Pipe,
    /// libuv (Neovim, VS Code's Node) gives a child process a socket pair for its stdio.
    Socket,
    Other,
}

fn kind(fd: &OwnedFd) -> io::Result<Kind> {
    let file_type = std::fs::File::from(fd.try_clone()?).metadata()?.file_type();
    Ok(if file_type.is_fifo() {
        Kind::Pipe
    } else if file_type.is_socket() {
        Kind::Socket
    } else {
        Kind::Other
    })
}

fn same_file(fd: &OwnedFd, other: BorrowedFd) -> io::Result<bool> {
    let identity = |fd: BorrowedFd| -> io::Result<(u64, u64)> {
        let metadata = std::fs::File::from(fd.try_clone_to_owned()?).metadata()?;
        Ok((metadata.dev(), metadata.ino()))
    };
    Ok(identity(fd.as_fd())? == identity(other)?)
}

fn socket(fd: OwnedFd) -> io::Result<UnixStream> {
    let stream = std::os::unix::net::UnixStream::from(fd);
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}
