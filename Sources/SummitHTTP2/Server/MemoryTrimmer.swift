#if canImport(Glibc)
  private import CMalloc
#endif
import Dispatch
import Synchronization

/// Gives freed heap back to the operating system after a burst.
///
/// glibc keeps memory that connections freed in its arenas, so a server's
/// resident size stays at its peak long after the load is gone (measured:
/// ~2 MiB in use, ~70 MiB held). When a connection closes, a trim runs a
/// second later, at most once a second, off the event loops.
enum MemoryTrimmer {
  private static let pending = Atomic(false)
  private static let queue = DispatchQueue(label: "summit.malloc-trim", qos: .background)

  static func connectionClosed() {
    #if canImport(Glibc)
      guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
      queue.asyncAfter(deadline: .now() + 1) {
        pending.store(false, ordering: .releasing)
        _ = malloc_trim(0)
      }
    #endif
  }
}
