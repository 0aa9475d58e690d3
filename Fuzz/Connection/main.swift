// libFuzzer target: the bytes a client can send on a connection, through
// nghttp2 into the gRPC transport, on an embedded channel (no sockets). Every
// input starts with the HTTP/2 preface and an empty SETTINGS frame, so the
// fuzzer spends its time on frames, headers and request validation.
//
// The router is empty: a routed call runs its handler in a task on another
// thread, which an EmbeddedEventLoop forbids, so every call here ends in the
// transport itself (UNIMPLEMENTED, 405, 415, RESOURCE_EXHAUSTED, …). Message
// bytes have their own target (fuzz-deframer).
import Logging
import NIOCore
import NIOEmbedded
import SummitHTTP2
import SummitRPC

let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
let router = RPCRouter()
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
