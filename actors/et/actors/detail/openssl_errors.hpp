#pragma once
/// A workaround for CAF 0.17.6's OpenSSL module on OpenSSL 3: it reads
/// SSL_get_error() after each TLS call but, with CAF's logging compiled out
/// (as in Debian's build), never drains OpenSSL's per-thread error queue. One
/// connection's failure (a peer that exits without close_notify, a refused
/// handshake) then stays queued and makes the next TLS call of any other
/// connection on the same I/O thread look failed, so CAF drops that healthy
/// connection too. OpenSSL asks callers to clear the queue before each I/O
/// call; this file does it for the calls CAF makes (SSL_read, SSL_write,
/// SSL_accept, SSL_connect) by defining them in the executable, which then
/// wraps libssl's own.

namespace et::actors {

/// Links the wrappers into the executable (a call from code that always runs
/// with networking); does nothing at run time. True when they are in place.
bool isolate_openssl_errors();

} // namespace et::actors
