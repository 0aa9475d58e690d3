#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A POSIX thread of its own for work that blocks for the life of the
/// process (``PostgresChangeFollower`` waits in poll(2)): on a dispatch
/// queue it would hold one of the pool's threads for ever. Foundation's
/// `Thread` did this before; summitd no longer links full Foundation.
///
/// The thread is unnamed: glibc's `pthread_setname_np` needs `_GNU_SOURCE`,
/// which the Glibc module does not define.
enum DetachedThread {
  static func start(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(Body(run: body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, nil,
      { context in
        Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
        return nil
      }, box)
    precondition(status == 0, "pthread_create failed: \(status)")
    pthread_detach(thread)
  }

  private final class Body {
    let run: @Sendable () -> Void
    init(run: @escaping @Sendable () -> Void) { self.run = run }
  }
}
