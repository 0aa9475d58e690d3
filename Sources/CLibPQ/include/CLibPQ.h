// libpq's public header (Debian's libpq-dev, PostgreSQL 15), for the
// PostgreSQL store, which drives it through blocking calls on its own threads.
//
// summitd does not link libpq: the functions the store calls are defined in
// libpq_loader.c, which loads libpq.so.5 with dlopen on first use. A server on
// the embedded SQLite store so never maps libpq and what it pulls in
// (OpenSSL, GnuTLS, LDAP, Kerberos: about 3 MB resident), and does not need
// the library installed at all.
#pragma once
#include <stddef.h>
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5 and resolves every function the store uses, once.
/// Returns 0 when they are ready; otherwise -1, with why in `error`.
/// Safe to call from any thread, any number of times.
int summit_libpq_load(char *error, size_t size);
