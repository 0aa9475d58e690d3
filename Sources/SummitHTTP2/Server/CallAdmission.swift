/// Which of one connection's calls may start their handler now.
///
/// Flow control stops a client that does not read from receiving more, but
/// not from asking for more: every stream it opens would start a handler, and
/// each handler builds its whole response in memory before the first byte of
/// it can be sent. So a connection starts a new handler only while
///
/// - fewer than `maxPreparing` of its handlers are still preparing their
///   first response (a handler stops counting once it sends a message or its
///   headers, or returns), and
/// - the response bytes it holds unsent (framed and queued, or built and
///   waiting for room) are below `maxBacklogBytes`.
///
/// Other calls wait their turn in arrival order, with their deadlines running.
/// What one connection can make the server hold is then about
/// `maxBacklogBytes` plus `maxPreparing` responses, however many streams it
/// opens and however little it reads; a client that reads keeps its backlog
/// near zero and never waits here for long.
struct CallAdmission {
  let maxPreparing: Int
  let maxBacklogBytes: Int
  private(set) var preparing = 0
  private(set) var backlogBytes = 0
  private var waiting: [ServerStream] = []
  private var waitingHead = 0

  init(maxPreparing: Int, maxBacklogBytes: Int) {
    self.maxPreparing = max(1, maxPreparing)
    self.maxBacklogBytes = max(1, maxBacklogBytes)
  }

  var hasRoom: Bool { preparing < maxPreparing && backlogBytes < maxBacklogBytes }
  var waitingCount: Int { waiting.count - waitingHead }

  mutating func enqueue(_ stream: ServerStream) {
    waiting.append(stream)
  }

  /// The next waiting call that is still worth starting, if there is room.
  mutating func next() -> ServerStream? {
    while hasRoom, waitingHead < waiting.count {
      let stream = waiting[waitingHead]
      waitingHead += 1
      if waitingHead == waiting.count {
        waiting.removeAll(keepingCapacity: true)
        waitingHead = 0
      }
      // Answered meanwhile (deadline, reset, shutdown): nothing to start.
      if !stream.finished && !stream.closed { return stream }
    }
    return nil
  }

  mutating func handlerStarted() { preparing += 1 }
  mutating func handlerPrepared() { preparing -= 1 }
  mutating func add(backlog bytes: Int) { backlogBytes += bytes }
  mutating func remove(backlog bytes: Int) { backlogBytes -= bytes }
}
