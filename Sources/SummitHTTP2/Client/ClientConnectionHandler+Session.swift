import NIOCore
import SummitCodec
import SummitRPC

/// nghttp2's events on a client connection: response headers, messages,
/// trailers, resets and GOAWAY.
extension ClientConnectionHandler: HTTP2SessionEvents {
  func sessionBeganHeaders(stream id: Int32) {
    streams[id]?.headerFields = []
  }

  func sessionReceivedHeader(stream id: Int32, name: String, value: String) {
    guard let stream = streams[id] else { return }
    if stream.headerFields.count < 1000 { stream.headerFields.append((name, value)) }
  }

  func sessionReceivedHeaders(stream id: Int32, endStream: Bool) {
    guard let stream = streams[id] else { return }
    let fields = stream.headerFields
    stream.headerFields = []
    if !stream.headersReceived {
      stream.headersReceived = true
      let status = fields.first { $0.0 == ":status" }?.1 ?? ""
      guard status == "200" else {
        stream.end(.failure(Self.errorForHTTPStatus(status, fields: fields)))
        return
      }
      if let encoding = fields.first(where: { $0.0 == "grpc-encoding" })?.1, encoding != "identity" {
        guard let known = MessageEncoding(rawValue: encoding) else {
          stream.end(.failure(RPCError(.internalError, "the server used grpc-encoding \(encoding), which we do not accept")))
          return
        }
        stream.responseEncoding = known
      }
      if !endStream {
        stream.setInitialMetadata(Self.metadata(fields))
        return
      }
      // Trailers-only: these headers are the status.
      stream.setInitialMetadata(Metadata())
    }
    finish(stream, trailers: fields)
  }

  func sessionReceivedData(stream id: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let stream = streams[id], stream.outcome == nil else {
      session?.consume(stream: id, count: bytes.count)
      return
    }
    stream.noteReceived(bytes.count)
    stream.deframer.append(bytes)
    do {
      while let message = try stream.deframer.next() {
        var payload = message.bytes
        if message.compressed {
          guard stream.responseEncoding == .gzip else {
            throw RPCError(.internalError, "a compressed response message without grpc-encoding")
          }
          do {
            payload = try Gzip.decompress(payload, limit: stream.maxMessageSize)
          } catch {
            let tooLarge = error.description.contains("larger than")
            throw RPCError(tooLarge ? .resourceExhausted : .internalError, "cannot decompress a response message: \(error)")
          }
        }
        stream.deliver(payload, framedSize: message.bytes.count + MessageFramer.headerSize)
      }
    } catch let error as RPCError {
      cancel(stream, with: error)
    } catch let error as MessageDeframer.Failure {
      cancel(stream, with: RPCError(.resourceExhausted, "response message rejected: \(error)"))
    } catch {
      cancel(stream, with: RPCError(.internalError, "cannot decompress a response message: \(error)"))
    }
    returnWindow(stream)
  }

  func sessionReceivedEndStream(stream id: Int32) {
    // A response ends with trailers; a DATA frame ending it means none came.
    guard let stream = streams[id], stream.outcome == nil else { return }
    stream.end(.failure(RPCError(.internalError, "the server ended the response without a status")))
  }

  func sessionClosedStream(stream id: Int32, errorCode: UInt32) {
    guard let stream = streams.removeValue(forKey: id) else { return }
    if stream.outcome == nil {
      let code: StatusCode = errorCode == 7 ? .unavailable : (errorCode == 8 ? .cancelled : .internalError)  // REFUSED_STREAM, CANCEL
      stream.end(.failure(RPCError(code, "the server reset the stream (HTTP/2 error \(errorCode))")))
    }
  }

  func sessionReceivedPingAck() {}

  func sessionReceivedGoAway(lastStreamID: Int32, errorCode: UInt32) {
    onGoAway()
    for (id, stream) in streams where id > lastStreamID {
      stream.end(.failure(RPCError(.unavailable, "the server is going away and did not process the call")))
      streams[id] = nil
    }
  }

  func sessionReadData(stream id: Int32, into buffer: UnsafeMutableRawBufferPointer) -> HTTP2DataRead {
    guard let stream = streams[id] else { return .end(0) }
    let count = stream.read(into: buffer)
    stream.releaseWriters(limit: configuration.maxPendingRequestBytes)
    if stream.pendingCount == 0 && stream.sendClosed { return .end(count) }
    if count == 0 {
      stream.dataDeferred = true
      return .deferred
    }
    return .bytes(count)
  }

  private func finish(_ stream: ClientStream, trailers: [(String, String)]) {
    guard let codeText = trailers.first(where: { $0.0 == "grpc-status" })?.1, let code = Int(codeText) else {
      stream.end(.failure(RPCError(.internalError, "the response has no grpc-status")))
      return
    }
    let metadata = Self.metadata(trailers)
    if code == 0 {
      stream.end(.success(metadata))
      return
    }
    let message = trailers.first { $0.0 == "grpc-message" }.map { PercentEncoding.decode($0.1) } ?? ""
    var details: [Google_Protobuf_Any] = []
    if let encoded = trailers.first(where: { $0.0 == "grpc-status-details-bin" })?.1, let bytes = Base64.decode(encoded),
      let status = try? Google_Rpc_Status(serializedBytes: bytes)
    {
      details = status.details
    }
    stream.end(.failure(RPCError(StatusCode(rawValue: code), message, metadata: metadata, details: details)))
  }

  static func metadata(_ fields: [(String, String)]) -> Metadata {
    var m = Metadata()
    for (name, value) in fields where !name.hasPrefix(":") && !reservedResponseHeaders.contains(name) {
      if let v = HeaderValues.metadataValue(key: name, value: value) { m.add(name, v) }
    }
    return m
  }

  static let reservedResponseHeaders: Set<String> = [
    "content-type", "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding",
  ]

  /// gRPC's mapping of HTTP statuses for responses that are not gRPC.
  static func errorForHTTPStatus(_ status: String, fields: [(String, String)]) -> RPCError {
    let code: StatusCode =
      switch status {
      case "400": .internalError
      case "401": .unauthenticated
      case "403": .permissionDenied
      case "404": .unimplemented
      case "429", "502", "503", "504": .unavailable
      default: .unknown
      }
    return RPCError(code, "the server answered HTTP \(status)")
  }
}
