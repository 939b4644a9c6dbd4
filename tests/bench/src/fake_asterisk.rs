//! A minimal fake Asterisk for the AGI benchmarks: connects to a FastAGI
//! server, writes the `agi_*` environment, answers every command line with
//! `200 result=0`, and returns when the server closes the connection. Both
//! servers are driven by exactly this code.

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The reply to every command but `HANGUP`.
const REPLY: &[u8] = b"200 result=0\n";
/// The reply to `HANGUP`.
const REPLY_HANGUP: &[u8] = b"200 result=1\n";

/// The environment block (ending with its empty line), shaped like a real capture.
pub fn environment() -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in asterisk_sdk_mock::agi::default_environment() {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out
}

/// Connect and send the environment.
pub async fn connect(addr: SocketAddr, env: &[u8]) -> io::Result<TcpStream> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(env).await?;
    Ok(s)
}

/// One whole session: returns the command lines answered before the server
/// closed the connection.
pub async fn session(addr: SocketAddr, env: &[u8]) -> io::Result<usize> {
    let mut s = connect(addr, env).await?;
    let mut buf = [0u8; 2048];
    let mut filled = 0;
    let mut commands = 0;
    loop {
        let n = s.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(commands);
        }
        filled += n;
        let mut start = 0;
        while let Some(p) = memchr::memchr(b'\n', &buf[start..filled]) {
            commands += 1;
            let reply = if buf[start..].starts_with(b"HANGUP") {
                REPLY_HANGUP
            } else {
                REPLY
            };
            s.write_all(reply).await?;
            start += p + 1;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        if filled == buf.len() {
            return Err(io::Error::other("command line too long"));
        }
    }
}
