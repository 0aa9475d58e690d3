import SummitAPI
import SummitCodec
import SummitHTTP2
import SummitRPC
import Testing

/// Call admission over real loopback sockets: a connection starts at most
/// `maxPreparingCallsPerConnection` handlers that have not sent anything yet;
/// the others wait their turn, with their deadlines running.
extension LoopbackTests {
  /// A client-streaming call whose handler keeps preparing (reading) until
  /// `gate` opens; returns the payload size the server added up.
  func heldInputCall(_ s: Running, gate: AsyncStream<Void>, options: CallOptions = CallOptions()) async throws -> Int32 {
    try await s.client.streamingInputCall(options: options) { writer in
      try await writer.write(.with { $0.payload = .with { $0.body = [1, 2, 3] } })
      for await _ in gate { break }
    }.aggregatedPayloadSize
  }

  @Test func aConnectionPreparesAtMostItsLimitOfCallsAtOnce() async throws {
    try await withServer({ $0.maxPreparingCallsPerConnection = 2 }) { s in
      let gates = (0..<3).map { _ in AsyncStream.makeStream(of: Void.self) }
      let calls = gates.map { gate in Task { try await heldInputCall(s, gate: gate.stream) } }
      #expect(await eventually { s.log.inputsStarted == 2 })
      // The third call's HEADERS and message are in, but its handler waits.
      try await Task.sleep(for: .milliseconds(300))
      #expect(s.log.inputsStarted == 2)
      // A unary call waits too (its handler would prepare a response) ...
      let unary = Task { try await s.client.unaryCall(.with { $0.responseSize = 3 }).payload?.body.count }
      try await Task.sleep(for: .milliseconds(100))
      // ... until a running call answers: then both waiting calls start, in order.
      gates[0].continuation.finish()
      #expect(try await calls[0].value == 3)
      #expect(await eventually { s.log.inputsStarted == 3 })
      gates[1].continuation.finish()
      gates[2].continuation.finish()
      #expect(try await calls[1].value == 3)
      #expect(try await calls[2].value == 3)
      #expect(try await unary.value == 3)
    }
  }

  @Test func aWaitingCallStillMeetsItsDeadline() async throws {
    try await withServer({ $0.maxPreparingCallsPerConnection = 1 }) { (s: Running) async throws in
      let gate = AsyncStream.makeStream(of: Void.self)
      let holder = Task { try await heldInputCall(s, gate: gate.stream) }
      #expect(await eventually { s.log.inputsStarted == 1 })
      // This call sends its whole request at once, then waits for an answer
      // that cannot come before the deadline: its handler waits its turn.
      let open = AsyncStream.makeStream(of: Void.self)
      open.continuation.finish()
      let error = await rpcError {
        _ = try await heldInputCall(s, gate: open.stream, options: CallOptions(timeout: .milliseconds(300)))
      }
      #expect(error?.code == .deadlineExceeded)
      #expect(s.log.inputsStarted == 1, "the timed-out call's handler never started")
      gate.continuation.finish()
      #expect(try await holder.value == 3)
      // The slot is free again.
      #expect(try await s.client.unaryCall(.with { $0.responseSize = 2 }).payload?.body.count == 2)
    }
  }
}
