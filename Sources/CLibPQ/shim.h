// libpq's public header (Debian's libpq-dev, PostgreSQL 15): the client
// library the PostgreSQL store drives through blocking calls on its own threads.
#pragma once
#include <libpq-fe.h>
