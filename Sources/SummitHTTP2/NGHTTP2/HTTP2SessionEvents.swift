/// What an ``NGHTTP2Session`` reports while nghttp2 parses input and
/// produces output. Implemented by the connection that owns the session, on
/// the session's event loop.
protocol HTTP2SessionEvents: AnyObject {
  /// A HEADERS frame begins (a request on the server, a response or
  /// trailers on the client).
  func sessionBeganHeaders(stream: Int32)
  /// One header of a HEADERS (or trailing HEADERS) frame.
  func sessionReceivedHeader(stream: Int32, name: String, value: String)
  /// A HEADERS frame is complete; `endStream` when it also ends the stream.
  func sessionReceivedHeaders(stream: Int32, endStream: Bool)
  /// A chunk of a DATA frame's payload.
  func sessionReceivedData(stream: Int32, _ bytes: UnsafeRawBufferPointer)
  /// The client half-closed the stream with a DATA frame.
  func sessionReceivedEndStream(stream: Int32)
  /// The stream is gone; `errorCode` is 0 after a clean close, else the
  /// RST_STREAM (or GOAWAY) error.
  func sessionClosedStream(stream: Int32, errorCode: UInt32)
  /// A PING we sent was acknowledged.
  func sessionReceivedPingAck()
  /// The peer sent GOAWAY: streams above `lastStreamID` were not processed.
  func sessionReceivedGoAway(lastStreamID: Int32, errorCode: UInt32)
  /// nghttp2 asks for up to `buffer.count` bytes of the stream's request
  /// body (client side), copied into `buffer`.
  func sessionReadData(stream: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2DataRead
  /// nghttp2 asks for up to `buffer.count` bytes of the stream's response
  /// body (server side). Fewer than `copyLimit` are copied into `buffer`
  /// and leave the queue; more stay queued until
  /// ``sessionSendData(stream:header:count:to:)`` writes them.
  func sessionResponseData(stream: Int32, into buffer: UnsafeMutableRawBufferPointer, copyingBelow copyLimit: Int)
    -> HTTP2DataRead
  /// The DATA frame announced by ``sessionResponseData(stream:into:copyingBelow:)`` goes
  /// out now: its 9-byte `header`, then the first `count` queued bytes, to
  /// `sink`, and they leave the queue. False,
  /// having written nothing, when the stream no longer has them.
  func sessionSendData(stream: Int32, header: UnsafeRawBufferPointer, count: Int, to sink: (UnsafeRawBufferPointer) -> Void)
    -> Bool
}

/// Each side implements the body reads it uses: clients
/// ``HTTP2SessionEvents/sessionReadData(stream:into:)``, servers the other two.
extension HTTP2SessionEvents {
  func sessionReadData(stream: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2DataRead { .deferred }

  func sessionResponseData(stream: Int32, into buffer: UnsafeMutableRawBufferPointer, copyingBelow copyLimit: Int)
    -> HTTP2DataRead
  { .deferred }
  func sessionSendData(stream: Int32, header: UnsafeRawBufferPointer, count: Int, to sink: (UnsafeRawBufferPointer) -> Void)
    -> Bool
  { false }
}

/// The answer to ``HTTP2SessionEvents/sessionReadData(stream:into:)``.
enum HTTP2DataRead {
  /// `count` bytes were written; nothing is pending beyond them yet.
  case bytes(Int)
  /// `count` bytes were written and the body is complete; trailers follow.
  case end(Int)
  /// Nothing to send now; call `resumeData` when there is.
  case deferred
}
