// nghttp2's public header. Debian 12 ships nghttp2 1.52: the older API
// (nghttp2_session_mem_recv, nghttp2_data_provider) is the one used here.
#pragma once
#include <nghttp2/nghttp2.h>
