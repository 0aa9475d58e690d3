// SQLite's public header (Debian's libsqlite3-dev) and the two binding calls
// Swift cannot spell: SQLITE_TRANSIENT is a function-pointer cast of -1,
// which the importer drops, so the binds that copy their argument live here.
#pragma once
#include <sqlite3.h>

static inline int summit_sqlite3_bind_text_copy(sqlite3_stmt *statement, int index, const char *text, int length) {
  return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}

static inline int summit_sqlite3_bind_blob_copy(sqlite3_stmt *statement, int index, const void *bytes, int length) {
  return sqlite3_bind_blob(statement, index, bytes, length, SQLITE_TRANSIENT);
}
