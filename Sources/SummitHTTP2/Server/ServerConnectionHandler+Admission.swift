import SummitRPC

/// Keeping ``CallAdmission`` up to date: which handlers are still preparing
/// their first response, and how many response bytes the connection holds
/// unsent. Each change that can make room starts waiting calls.
extension ServerConnectionHandler {
  /// The handler sent something or returned: it no longer counts as preparing.
  func handlerPrepared(_ stream: ServerStream) {
    guard stream.preparing else { return }
    stream.preparing = false
    admission.handlerPrepared()
    admitWaitingCalls()
  }

  /// A handler built a response message of `count` bytes; it is held until
  /// the stream has room for it.
  func responseBuilt(_ stream: ServerStream, count: Int) {
    stream.heldBytes += count
    admission.add(backlog: count)
    handlerPrepared(stream)
  }

  /// A held message was framed and queued for nghttp2 as `framed`.
  func queueResponse(_ stream: ServerStream, heldCount: Int, framed: FramedBytes) {
    dropHeld(stream, count: heldCount)
    stream.appendResponse(framed)
    admission.add(backlog: framed.count)
  }

  /// A held message, framed as `framed`, goes out behind the response
  /// headers (sent now if they were not), and a flush is asked for.
  func queueFramedResponse(_ stream: ServerStream, _ framed: FramedBytes, heldCount: Int, initial: Metadata) {
    ensureHeadersSent(stream, initial: initial)
    queueResponse(stream, heldCount: heldCount, framed: framed)
    resume(stream)
    scheduleFlush()
  }

  /// A held message will not be sent (the call ended while it waited).
  func dropHeld(_ stream: ServerStream, count: Int) {
    let count = min(count, stream.heldBytes)
    stream.heldBytes -= count
    admission.remove(backlog: count)
    admitWaitingCalls()
  }

  /// nghttp2 took `count` queued bytes of a stream into DATA frames.
  func responseBytesTaken(_ count: Int) {
    guard count > 0 else { return }
    admission.remove(backlog: count)
    if admission.waitingCount > 0 { admitWaitingCalls() }
  }

  /// The stream is gone: what it still held will never be sent.
  func releaseBacklog(of stream: ServerStream) {
    admission.remove(backlog: stream.heldBytes + stream.discardPendingResponse())
    stream.heldBytes = 0
    admitWaitingCalls()
  }
}
