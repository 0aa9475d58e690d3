import NIOCore
import Synchronization

/// Runs a connection's handler tasks on that connection's event loop.
///
/// A handler is a Swift task; on the global concurrent executor every call
/// crossed threads twice (event loop → pool → event loop), each crossing a
/// futex wake and a context switch, which on a busy core cost more than the
/// call's own work. With this preference a handler that does not block runs
/// start to finish on the loop that read its request, and its bridge calls
/// (``ServerCallBridge``) take their same-thread path. Work that blocks
/// still leaves the loop: the store runs SQLite on its own threads.
///
/// Once the server shuts its event loops down, jobs go to the global
/// executor instead, so a handler still finishing is not dropped.
final class EventLoopTaskExecutor: TaskExecutor {
  let eventLoop: any EventLoop
  private let closed = Atomic(false)

  init(eventLoop: any EventLoop) {
    self.eventLoop = eventLoop
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    if closed.load(ordering: .acquiring) {
      globalConcurrentExecutor.enqueue(job)
      return
    }
    let executor = asUnownedTaskExecutor()
    eventLoop.execute { job.runSynchronously(on: executor) }
  }

  /// From now on, jobs run on the global executor.
  func close() {
    closed.store(true, ordering: .releasing)
  }
}
