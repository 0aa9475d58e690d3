import NIOCore
import SummitRPC

/// One gRPC call's HTTP/2 stream, on its connection's event loop: the
/// request messages waiting for the handler, the response bytes waiting for
/// nghttp2, and how the call ends.
final class ServerStream {
  enum Phase {
    /// Request HEADERS are arriving.
    case receivingHeaders
    /// A handler is running (or an early error answer is queued).
    case open
  }

  let id: Int32
  var phase = Phase.receivingHeaders
  var head = RequestHead()
  /// The caller's `x-request-id`, carried into every log line of the call
  /// (at most 128 printable characters are kept).
  var requestID: String? {
    guard let id = head.metadata.first("x-request-id"), !id.isEmpty else { return nil }
    return String(id.prefix(128))
  }
  var startTime = ContinuousClock.now

  // MARK: Inbound

  var deframer: MessageDeframer
  /// Request encoding; nil for identity.
  var requestEncoding: MessageEncoding?
  private var queue: [(message: ReceivedMessage, framedSize: Int)] = []
  private var queueHead = 0
  private var waitingReader: EventLoopPromise<ReceivedMessage?>?
  var requestEnded = false
  /// Bytes received in DATA frames and not yet returned to the client's window.
  private var receivedBytes = 0
  private var consumedBytes = 0
  private var queuedBytes = 0

  // MARK: Outbound

  var headersSent = false
  var responseEncoding: MessageEncoding?
  private var pending = PendingBytes()
  var pendingCount: Int { pending.count }
  private var writeWaiters: [EventLoopPromise<Void>] = []
  /// nghttp2 was told there is no data; it must be resumed when there is.
  var dataDeferred = false
  /// The trailers, once the call's status is known; sent after `pending`.
  var trailers: [(String, String)]?
  /// The call's status is decided: no more writes, no second status.
  var finished = false
  /// The stream is gone from nghttp2 (closed or reset).
  var closed = false

  var task: Task<Void, Never>?
  /// The method's handler, kept while the call waits for admission.
  var handler: RPCHandler?
  var deadline: ContinuousClock.Instant?
  /// The handler runs and has sent nothing yet (see ``CallAdmission``).
  var preparing = false
  /// Response messages built by the handler and waiting for room, in bytes.
  var heldBytes = 0
  /// A handler was started (counted in flight until the call ends).
  var handlerStarted = false
  /// The call is counted in the metrics.
  var accounted = false
  /// The handler answers at once (``RPCHandler/immediate``) once the whole
  /// request is in; until then nothing runs.
  var answersImmediately = false
  /// Where the call is counted: its method's handles, found when it starts.
  var metrics: MethodMetrics?
  var deadlineTimer: Scheduled<Void>?

  init(id: Int32, maxMessageSize: Int) {
    self.id = id
    deframer = MessageDeframer(maxMessageSize: maxMessageSize)
  }

  // MARK: Request messages

  /// Records DATA bytes arriving for flow-control accounting.
  func noteReceived(_ count: Int) {
    receivedBytes += count
  }

  func enqueue(_ message: ReceivedMessage, framedSize: Int) {
    if let reader = waitingReader {
      waitingReader = nil
      reader.succeed(message)
    } else {
      queue.append((message, framedSize))
      queuedBytes += framedSize
    }
  }

  /// The next request message: ready now, or a future.
  enum NextRequest: Sendable {
    /// A queued message, or nil after the client's END_STREAM.
    case ready(ReceivedMessage?)
    case later(EventLoopFuture<ReceivedMessage?>)
  }

  /// The next request message for the handler; nil after the client's END_STREAM.
  func nextRequest(on eventLoop: any EventLoop) throws -> NextRequest {
    if finished && closed { throw CancellationError() }
    if queueHead < queue.count {
      let item = queue[queueHead]
      queueHead += 1
      queuedBytes -= item.framedSize
      if queueHead == queue.count {
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
      }
      return .ready(item.message)
    }
    if requestEnded { return .ready(nil) }
    precondition(waitingReader == nil, "one reader at a time")
    let promise = eventLoop.makePromise(of: ReceivedMessage?.self)
    waitingReader = promise
    return .later(promise.futureResult)
  }

  /// The request of a unary call whose client has half-closed: its one
  /// message, or the error a unary handler reading it would have met. It
  /// stays queued (for the handler path, should the call take it) until
  /// ``dropRequests()``.
  func soleRequest() throws(RPCError) -> ReceivedMessage {
    guard queueHead < queue.count else { throw RPCError(.internalError, "expected one request message, got none") }
    guard queue.count - queueHead == 1 else { throw RPCError(.internalError, "expected one request message, got more") }
    return queue[queueHead].message
  }

  /// Forgets the queued request messages: the call was answered without them.
  func dropRequests() {
    queue.removeAll(keepingCapacity: true)
    queueHead = 0
    queuedBytes = 0
  }

  func endRequest() {
    requestEnded = true
    if queueHead == queue.count, let reader = waitingReader {
      waitingReader = nil
      reader.succeed(nil)
    }
  }

  /// Bytes the client may send again: everything received except the
  /// messages still queued for the handler (so a slow handler slows the
  /// client), or everything once the call is over.
  func bytesToConsume(includingQueued: Bool) -> Int {
    let target = includingQueued ? receivedBytes : receivedBytes - queuedBytes
    let count = target - consumedBytes
    consumedBytes = max(consumedBytes, target)
    return max(0, count)
  }

  // MARK: Response bytes

  func appendResponse(_ framed: FramedBytes) {
    pending.append(framed)
  }

  /// Drops the queued response bytes (the stream is gone); returns how many.
  func discardPendingResponse() -> Int {
    let count = pending.count
    pending = PendingBytes()
    return count
  }

  /// Hands the first `count` pending response bytes to `body` (a piece at
  /// a time, without copying them) and drops them.
  func consumeResponse(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
    pending.consume(count, body)
  }

  /// A future that completes once pending bytes fall to `limit` or less.
  func waitForRoom(limit: Int, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
    if pendingCount <= limit { return eventLoop.makeSucceededVoidFuture() }
    let promise = eventLoop.makePromise(of: Void.self)
    writeWaiters.append(promise)
    return promise.futureResult
  }

  func releaseWriters(limit: Int) {
    guard pendingCount <= limit, !writeWaiters.isEmpty else { return }
    let waiters = writeWaiters
    writeWaiters = []
    for w in waiters { w.succeed() }
  }

  /// Ends every wait with `error`: the call is over for the handler.
  func failWaiters(_ error: any Error) {
    if let reader = waitingReader {
      waitingReader = nil
      reader.fail(error)
    }
    let waiters = writeWaiters
    writeWaiters = []
    for w in waiters { w.fail(error) }
  }
}
