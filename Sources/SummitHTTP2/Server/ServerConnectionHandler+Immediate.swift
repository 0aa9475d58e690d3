import SummitRPC

/// Unary calls answered at once (``RPCHandler/immediate``): run right where
/// the request's last frame was read, with no task, no continuation and no
/// thread hop. Everything else about the call is as on the handler path:
/// the same admission rule, deadline, compression, metadata and status. A
/// handler may decline a request (its ``RPCHandler/immediate`` returns nil),
/// which then takes the handler path like any other call.
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
    let context = ServerContext(method: handler.method, requestMetadata: stream.head.metadata, deadline: stream.deadline, peer: peer)
    let outcome: Result<Void, any Error>
    do {
      let request = try stream.soleRequest()
      // Declined (a page that may scan at length): the handler path runs
      // instead and reads the same request, still queued.
      guard let response = try immediate(request.bytes, context) else { return runHandler(stream) }
      stream.handler = nil
      stream.dropRequests()
      returnWindow(stream)
      responseBuilt(stream, count: response.count)
      let gzip = stream.responseEncoding == .gzip && context.compressResponses
      queueFramedResponse(
        stream, FramedBytes(message: response, gzip: gzip), heldCount: response.count, initial: context.initialMetadata)
      outcome = .success(())
    } catch {
      stream.handler = nil
      outcome = .failure(error)
    }
    handlerReturned(stream, outcome, context)
  }
}
