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
///
/// Large buffers (response pages, framed messages) are the other half: glibc
/// raises its mmap threshold each time it frees a large mapped block, after
/// which such buffers come from the arenas, where a few small live blocks can
/// pin their pages against any trim (the slow-client test saw 60 to 130 MiB
/// left after the same load). ``configure()`` fixes the threshold, so every
/// buffer of 256 KiB or more is its own mapping, returned when freed.
enum MemoryTrimmer {
  private static let pending = Atomic(false)
  private static let queue = DispatchQueue(label: "summit.malloc-trim", qos: .background)

  /// Fixes glibc's mmap threshold at 256 KiB (see above); once per process.
  static func configure() {
    #if canImport(Glibc)
      _ = configured
    #endif
  }

  #if canImport(Glibc)
    private static let configured: Bool = mallopt(M_MMAP_THRESHOLD, 256 * 1024) == 1
  #endif

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
