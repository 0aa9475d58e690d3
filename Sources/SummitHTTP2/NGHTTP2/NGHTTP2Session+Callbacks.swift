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

  /// The data provider's read callback for every response body.
  static let readCallback: nghttp2_data_source_read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
    guard let buffer, let dataFlags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    let s = NGHTTP2Session.session(userData)
    switch s.events.sessionReadData(stream: streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length)) {
    case .bytes(let count):
      return count
    case .end(let count):
      // End of the body but not of the stream: the connection submits the
      // trailers, which carry END_STREAM.
      dataFlags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue) | UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
      return count
    case .deferred:
      return Int(NGHTTP2_ERR_DEFERRED.rawValue)
    }
  }
}
