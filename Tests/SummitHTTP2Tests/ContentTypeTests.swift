import Testing

@testable import SummitHTTP2

/// The gRPC content types a server accepts (the rest get HTTP 415).
@Suite struct ContentTypeTests {
  @Test(arguments: [
    "application/grpc", "application/grpc+proto", "APPLICATION/GRPC", "Application/Grpc+Proto",
    "application/grpc; charset=utf-8", "application/grpc+proto;x=1", "  application/grpc  ", "\tapplication/grpc ;a",
  ])
  func accepted(value: String) {
    #expect(RequestHead.isGRPCContentType(value))
  }

  @Test(arguments: [
    "", "application/json", "application/grpc+json", "application/grpcx", "application/grp", "application/grpc+",
    "application/grpc+protobuf", "text/application/grpc", "application/grpc x", "applicationé/grpc",
  ])
  func refused(value: String) {
    #expect(!RequestHead.isGRPCContentType(value))
  }
}
