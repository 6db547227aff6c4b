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
    let input: io::Result<Box<dyn AsyncRead + Unpin + Send>> =
        match polled(std::io::stdin().as_fd()) {
            Ok(Polled::Pipe(fd)) => {
                pipe::Receiver::from_owned_fd(fd).map(|pipe| Box::new(pipe) as _)
            }
            Ok(Polled::Socket(socket)) => Ok(Box::new(socket)),
            Err(err) => Err(err),
        };
    input.unwrap_or_else(|_| Box::new(tokio::io::stdin()))
}

/// Standard output for the runtime; must be called inside it. Not when stderr goes to the
/// same pipe (`2>&1`): non-blocking is a property of the pipe's open file, and the log's
/// plain writes to stderr would then fail whenever the pipe is full.
pub fn stdout() -> Box<dyn AsyncWrite + Unpin + Send> {
    let stdout = std::io::stdout();
    let shared = same_file(stdout.as_fd(), std::io::stderr().as_fd()).unwrap_or(true);
    let polled = if shared {
        Err(io::ErrorKind::Unsupported.into())
    } else {
        polled(stdout.as_fd())
    };
    let output: io::Result<Box<dyn AsyncWrite + Unpin + Send>> = match polled {
        Ok(Polled::Pipe(fd)) => pipe::Sender::from_owned_fd(fd).map(|pipe| Box::new(pipe) as _),
        Ok(Polled::Socket(socket)) => Ok(Box::new(socket)),
        Err(err) => Err(err),
    };
    output.unwrap_or_else(|_| Box::new(tokio::io::stdout()))
}

/// A standard stream the runtime can poll, taken from a copy of `fd`.
enum Polled {
    Pipe(OwnedFd),
    /// libuv (Neovim, VS Code's Node) gives a child process a socket pair for its stdio.
    Socket(UnixStream),
}

/// `fd` as a pipe or a socket; an error for anything else (a file, a terminal).
fn polled(fd: BorrowedFd) -> io::Result<Polled> {
    let fd = fd.try_clone_to_owned()?;
    let file_type = std::fs::File::from(fd.try_clone()?).metadata()?.file_type();
    if file_type.is_fifo() {
        Ok(Polled::Pipe(fd))
    } else if file_type.is_socket() {
        let stream = std::os::unix::net::UnixStream::from(fd);
        stream.set_nonblocking(true)?;
        Ok(Polled::Socket(UnixStream::from_std(stream)?))
    } else {
        Err(io::ErrorKind::Unsupported.into())
    }
}

fn same_file(fd: BorrowedFd, other: BorrowedFd) -> io::Result<bool> {
    let identity = |fd: BorrowedFd| -> io::Result<(u64, u64)> {
        let metadata = std::fs::File::from(fd.try_clone_to_owned()?).metadata()?;
        Ok((metadata.dev(), metadata.ino()))
    };
    Ok(identity(fd)? == identity(other)?)
}
