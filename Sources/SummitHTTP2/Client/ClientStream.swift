import NIOCore
import SummitCodec
import SummitRPC

/// One call's stream on a client connection, on its event loop: request
/// bytes waiting for nghttp2, response messages waiting for the caller, and
/// the status once the trailers arrive.
final class ClientStream {
  var id: Int32 = 0
  let maxMessageSize: Int

  // Outbound.
  private var pending = PendingBytes()
  var pendingCount: Int { pending.count }
  var sendClosed = false
  var dataDeferred = false
  private var writeWaiters: [EventLoopPromise<Void>] = []

  // Inbound.
  var deframer: MessageDeframer
  var responseEncoding: MessageEncoding?
  var headerFields: [(String, String)] = []
  var headersReceived = false
  var initialMetadata: Metadata?
  private var initialWaiters: [EventLoopPromise<Metadata>] = []
  private var messages: [[UInt8]] = []
  private var messagesHead = 0
  private var queuedBytes = 0
  private var receivedBytes = 0
  private var consumedBytes = 0
  private var reader: EventLoopPromise<[UInt8]?>?
  /// How the call ended: nil while open; `.success` for OK.
  private(set) var outcome: Result<Metadata, RPCError>?
  private var endWaiters: [EventLoopPromise<Metadata>] = []

  init(maxMessageSize: Int) {
    self.maxMessageSize = maxMessageSize
    deframer = MessageDeframer(maxMessageSize: maxMessageSize)
  }

  // MARK: Outbound

  func append(_ framed: [UInt8]) {
    pending.append(framed)
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
    pending.read(into: buffer)
  }

  func waitForRoom(limit: Int, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
    if pendingCount <= limit { return eventLoop.makeSucceededVoidFuture() }
    let promise = eventLoop.makePromise(of: Void.self)
    writeWaiters.append(promise)
    return promise.futureResult
  }

  func releaseWriters(limit: Int) {
    guard pendingCount <= limit else { return }
    let waiters = writeWaiters
    writeWaiters = []
    for w in waiters { w.succeed() }
  }

  // MARK: Inbound

  func noteReceived(_ count: Int) { receivedBytes += count }

  func deliver(_ message: [UInt8], framedSize: Int) {
    if let reader {
      self.reader = nil
      reader.succeed(message)
    } else {
      messages.append(message)
      queuedBytes += framedSize
    }
  }

  func nextMessage(on eventLoop: any EventLoop) -> EventLoopFuture<[UInt8]?> {
    if messagesHead < messages.count {
      let m = messages[messagesHead]
      messagesHead += 1
      queuedBytes -= m.count + MessageFramer.headerSize
      if messagesHead == messages.count {
        messages.removeAll(keepingCapacity: true)
        messagesHead = 0
      }
      return eventLoop.makeSucceededFuture(m)
    }
    switch outcome {
    case .success?: return eventLoop.makeSucceededFuture(nil)
    case .failure(let error)?: return eventLoop.makeFailedFuture(error)
    case nil:
      let promise = eventLoop.makePromise(of: [UInt8]?.self)
      reader = promise
      return promise.futureResult
    }
  }

  func bytesToConsume() -> Int {
    let target = outcome == nil ? receivedBytes - queuedBytes : receivedBytes
    let count = target - consumedBytes
    consumedBytes = max(consumedBytes, target)
    return max(0, count)
  }

  func setInitialMetadata(_ metadata: Metadata) {
    initialMetadata = metadata
    let waiters = initialWaiters
    initialWaiters = []
    for w in waiters { w.succeed(metadata) }
  }

  func waitForInitialMetadata(on eventLoop: any EventLoop) -> EventLoopFuture<Metadata> {
    if let initialMetadata { return eventLoop.makeSucceededFuture(initialMetadata) }
    if case .failure(let error)? = outcome { return eventLoop.makeFailedFuture(error) }
    let promise = eventLoop.makePromise(of: Metadata.self)
    initialWaiters.append(promise)
    return promise.futureResult
  }

  func waitForEnd(on eventLoop: any EventLoop) -> EventLoopFuture<Metadata> {
    switch outcome {
    case .success(let trailers)?: return eventLoop.makeSucceededFuture(trailers)
    case .failure(let error)?: return eventLoop.makeSucceededFuture(error.metadata)
    case nil:
      let promise = eventLoop.makePromise(of: Metadata.self)
      endWaiters.append(promise)
      return promise.futureResult
    }
  }

  /// Records how the call ended and wakes everyone waiting. The first ending wins.
  func end(_ result: Result<Metadata, RPCError>) {
    guard outcome == nil else { return }
    outcome = result
    if let reader {
      self.reader = nil
      switch result {
      case .success: reader.succeed(nil)
      case .failure(let error): reader.fail(error)
      }
    }
    let error: RPCError? = if case .failure(let e) = result { e } else { nil }
    for w in initialWaiters { w.fail(error ?? RPCError(.internalError, "the call ended without response headers")) }
    initialWaiters = []
    let metadata: Metadata = switch result {
    case .success(let m): m
    case .failure(let e): e.metadata
    }
    for w in endWaiters { w.succeed(metadata) }
    endWaiters = []
    for w in writeWaiters { w.fail(error ?? RPCError(.cancelled, "the call has ended")) }
    writeWaiters = []
  }
}
