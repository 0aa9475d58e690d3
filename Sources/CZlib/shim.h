// zlib, for gzip message compression. deflateInit2/inflateInit2 are macros,
// which Swift cannot call: the inline wrappers below can.
#pragma once
#include <zlib.h>

static inline int CZlib_deflateInit2(z_streamp stream, int level, int method, int windowBits, int memLevel,
                                     int strategy) {
  return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}

static inline int CZlib_inflateInit2(z_streamp stream, int windowBits) {
  return inflateInit2(stream, windowBits);
}
