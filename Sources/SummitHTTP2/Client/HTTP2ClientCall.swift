import NIOCore
import SummitCodec
import SummitRPC
import Synchronization

/// One call on a ``GRPCChannel``: every operation hops onto the
/// connection's event loop, where its stream lives.
final class HTTP2ClientCall: ClientCall {
  private let channel: GRPCChannel
  private let method: ProtoMethodDescriptor
  private let options: CallOptions
  private struct Bound {
    var eventLoop: any EventLoop
    var stream: NIOLoopBound<ClientStream>
    var handler: NIOLoopBound<ClientConnectionHandler>
  }
  private let bound = Mutex<Bound?>(nil)
  private let deadlineTask = Mutex<Scheduled<Void>?>(nil)

  init(channel: GRPCChannel, method: ProtoMethodDescriptor, options: CallOptions) {
    self.channel = channel
    self.method = method
    self.options = options
  }

  func start() async throws {
    let options = self.options
    let path = method.path
    let maxMessageSize = channel.configuration.maxReceiveMessageSize
    // A connection may turn out to be closing (GOAWAY raced us): try a fresh one.
    for _ in 0..<3 {
      let (nioChannel, handler) = try await channel.connection()
      let eventLoop = nioChannel.eventLoop
      let started: NIOLoopBound<ClientStream>? = try await eventLoop.submit {
        let stream = ClientStream(maxMessageSize: maxMessageSize)
        guard handler.value.start(stream, path: path, options: options, compressed: options.compressRequests) else {
          return nil
        }
        return NIOLoopBound(stream, eventLoop: eventLoop)
      }.get()
      if let started {
        bound.withLock { $0 = Bound(eventLoop: eventLoop, stream: started, handler: handler) }
        if let timeout = options.timeout { armDeadline(timeout, eventLoop, started, handler) }
        return
      }
    }
    throw RPCError(.unavailable, "no connection to \(channel.host):\(channel.port) would take the call")
  }

  private func armDeadline(
    _ timeout: Duration, _ eventLoop: any EventLoop, _ stream: NIOLoopBound<ClientStream>,
    _ handler: NIOLoopBound<ClientConnectionHandler>
  ) {
    let task = eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
      handler.value.cancel(stream.value, with: RPCError(.deadlineExceeded, "deadline exceeded after \(timeout)"))
    }
    deadlineTask.withLock { $0 = task }
  }

  private func current() throws -> Bound {
    guard let b = bound.withLock({ $0 }) else { throw RPCError(.internalError, "the call was not started") }
    return b
  }

  func send(_ message: [UInt8]) async throws {
    let b = try current()
    let compressed = options.compressRequests
    var framed: [UInt8] = []
    MessageFramer.append(compressed ? Gzip.compress(message) : message, compressed: compressed, to: &framed)
    let bytes = framed
    let limit = channel.configuration.maxPendingRequestBytes
    try await b.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
      let stream = b.stream.value
      if case .failure(let error)? = stream.outcome { return b.eventLoop.makeFailedFuture(error) }
      guard !stream.sendClosed else {
        return b.eventLoop.makeFailedFuture(RPCError(.internalError, "send after the request side was closed"))
      }
      stream.append(bytes)
      b.handler.value.resume(stream)
      return stream.waitForRoom(limit: limit, on: b.eventLoop)
    }.get()
  }

  func closeSend() async throws {
    let b = try current()
    try await b.eventLoop.submit {
      let stream = b.stream.value
      guard !stream.sendClosed else { return }
      stream.sendClosed = true
      b.handler.value.resume(stream)
    }.get()
  }

  func receive() async throws -> [UInt8]? {
    let b = try current()
    let message = try await b.eventLoop.flatSubmit {
      let stream = b.stream.value
      let next = stream.nextMessage(on: b.eventLoop)
      b.handler.value.returnWindow(stream)
      b.handler.value.scheduleFlush()
      return next
    }.get()
    if message == nil { deadlineTask.withLock { $0?.cancel() } }
    return message
  }

  func initialMetadata() async throws -> Metadata {
    let b = try current()
    return try await b.eventLoop.flatSubmit { b.stream.value.waitForInitialMetadata(on: b.eventLoop) }.get()
  }

  func trailingMetadata() async throws -> Metadata {
    let b = try current()
    return try await b.eventLoop.flatSubmit { b.stream.value.waitForEnd(on: b.eventLoop) }.get()
  }

  func cancel() {
    guard let b = bound.withLock({ $0 }) else { return }
    b.eventLoop.execute {
      b.handler.value.cancel(b.stream.value, with: RPCError(.cancelled, "the call was cancelled"))
    }
  }
}
