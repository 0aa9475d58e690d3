internal import CNGHTTP2

/// nghttp2's callbacks: capture-free closures that find their session
/// through `user_data` and hand each event to the session's ``HTTP2SessionEvents``.
/// Nothing here throws through C: a failure is parked on the session and the
/// callback returns `NGHTTP2_ERR_CALLBACK_FAILURE`.
extension NGHTTP2Session {
  static func session(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2Session {
    Unmanaged<NGHTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
  }

  static func installCallbacks(_ callbacks: OpaquePointer?) {
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
      // Requests on the server side; responses (and trailers) on the client side.
      guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
      NGHTTP2Session.session(userData).events.sessionBeganHeaders(stream: frame.pointee.hd.stream_id)
      return 0
    }

    nghttp2_session_callbacks_set_on_header_callback(callbacks) {
      _, frame, name, nameLength, value, valueLength, _, userData in
      guard let frame, let name, let value else { return 0 }
      let nameText = String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self)
      let valueText = String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
      NGHTTP2Session.session(userData).events.sessionReceivedHeader(stream: frame.pointee.hd.stream_id, name: nameText, value: valueText)
      return 0
    }

    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
      guard let frame else { return 0 }
      let s = NGHTTP2Session.session(userData)
      let header = frame.pointee.hd
      let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
      switch Int(header.type) {
      case Int(NGHTTP2_HEADERS.rawValue):
        s.events.sessionReceivedHeaders(stream: header.stream_id, endStream: endStream)
      case Int(NGHTTP2_DATA.rawValue):
        if endStream { s.events.sessionReceivedEndStream(stream: header.stream_id) }
      case Int(NGHTTP2_PING.rawValue):
        if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 { s.events.sessionReceivedPingAck() }
      case Int(NGHTTP2_GOAWAY.rawValue):
        s.events.sessionReceivedGoAway(lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code)
      default:
        break
      }
      return 0
    }

    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
      guard let data else { return 0 }
      NGHTTP2Session.session(userData).events.sessionReceivedData(stream: streamID, UnsafeRawBufferPointer(start: data, count: length))
      return 0
    }

    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
      NGHTTP2Session.session(userData).events.sessionClosedStream(stream: streamID, errorCode: errorCode)
      return 0
    }
    nghttp2_session_callbacks_set_send_data_callback(callbacks, sendDataCallback)
  }

  /// A response DATA frame nghttp2 leaves to us (``readCallback`` sets
  /// `NGHTTP2_DATA_FLAG_NO_COPY`): its 9-byte header, then its payload from
  /// the stream's queue, both into the output sink of the drain in progress.
  /// This saves copying each payload into nghttp2's buffer first. Called
  /// from `nghttp2_session_mem_send` only, so the frames nghttp2 returned
  /// before this one are already in the sink, in order.
  static let sendDataCallback: nghttp2_send_data_callback = { _, frame, header, length, _, userData in
    let s = NGHTTP2Session.session(userData)
    guard let frame, let header, let sink = s.outputSink, frame.pointee.data.padlen == 0 else {
      return Int32(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
    }
    // The socket has enough for now: nghttp2 keeps the frame and asks again.
    if s.outputSinkFull { return Int32(NGHTTP2_ERR_WOULDBLOCK.rawValue) }
    let sent = s.events.sessionSendData(
      stream: frame.pointee.hd.stream_id, header: UnsafeRawBufferPointer(start: header, count: 9), count: length
    ) { bytes in
      if !sink(bytes) { s.outputSinkFull = true }
    }
    // Nothing was written when the stream could not give the bytes it
    // promised (it cannot happen): nghttp2 resets that stream only.
    return sent ? 0 : Int32(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
  }

  /// The data provider's read callback for client request bodies: the body's
  /// end ends the stream (requests have no trailers).
  static let clientReadCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
    guard let buffer, let dataFlags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    let s = NGHTTP2Session.session(userData)
    switch s.events.sessionReadData(stream: streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length)) {
    case .bytes(let count):
      return count
    case .end(let count):
      dataFlags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
      return count
    case .deferred:
      return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    }
  }

  /// The data provider's read callback for every response body: how many
  /// bytes the next DATA frame carries. A large frame is written by
  /// ``sendDataCallback`` straight from the stream's queue; a small one is
  /// copied into nghttp2's buffer here, which costs less than the callback.
  static let readCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
    guard let buffer, let dataFlags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    let s = NGHTTP2Session.session(userData)
    let count: Int
    switch s.events.sessionResponseData(
      stream: streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length), copyingBelow: noCopyMinimum)
    {
    case .bytes(let available):
      count = available
    case .end(let available):
      // End of the body but not of the stream: the connection submits the
      // trailers, which carry END_STREAM.
      dataFlags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue) | UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
      count = available
    case .deferred:
      return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    }
    if count >= noCopyMinimum { dataFlags.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_COPY.rawValue) }
    return count
  }

  /// DATA payloads of at least this many bytes are not copied into nghttp2.
  static let noCopyMinimum = 4096
}
