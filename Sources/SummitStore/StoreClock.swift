import Glibc

/// The stores' wall clock: change-log commit times and idempotency records.
enum StoreClock {
  /// Wall-clock time in Unix milliseconds.
  static func nowMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}
