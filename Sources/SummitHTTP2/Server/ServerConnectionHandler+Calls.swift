import CoreMetrics
import Logging
import NIOCore
import SummitCodec
import SummitRPC

/// Starting a call once its HEADERS are in, and ending it with a status.
extension ServerConnectionHandler {
  func startCall(_ stream: ServerStream) {
    let head = stream.head
    let handler = router.handler(forPath: head.path)
    stream.metrics = handler == nil ? ServerMetrics.shared.unknownMethod : ServerMetrics.shared.method(head.path)
    if head.tooLarge {
      return finish(stream, error: RPCError(.resourceExhausted, "request headers exceed \(configuration.maxHeaderListSize) bytes"))
    }
    guard head.method == "POST" else {
      return respondWithoutGRPC(stream, status: "405", extra: [("allow", "POST")])
    }
    guard head.hasGRPCContentType else {
      return respondWithoutGRPC(stream, status: "415", extra: [])
    }
    guard let handler else {
      return finish(stream, error: RPCError(.unimplemented, "unknown method \(head.path)"))
    }
    if let name = head.encoding, name != MessageEncoding.identity.rawValue {
      guard let encoding = MessageEncoding(rawValue: name) else {
        return finish(
          stream, error: RPCError(.unimplemented, "grpc-encoding \(name) is not supported (supported: \(MessageEncoding.acceptHeader))"))
      }
      stream.requestEncoding = encoding
      // Answer in kind when the client accepts it.
      if MessageEncoding.accepted(head.acceptEncoding).contains(encoding) { stream.responseEncoding = encoding }
    }
    if let name = head.invalidMetadata {
      return finish(stream, error: RPCError(.internalError, "header \(name) is not valid base64"))
    }
    if let text = head.timeout {
      guard let timeout = GRPCTimeout.parse(text[...]) else {
        return finish(stream, error: RPCError(.internalError, "invalid grpc-timeout \(text)"))
      }
      stream.deadline = .now + timeout
      armDeadline(stream, after: timeout)
    }
    stream.handler = handler
    if handler.immediate != nil && configuration.handlersOnEventLoops {
      stream.answersImmediately = true  // at the request's END_STREAM: answerImmediately
      return
    }
    if admission.hasRoom && admission.waitingCount == 0 {
      runHandler(stream)
    } else {
      admission.enqueue(stream)
    }
  }

  /// Starts the handlers of waiting calls while the connection has room.
  func admitWaitingCalls() {
    while let stream = admission.next() { runHandler(stream) }
  }

  func runHandler(_ stream: ServerStream) {
    guard let eventLoop = context?.eventLoop, let handler = stream.handler else { return }
    stream.handler = nil
    let context = ServerContext(
      method: handler.method, requestMetadata: stream.head.metadata, deadline: stream.deadline, peer: peer)
    let bridge = ServerCallBridge(
      eventLoop: eventLoop, stream: NIOLoopBound(stream, eventLoop: eventLoop),
      connection: NIOLoopBound(self, eventLoop: eventLoop), compression: stream.responseEncoding,
      context: context, maxPendingResponseBytes: configuration.maxPendingResponseBytes)
    let loopBoundStream = NIOLoopBound(stream, eventLoop: eventLoop)
    let loopBoundSelf = NIOLoopBound(self, eventLoop: eventLoop)
    stream.handlerStarted = true
    stream.preparing = true
    admission.handlerStarted()
    ServerMetrics.shared.callsInFlight.increment()
    stream.task = Task(executorPreference: handler.prefersEventLoop ? executor : nil) {
      let outcome: Result<Void, any Error>
      do {
        try await handler.run(bridge, context)
        outcome = .success(())
      } catch {
        outcome = .failure(error)
      }
      if eventLoop.inEventLoop {
        loopBoundSelf.value.handlerReturned(loopBoundStream.value, outcome, context)
      } else {
        eventLoop.execute {
          loopBoundSelf.value.handlerReturned(loopBoundStream.value, outcome, context)
        }
      }
    }
  }

  private func armDeadline(_ stream: ServerStream, after timeout: Duration) {
    guard let eventLoop = context?.eventLoop else { return }
    let loopBoundStream = NIOLoopBound(stream, eventLoop: eventLoop)
    let loopBoundSelf = NIOLoopBound(self, eventLoop: eventLoop)
    stream.deadlineTimer = eventLoop.scheduleTask(in: .nanoseconds(max(0, timeout.nanoseconds))) {
      loopBoundSelf.value.finish(loopBoundStream.value, error: RPCError(.deadlineExceeded, "deadline exceeded"))
    }
  }

