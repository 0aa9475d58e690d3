// libpq, loaded on first use (see CLibPQ.h): each libpq function the store
// calls is defined here with libpq's own prototype (checked by the compiler
// against libpq-fe.h) and forwards to the symbol resolved by dlopen/dlsym.
#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// One pointer per function, filled by load_once.
#define LIBPQ_FUNCTIONS(X) \
  X(PQconnectdbParams) X(PQfinish) X(PQstatus) X(PQerrorMessage) X(PQsocket) \
  X(PQsetNoticeProcessor) X(PQexec) X(PQexecParams) X(PQconsumeInput) X(PQnotifies) \
  X(PQresultStatus) X(PQresultErrorMessage) X(PQresultErrorField) X(PQntuples) \
  X(PQnfields) X(PQcmdTuples) X(PQgetvalue) X(PQgetlength) X(PQgetisnull) X(PQclear) \
  X(PQfreemem)

#define DECLARE_POINTER(name) static __typeof__(&name) p_##name;
LIBPQ_FUNCTIONS(DECLARE_POINTER)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];

static void load_once(void) {
  void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    snprintf(load_error, sizeof load_error, "cannot load libpq.so.5 (Debian: libpq5): %s", dlerror());
    return;
  }
#define RESOLVE(name)                                                                         \
  p_##name = (__typeof__(&name))dlsym(library, #name);                                        \
  if (p_##name == NULL) {                                                                     \
    snprintf(load_error, sizeof load_error, "libpq.so.5 has no %s: %s", #name, dlerror());   \
    return;                                                                                   \
  }
  LIBPQ_FUNCTIONS(RESOLVE)
}

int summit_libpq_load(char *error, size_t size) {
  pthread_once(&once, load_once);
  if (load_error[0] == '\0') return 0;
  if (error != NULL && size > 0) snprintf(error, size, "%s", load_error);
  return -1;
}

// Called before summit_libpq_load succeeded: a programming error in the
// store (every connection is opened after a successful load).
static void require_loaded(const char *name) {
  if (summit_libpq_load(NULL, 0) != 0) {
    fprintf(stderr, "summitd: %s called without libpq loaded: %s\n", name, load_error);
    abort();
  }
}

PGconn *PQconnectdbParams(const char *const *keywords, const char *const *values, int expand_dbname) {
  require_loaded("PQconnectdbParams");
  return p_PQconnectdbParams(keywords, values, expand_dbname);
}
void PQfinish(PGconn *conn) { p_PQfinish(conn); }
ConnStatusType PQstatus(const PGconn *conn) { return p_PQstatus(conn); }
char *PQerrorMessage(const PGconn *conn) { return p_PQerrorMessage(conn); }
int PQsocket(const PGconn *conn) { return p_PQsocket(conn); }
PQnoticeProcessor PQsetNoticeProcessor(PGconn *conn, PQnoticeProcessor proc, void *arg) {
  return p_PQsetNoticeProcessor(conn, proc, arg);
}
PGresult *PQexec(PGconn *conn, const char *query) { return p_PQexec(conn, query); }
PGresult *PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                       const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                       int resultFormat) {
  return p_PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}
int PQconsumeInput(PGconn *conn) { return p_PQconsumeInput(conn); }
PGnotify *PQnotifies(PGconn *conn) { return p_PQnotifies(conn); }
ExecStatusType PQresultStatus(const PGresult *res) { return p_PQresultStatus(res); }
char *PQresultErrorMessage(const PGresult *res) { return p_PQresultErrorMessage(res); }
char *PQresultErrorField(const PGresult *res, int fieldcode) { return p_PQresultErrorField(res, fieldcode); }
int PQntuples(const PGresult *res) { return p_PQntuples(res); }
int PQnfields(const PGresult *res) { return p_PQnfields(res); }
char *PQcmdTuples(PGresult *res) { return p_PQcmdTuples(res); }
char *PQgetvalue(const PGresult *res, int tup_num, int field_num) { return p_PQgetvalue(res, tup_num, field_num); }
int PQgetlength(const PGresult *res, int tup_num, int field_num) { return p_PQgetlength(res, tup_num, field_num); }
int PQgetisnull(const PGresult *res, int tup_num, int field_num) { return p_PQgetisnull(res, tup_num, field_num); }
void PQclear(PGresult *res) { p_PQclear(res); }
void PQfreemem(void *ptr) { p_PQfreemem(ptr); }
