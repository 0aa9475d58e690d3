import SummitCodec
import SummitRPC
import Testing

@Suite struct RPCErrorTests {
  @Test func statusCodeNames() {
    #expect(StatusCode.notFound.name == "NOT_FOUND")
    #expect(StatusCode(name: "UNAUTHENTICATED") == .unauthenticated)
    #expect(StatusCode(rawValue: 99).name == "99")
    #expect(StatusCode(name: "nope") == nil)
  }

  @Test func detailsTravelInStatusProto() throws {
    var error = RPCError(.invalidArgument, "visit.end_date is before visit.start_date")
    error.addDetail(
      Google_Rpc_BadRequest.with {
        $0.fieldViolations = [.with { $0.field = "visit.end_date"; $0.description_p = "before start_date" }]
      })
    error.addDetail(Google_Rpc_ErrorInfo.with { $0.reason = "INVALID_DATE_RANGE"; $0.domain = "summit.v1" })
    let status = try Google_Rpc_Status(serializedBytes: error.statusProto.serializedBytes())
    #expect(status.code == 3)
    #expect(status.details.map(\.typeURL) == [
      "type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.ErrorInfo",
    ])
    #expect(error.detail(Google_Rpc_ErrorInfo.self)?.reason == "INVALID_DATE_RANGE")
    #expect(error.detail(Google_Rpc_BadRequest.self)?.fieldViolations.first?.field == "visit.end_date")
    #expect(error.detail(Google_Rpc_RetryInfo.self) == nil)
  }

  @Test func metadataKeepsOrderAndKinds() {
    var m = Metadata(["X-Trace": "a"])
    m.add("x-trace", "b")
    m.add("blob-bin", bytes: [0, 255])
    #expect(m["x-trace"] == ["a", "b"])
    #expect(m[binary: "blob-bin"] == [[0, 255]])
    #expect(m["blob-bin"].isEmpty)
    m.removeAll("X-TRACE")
    #expect(m.count == 1)
  }

  @Test func routerFindsByPath() {
    let handler = RPCHandler(method: Grpc_Health_V1_Health.Method.Check.descriptor) { _, _ in }
    let router = RPCRouter([handler])
    #expect(router.handler(forPath: "/grpc.health.v1.Health/Check") != nil)
    #expect(router.handler(forPath: "/grpc.health.v1.Health/Nope") == nil)
    #expect(router.serviceNames == ["grpc.health.v1.Health"])
  }
}