  func handlerReturned(_ stream: ServerStream, _ outcome: Result<Void, any Error>, _ context: ServerContext) {
    handlerPrepared(stream)
    switch outcome {
    case .success:
      finish(stream, code: .ok, message: "", details: [], initial: context.initialMetadata, trailing: context.trailingMetadata)
    case .failure(let error as RPCError):
      var trailing = context.trailingMetadata
      for entry in error.metadata { trailing.add(entry.key, entry.value) }
      finish(stream, code: error.code, message: error.message, details: error.details, initial: context.initialMetadata, trailing: trailing)
    case .failure(is CancellationError):
      finish(stream, error: RPCError(.cancelled, "call cancelled"))
    case .failure(let error):
      logger.warning(
        "handler failed",
        metadata: ["method": "\(stream.head.path)", "error": "\(error)", "request_id": "\(stream.requestID ?? "")"])
      finish(stream, error: RPCError(.internalError, "internal error"))
    }
  }

  func finish(_ stream: ServerStream, error: RPCError) {
    finish(stream, code: error.code, message: error.message, details: error.details, initial: Metadata(), trailing: error.metadata)
  }

  /// Ends the call with its status: trailers after the response body, or a
  /// trailers-only response when nothing was sent yet. The first status wins.
  func finish(
    _ stream: ServerStream, code: StatusCode, message: String, details: [Google_Protobuf_Any], initial: Metadata,
    trailing: Metadata
  ) {
    guard !stream.finished else { return }
    stream.finished = true
    stream.deadlineTimer?.cancel()
    stream.deadlineTimer = nil
    let status = HeaderValues.statusHeaders(code: code, message: message, details: details, metadata: trailing)
    if !stream.closed {
      if stream.headersSent {
        stream.trailers = status
        resume(stream)
      } else {
        submit(stream, headers: responseHeaders(stream, initial: initial) + status, hasBody: false)
      }
    }
    stream.task?.cancel()
    stream.failWaiters(CancellationError())
    returnWindow(stream)
    account(stream, code: code)
    let level: Logger.Level = code == .ok || code.rawValue < 0 ? .debug : (code == .internalError || code == .unknown ? .warning : .debug)
    if logger.logLevel <= level { logCallEnded(stream, code: code, message: message, level: level) }
    scheduleFlush()
  }

  /// The "call ended" line; its metadata (a dictionary, a formatted
  /// duration) is built only when the line is logged.
  private func logCallEnded(_ stream: ServerStream, code: StatusCode, message: String, level: Logger.Level) {
    var metadata: Logger.Metadata = [
      "method": "\(stream.head.path)", "status": "\(code.name)",
      "duration_ms": "\(Double((ContinuousClock.now - stream.startTime).nanoseconds) / 1e6)",
    ]
    if !message.isEmpty && code != .ok { metadata["message"] = "\(message)" }
    if let id = stream.requestID { metadata["request_id"] = "\(id)" }
    logger.log(level: level, "call ended", metadata: metadata)
  }

  /// Counts the call once in the metrics: its status, its duration, and the
  /// end of its time in flight.
  func account(_ stream: ServerStream, code: StatusCode) {
    if stream.handlerStarted {
      stream.handlerStarted = false
      ServerMetrics.shared.callsInFlight.decrement()
    }
    guard !stream.accounted, stream.phase == .open else { return }
    stream.accounted = true
    (stream.metrics ?? ServerMetrics.shared.unknownMethod).callEnded(code: code, duration: ContinuousClock.now - stream.startTime)
  }

  /// The response HEADERS: status 200, content type, encodings, initial metadata.
  func responseHeaders(_ stream: ServerStream, initial: Metadata) -> [(String, String)] {
    var headers = [(":status", "200"), ("content-type", "application/grpc"), ("grpc-accept-encoding", MessageEncoding.acceptHeader)]
    if let encoding = stream.responseEncoding { headers.append(("grpc-encoding", encoding.rawValue)) }
    for entry in initial where !entry.key.hasPrefix("grpc-") && !entry.key.hasPrefix(":") {
      headers.append((entry.key, HeaderValues.headerValue(entry.value)))
    }
    return headers
  }

  /// Sends the response HEADERS, once, ahead of the first message.
  func ensureHeadersSent(_ stream: ServerStream, initial: Metadata) {
    guard !stream.headersSent, !stream.closed else { return }
    stream.headersSent = true
    submit(stream, headers: responseHeaders(stream, initial: initial), hasBody: true)
  }

  func resume(_ stream: ServerStream) {
    if stream.dataDeferred {
      stream.dataDeferred = false
      session?.resumeData(stream: stream.id)
    }
  }

  private func submit(_ stream: ServerStream, headers: [(String, String)], hasBody: Bool) {
    do {
      try session?.submitResponse(stream: stream.id, headers: headers, hasBody: hasBody)
    } catch {
      logger.warning("cannot submit response headers: \(error)")
      session?.submitReset(stream: stream.id, errorCode: 2)  // INTERNAL_ERROR
    }
  }

  /// A plain HTTP answer for requests that are not gRPC at all.
  private func respondWithoutGRPC(_ stream: ServerStream, status: String, extra: [(String, String)]) {
    stream.finished = true
    submit(stream, headers: [(":status", status)] + extra, hasBody: false)
    returnWindow(stream)
    logger.debug("not a gRPC request", metadata: ["http_status": "\(status)", "method": "\(stream.head.method)"])
    scheduleFlush()
  }
}
