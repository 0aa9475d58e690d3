internal import CNGHTTP2

/// One nghttp2 session, server or client side: the only type that calls
/// nghttp2 (every nghttp2 1.52 API it uses is here and in
/// `NGHTTP2Session+Callbacks`).
///
/// Confined to one event loop and never `Sendable`. nghttp2 does all HTTP/2
/// framing, HPACK and flow control; bytes come in through `receive` and go
/// out through `drainOutput`, so all socket I/O stays with SwiftNIO.
final class NGHTTP2Session {
  enum Role {
    case server, client
  }

  struct Settings {
    var role = Role.server
    var maxConcurrentStreams: UInt32
    var initialWindowSize: UInt32
    var maxHeaderListSize: UInt32
    var maxFrameSize: UInt32 = 16_384
    /// Connection-level receive window, beyond the protocol's 65,535 default.
    var connectionWindowSize: Int32
    /// Rapid-reset defence (CVE-2023-44487): RST_STREAMs allowed in a burst,
    /// then per second, before nghttp2 ends the connection.
    var resetBurst: UInt64 = 1000
    var resetRatePerSecond: UInt64 = 33
  }

  struct Failure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { "nghttp2: " + String(cString: nghttp2_strerror(code)) }
  }

  private var session: OpaquePointer?
  unowned let events: any HTTP2SessionEvents
  /// An error raised inside a callback, thrown once nghttp2 returns.
  var callbackFailure: (any Error)?
  /// Where `drainOutput` in progress sends bytes: DATA frames whose payload
  /// nghttp2 leaves to us (`NGHTTP2_DATA_FLAG_NO_COPY`) go there too.
  var outputSink: ((UnsafeRawBufferPointer) -> Bool)?
  /// The sink said it has enough for now; DATA frames wait for the next drain.
  var outputSinkFull = false

  init(events: any HTTP2SessionEvents, settings: Settings) throws(Failure) {
    self.events = events
    var callbacks: OpaquePointer?
    try Self.check(nghttp2_session_callbacks_new(&callbacks))
    defer { nghttp2_session_callbacks_del(callbacks) }
    Self.installCallbacks(callbacks)

    var option: OpaquePointer?
    try Self.check(nghttp2_option_new(&option))
    defer { nghttp2_option_del(option) }
    nghttp2_option_set_stream_reset_rate_limit(option, settings.resetBurst, settings.resetRatePerSecond)
    // We call nghttp2_session_consume as the application reads request
    // messages, so a slow handler slows the client instead of growing a buffer.
    nghttp2_option_set_no_auto_window_update(option, 1)

    var created: OpaquePointer?
    let userData = Unmanaged.passUnretained(self).toOpaque()
    switch settings.role {
    case .server: try Self.check(nghttp2_session_server_new2(&created, callbacks, userData, option))
    case .client: try Self.check(nghttp2_session_client_new2(&created, callbacks, userData, option))
    }
    session = created

    var entries = [
      nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
      nghttp2_settings_entry(
        settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: settings.maxConcurrentStreams),
      nghttp2_settings_entry(
        settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
      nghttp2_settings_entry(
        settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
      nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: settings.maxFrameSize),
    ]
    try Self.check(nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count))
    try Self.check(nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, settings.connectionWindowSize))
  }

  deinit {
    nghttp2_session_del(session)
  }

  /// Feeds bytes read from the socket to nghttp2, which calls back for
  /// every header, data chunk and stream close they complete.
  func receive(_ bytes: UnsafeRawBufferPointer) throws {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    let result = nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    if let failure = callbackFailure {
      callbackFailure = nil
      throw failure
    }
    // Negative results are fatal connection errors (bad preface, protocol
    // violation, flooding, NGHTTP2_ERR_CALLBACK_FAILURE); nghttp2 has queued
    // a GOAWAY where one is due, so the caller flushes and closes.
    if result < 0 { throw Failure(code: Int32(result)) }
  }

  /// Appends the frames nghttp2 has ready to `append` (one call per chunk,
  /// the bytes valid only during the call), until there are no more or
  /// `append` returns false (the rest stays with nghttp2 for the next call).
  /// Response DATA frames come through ``HTTP2SessionEvents/sessionSendData(stream:header:count:to:)``,
  /// which appends their payload straight from the stream's queue.
  func drainOutput(_ append: (UnsafeRawBufferPointer) -> Bool) throws(Failure) {
    let result: Int = withoutActuallyEscaping(append) { append in
      outputSink = append
      outputSinkFull = false
      defer { outputSink = nil }
      while true {
        var data: UnsafePointer<UInt8>?
        let count = nghttp2_session_mem_send(session, &data)
        guard count > 0, let data else { return count }
        guard append(UnsafeRawBufferPointer(start: data, count: count)), !outputSinkFull else { return 0 }
      }
    }
    if result < 0 { throw Failure(code: Int32(result)) }
  }

  /// nghttp2 has nothing more to read or write: the connection can close.
  var isFinished: Bool {
    nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
  }

  var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

  // MARK: Submitting frames

  /// Response HEADERS; with `hasBody`, DATA follows from `sessionReadData`,
  /// else the HEADERS end the stream (a trailers-only response).
  func submitResponse(stream: Int32, headers: [(String, String)], hasBody: Bool) throws(Failure) {
    try Self.withHeaderBlock(headers) { nva, count throws(Failure) in
      if hasBody {
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.readCallback)
        try Self.check(nghttp2_submit_response(session, stream, nva, count, &provider))
      } else {
        try Self.check(nghttp2_submit_response(session, stream, nva, count, nil))
      }
    }
  }

  /// A client request: HEADERS, then DATA from `sessionReadData` (which
  /// ends the stream with `.end`).
  /// - Returns: the new stream's id.
  func submitRequest(headers: [(String, String)]) throws(Failure) -> Int32 {
    var streamID: Int32 = 0
    try Self.withHeaderBlock(headers) { nva, count throws(Failure) in
      var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Self.clientReadCallback)
      let id = nghttp2_submit_request(session, nil, nva, count, &provider, nil)
      try Self.check(id)
      streamID = id
    }
    return streamID
  }

  /// Trailing HEADERS that end the stream.
  func submitTrailers(stream: Int32, headers: [(String, String)]) throws(Failure) {
    try Self.withHeaderBlock(headers) { nva, count throws(Failure) in
      try Self.check(nghttp2_submit_trailer(session, stream, nva, count))
    }
  }

  /// Asks nghttp2 to call `sessionReadData` again for a deferred stream.
  func resumeData(stream: Int32) {
    // Fails only with NGHTTP2_ERR_INVALID_ARGUMENT when the stream has no
    // deferred data (already resumed or closed): nothing to do then.
    _ = nghttp2_session_resume_data(session, stream)
  }

  func submitReset(stream: Int32, errorCode: UInt32) {
    // Fails only for stream 0 or out of memory.
    _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream, errorCode)
  }

  /// GOAWAY naming the last stream we will process.
  func submitGoAway(errorCode: UInt32, lastStreamID: Int32? = nil) {
    let last = lastStreamID ?? nghttp2_session_get_last_proc_stream_id(session)
    _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode, nil, 0)
  }

  func submitPing() {
    _ = nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
  }

  /// Returns `count` bytes of the stream's receive window to the client.
  func consume(stream: Int32, count: Int) {
    guard count > 0 else { return }
    // NGHTTP2_ERR_INVALID_ARGUMENT for a closed stream, whose window no longer matters.
    _ = nghttp2_session_consume(session, stream, count)
  }

  // MARK: Helpers

  static func check(_ code: Int32) throws(Failure) {
    if code < 0 { throw Failure(code: code) }
  }

  static func check(_ code: Int) throws(Failure) {
    if code < 0 { throw Failure(code: Int32(code)) }
  }

  /// Runs `body` with an `nghttp2_nv` array over one buffer holding every
  /// name and value; nghttp2 copies them during the call.
  private static func withHeaderBlock(
    _ headers: [(String, String)],
    _ body: (UnsafePointer<nghttp2_nv>, Int) throws(Failure) -> Void
  ) throws(Failure) {
    var storage: [UInt8] = []
    var ranges: [(name: Range<Int>, value: Range<Int>)] = []
    ranges.reserveCapacity(headers.count)
    for (name, value) in headers {
      let n = storage.count
      storage.append(contentsOf: name.utf8)
      let v = storage.count
      storage.append(contentsOf: value.utf8)
      ranges.append((n..<v, v..<storage.count))
    }
    storage.append(0)  // never empty, so the base address exists
    var failure: Failure?
    storage.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      let nva = ranges.map { r in
        nghttp2_nv(
          name: base + r.name.lowerBound, value: base + r.value.lowerBound, namelen: r.name.count,
          valuelen: r.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
      }
      nva.withUnsafeBufferPointer { nvaBuffer in
        do throws(Failure) {
          try body(nvaBuffer.baseAddress!, nvaBuffer.count)
        } catch {
          failure = error
        }
      }
    }
    if let failure { throw failure }
  }
}
