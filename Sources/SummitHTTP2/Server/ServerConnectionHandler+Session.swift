import Logging
import NIOCore
import SummitRPC

/// nghttp2's events for this connection: requests begin, headers and data
/// arrive, streams close, and nghttp2 asks for response bytes.
extension ServerConnectionHandler: HTTP2SessionEvents {
  func sessionBeganHeaders(stream id: Int32) {
    guard streams[id] == nil else { return }
    streams[id] = ServerStream(id: id, maxMessageSize: configuration.maxReceiveMessageSize)
    streamOpened()
  }

  func sessionReceivedHeader(stream id: Int32, name: String, value: String) {
    guard let stream = streams[id], stream.phase == .receivingHeaders else { return }
    stream.head.add(name: name, value: value, limit: configuration.maxHeaderListSize)
  }

  func sessionReceivedHeaders(stream id: Int32, endStream: Bool) {
    guard let stream = streams[id] else { return }
    if stream.phase == .receivingHeaders {
      stream.phase = .open
      startCall(stream)
    }
    if endStream { sessionReceivedEndStream(stream: id) }
  }

  func sessionReceivedData(stream id: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let stream = streams[id], !stream.finished else {
      // A call already answered (or unknown): give the window straight back.
      session?.consume(stream: id, count: bytes.count)
      return
    }
    stream.noteReceived(bytes.count)
    stream.deframer.append(bytes)
    do {
      while let message = try stream.deframer.next() {
        try deliver(message, to: stream)
      }
    } catch let error as RPCError {
      finish(stream, error: error)
    } catch let failure as MessageDeframer.Failure {
      switch failure {
      case .tooLarge(let length, let limit):
        finish(stream, error: RPCError(.resourceExhausted, "request message of \(length) bytes is larger than the limit of \(limit) bytes"))
      case .badFlag(let flag):
        finish(stream, error: RPCError(.internalError, "invalid message compression flag \(flag)"))
      }
    } catch {
      finish(stream, error: RPCError(.internalError, "\(error)"))
    }
    returnWindow(stream)
  }

  private func deliver(_ message: MessageDeframer.Message, to stream: ServerStream) throws {
    var bytes = message.bytes
    let framedSize = bytes.count + MessageFramer.headerSize
    if message.compressed {
      guard let encoding = stream.requestEncoding, encoding != .identity else {
        throw RPCError(.internalError, "message is flagged compressed but the request has no grpc-encoding")
      }
      do {
        bytes = try Gzip.decompress(bytes, limit: configuration.maxReceiveMessageSize)
      } catch {
        let tooLarge = error.description.contains("larger than")
        throw RPCError(tooLarge ? .resourceExhausted : .internalError, "cannot decompress request message: \(error)")
      }
    }
    stream.enqueue(ReceivedMessage(bytes: bytes, wasCompressed: message.compressed), framedSize: framedSize)
  }

  /// Returns flow-control window for bytes the handler no longer waits on.
  func returnWindow(_ stream: ServerStream) {
    session?.consume(stream: stream.id, count: stream.bytesToConsume(includingQueued: stream.finished))
  }

  func sessionReceivedEndStream(stream id: Int32) {
    guard let stream = streams[id], !stream.requestEnded else { return }
    if stream.deframer.hasPartialMessage && !stream.finished {
      finish(stream, error: RPCError(.internalError, "request stream ended inside a message (truncated message)"))
    }
    stream.endRequest()
    if stream.answersImmediately { answerImmediately(stream) }
  }

  func sessionClosedStream(stream id: Int32, errorCode: UInt32) {
    guard let stream = streams.removeValue(forKey: id) else { return }
    stream.closed = true
    if !stream.finished {
      // Reset by the client (or the connection died) before we answered.
      logger.debug("stream reset before the call ended", metadata: ["stream": "\(id)", "h2_error": "\(errorCode)"])
      stream.finished = true
      account(stream, code: .cancelled)
    }
    abandon(stream)
    releaseBacklog(of: stream)
    streamRemoved()
  }

  func sessionReceivedPingAck() {
    pingAcknowledged()
  }

  func sessionReceivedGoAway(lastStreamID: Int32, errorCode: UInt32) {
    // A client going away: nghttp2 closes what it must; we stop when idle.
    draining = true
  }

  /// The next DATA frame's share of the stream's queue: copied now when
  /// small, else left for ``sessionSendData(stream:header:count:to:)``. Once
  /// the queue would be empty and the status is known, the trailers go in
  /// behind it.
  func sessionResponseData(stream id: Int32, into buffer: UnsafeMutableRawBufferPointer, copyingBelow copyLimit: Int)
    -> HTTP2DataRead
  {
    guard let stream = streams[id] else { return .end(0) }
    let count = min(buffer.count, stream.pendingCount)
    let last = count == stream.pendingCount
    if count > 0 && count < copyLimit {
      var written = 0
      stream.consumeResponse(count) { piece in
        UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + piece.count)]).copyMemory(from: piece)
        written += piece.count
      }
      taken(count, from: stream)
    }
    if last, let trailers = stream.trailers {
      stream.trailers = nil
      do {
        try session?.submitTrailers(stream: id, headers: trailers)
      } catch {
        logger.warning("cannot submit trailers: \(error)")
      }
      return .end(count)
    }
    if count == 0 {
      stream.dataDeferred = true
      return .deferred
    }
    return .bytes(count)
  }

  func sessionSendData(stream id: Int32, header: UnsafeRawBufferPointer, count: Int, to sink: (UnsafeRawBufferPointer) -> Void)
    -> Bool
  {
    guard let stream = streams[id], stream.pendingCount >= count else { return false }
    sink(header)
    stream.consumeResponse(count, sink)
    taken(count, from: stream)
    return true
  }

  /// `count` bytes left the stream's queue for nghttp2's output.
  private func taken(_ count: Int, from stream: ServerStream) {
    responseBytesTaken(count)
    stream.releaseWriters(limit: configuration.maxPendingResponseBytes)
  }

  /// The stream is over for its handler: cancel it and end its waits.
  func abandon(_ stream: ServerStream) {
    stream.deadlineTimer?.cancel()
    stream.deadlineTimer = nil
    stream.task?.cancel()
    stream.failWaiters(CancellationError())
  }
}
