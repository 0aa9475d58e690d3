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

/// Runs `ours` and `theirs` in alternating batches of `iterations` after a warm-up, so that the
/// machine's changing load hits both alike; each result feeds a black hole so the optimiser keeps
/// the work. Returns the median batch of each.
func measurePair(iterations: Int, batches: Int = 9, _ ours: () -> Int, _ theirs: () -> Int)
  -> (ours: Measurement, theirs: Measurement)
{
  for _ in 0..<max(iterations / 10, 10) { blackHole &+= ours() &+ theirs() }
  var samples: ([Double], [Double]) = ([], [])
  var allocations = (0.0, 0.0)
  for _ in 0..<batches {
    let (t, a) = batch(iterations, ours)
    samples.0.append(t)
    allocations.0 = a
    let (u, b) = batch(iterations, theirs)
    samples.1.append(u)
    allocations.1 = b
  }
  return (
    Measurement(nsPerCall: median(samples.0), allocationsPerCall: allocations.0),
    Measurement(nsPerCall: median(samples.1), allocationsPerCall: allocations.1)
  )
}

/// One batch: ns per call and allocations per call.
private func batch(_ iterations: Int, _ body: () -> Int) -> (Double, Double) {
  let a0 = malloc_counter_allocations()
  let t0 = now()
  for _ in 0..<iterations { blackHole &+= body() }
  let t1 = now()
  let a1 = malloc_counter_allocations()
  return (Double(t1 - t0) / Double(iterations), Double(a1 - a0) / Double(iterations))
}

private func median(_ values: [Double]) -> Double {
  values.sorted()[values.count / 2]
}
