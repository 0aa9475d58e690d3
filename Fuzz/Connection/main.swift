// libFuzzer target: the bytes a client can send on a connection, through
// nghttp2 into the gRPC transport, on an embedded channel (no sockets). Every
// input starts with the HTTP/2 preface and an empty SETTINGS frame, so the
// fuzzer spends its time on frames, headers and gRPC messages.
import Logging
import NIOCore
import NIOEmbedded
import SummitCodec
import SummitHTTP2
import SummitRPC

let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
let router = RPCRouter([
  .unary(Grpc_Health_V1_Health.Method.Check.descriptor) { (_: Grpc_Health_V1_HealthCheckRequest, _) in
    Grpc_Health_V1_HealthCheckResponse.with { $0.status = .serving }
  }
])
/// Logs nothing: the fuzzer calls this millions of times.
func quietLogger() -> Logger {
  var logger = Logger(label: "fuzz")
  logger.logLevel = .critical
  return logger
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnection(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let channel = EmbeddedChannel()
  var configuration = GRPCServerConfiguration()
  configuration.maxReceiveMessageSize = 1 << 16
  let handler = ServerConnectionHandler(configuration: configuration, router: router, logger: quietLogger())
  do {
    try channel.pipeline.syncOperations.addHandler(handler)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    var buffer = channel.allocator.buffer(capacity: preface.count + count)
    buffer.writeBytes(preface)
    buffer.writeBytes(UnsafeRawBufferPointer(start: start, count: count))
    try channel.writeInbound(buffer)
    channel.embeddedEventLoop.run()
  } catch {
    // Protocol errors close the channel: expected for most inputs.
  }
  while let _ = try? channel.readOutbound(as: ByteBuffer.self) {}
  _ = try? channel.finish(acceptAlreadyClosed: true)
  return 0
}
