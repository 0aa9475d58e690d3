import SummitRPC

/// Unary calls answered at once (``RPCHandler/immediate``): run right where
/// the request's last frame was read, with no task, no continuation and no
/// thread hop. Everything else about the call is as on the handler path:
/// the same admission rule, deadline, compression, metadata and status.
/// Such a call is counted in the call metrics, not in `calls_in_flight`: it
/// never outlives the loop turn that read it.
extension ServerConnectionHandler {
  func answerImmediately(_ stream: ServerStream) {
    stream.answersImmediately = false
    guard !stream.finished, let handler = stream.handler, let immediate = handler.immediate else { return }
    // Calls already waiting, or a connection whose client is not reading
    // its responses: this one waits its turn on the handler path, which
    // reads the request already queued.
    guard admission.hasRoom && admission.waitingCount == 0 else {
      admission.enqueue(stream)
      return
    }
    if let deadline = stream.deadline, deadline <= .now {
      return finish(stream, error: RPCError(.deadlineExceeded, "deadline exceeded"))
    }
    stream.handler = nil
    let context = ServerContext(method: handler.method, requestMetadata: stream.head.metadata, deadline: stream.deadline, peer: peer)
    let outcome: Result<Void, any Error>
    do {
      let request = try stream.singleRequest()
      returnWindow(stream)
      queueImmediateResponse(stream, try immediate(request.bytes, context), context: context)
      outcome = .success(())
    } catch {
      outcome = .failure(error)
    }
    handlerReturned(stream, outcome, context)
  }

  /// Frames `message` (compressed when negotiated) and queues it behind the
  /// response headers, as ``ServerCallBridge/sendResponse(_:)`` does.
  private func queueImmediateResponse(_ stream: ServerStream, _ message: [UInt8], context: ServerContext) {
    let compressed = stream.responseEncoding == .gzip && context.compressResponses
    let payload = compressed ? Gzip.compress(message) : message
    var framed: [UInt8] = []
    framed.reserveCapacity(payload.count + MessageFramer.headerSize)
    MessageFramer.append(payload, compressed: compressed, to: &framed)
    responseBuilt(stream, count: message.count)
    ensureHeadersSent(stream, initial: context.initialMetadata)
    queueResponse(stream, heldCount: message.count, framed: framed)
    resume(stream)
  }
}
