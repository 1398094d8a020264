//! HTTP/1.1 as the test servers speak it (the quota front, the Runtime API): one message at a
//! time on a keep-alive connection; bodies by `Content-Length` or chunked. Standard library only.

use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::net::TcpStream;

/// One HTTP/1.1 message: its start line, its header lines, and its `Content-Length` body.
pub(crate) type Message = (String, Vec<String>, Vec<u8>);

/// The next message of `reader`; `None` at the end of the stream.
pub(crate) fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    let mut start = String::new();
    if reader.read_line(&mut start)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        headers.push(line);
    }
    let body = if header(&headers, "transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        read_chunks(reader)?
    } else {
        let length = header(&headers, "content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some((start.trim_end().to_owned(), headers, body)))
}

/// A chunked body, whole (its trailers skipped).
fn read_chunks(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| std::io::Error::other("a chunk without its size"))?;
        if size == 0 {
            // trailers, up to the empty line
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut end = String::new();
        reader.read_line(&mut end)?;
    }
}

pub(crate) fn header<'a>(headers: &'a [String], name: &str) -> Option<&'a str> {
    headers.iter().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

pub(crate) fn respond(
    out: &mut TcpStream,
    status: &str,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for line in headers {
        head.push_str(line);
        head.push_str("\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\n\r\n", body.len());
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}
