#include "et/actors/detail/openssl_errors.hpp"

#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#ifdef ET_OPENSSL_WRAP
// ET_STATIC: libssl is a static archive, so there is no libssl symbol to look
// up with dlsym and defining SSL_read here would clash with libssl.a's. The
// linker redirects every call instead (-Wl,--wrap=SSL_read, ... in
// cmake/EtStatic.cmake): CAF's calls reach these, which reach libssl's own.
extern "C" {
int __real_SSL_read(SSL* ssl, void* buf, int num);
int __real_SSL_write(SSL* ssl, const void* buf, int num);
int __real_SSL_accept(SSL* ssl);
int __real_SSL_connect(SSL* ssl);

int __wrap_SSL_read(SSL* ssl, void* buf, int num) {
  ERR_clear_error();
  return __real_SSL_read(ssl, buf, num);
}

int __wrap_SSL_write(SSL* ssl, const void* buf, int num) {
  ERR_clear_error();
  return __real_SSL_write(ssl, buf, num);
}

int __wrap_SSL_accept(SSL* ssl) {
  ERR_clear_error();
  return __real_SSL_accept(ssl);
}

int __wrap_SSL_connect(SSL* ssl) {
  ERR_clear_error();
  return __real_SSL_connect(ssl);
}
} // extern "C"

namespace et::actors {

bool isolate_openssl_errors() {
  return true;
}

} // namespace et::actors

#else

// Defined outside any namespace with C linkage so that they preempt libssl's
// symbols for every shared library of the process (the static linker exports
// them because libcaf_openssl refers to them). Each looks up libssl's own
// function once and clears the calling thread's error queue before calling it.

namespace {

template <class Fn>
Fn next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

using io_fn = int (*)(SSL*, void*, int);
using write_fn = int (*)(SSL*, const void*, int);
using handshake_fn = int (*)(SSL*);

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto real = next<io_fn>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto real = next<write_fn>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static const auto real = next<handshake_fn>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto real = next<handshake_fn>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"

namespace et::actors {

bool isolate_openssl_errors() {
  // The wrappers are live when the process resolves SSL_read to this file.
  return dlsym(RTLD_DEFAULT, "SSL_read") == reinterpret_cast<void*>(&SSL_read);
}

} // namespace et::actors

#endif
