import Foundation
import MallocCounter

/// One timed operation: the median of several batches, in ns per call, and heap
/// allocations per call counted by the MallocCounter interposer.
struct Measurement {
  var nsPerCall: Double
  var allocationsPerCall: Double
}

nonisolated(unsafe) var blackHole = 0

func now() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` in batches of `iterations` after a warm-up; each batch's result feeds a
/// black hole so the optimiser keeps the work.
func measure(iterations: Int, batches: Int = 7, _ body: () -> Int) -> Measurement {
  for _ in 0..<max(iterations / 10, 10) { blackHole &+= body() }
  var samples: [Double] = []
  var allocations = 0.0
  for _ in 0..<batches {
    let a0 = malloc_counter_allocations()
    let t0 = now()
    for _ in 0..<iterations { blackHole &+= body() }
    let t1 = now()
    let a1 = malloc_counter_allocations()
    samples.append(Double(t1 - t0) / Double(iterations))
    allocations = Double(a1 - a0) / Double(iterations)
  }
  samples.sort()
  return Measurement(nsPerCall: samples[samples.count / 2], allocationsPerCall: allocations)
}
