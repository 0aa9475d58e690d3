import ArgumentParser
import SummitHTTP2
import SummitServerRuntime
import Testing

@Suite struct ServerOptionsTests {
  @Test(arguments: [("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("5m", .seconds(300)), ("1h", .seconds(3600)), ("1.5", .milliseconds(1500)), ("30us", .microseconds(30))])
  func durations(text: String, expected: Duration) {
    #expect(DurationArgument.parse(text) == expected)
  }

  @Test(arguments: ["", "abc", "-1s", "5x"])
  func badDurations(text: String) {
    #expect(DurationArgument.parse(text) == nil)
  }

  @Test func flagsWinOverEnvironment() throws {
    let options = try ServerOptions.parse(["--listen", "127.0.0.1:0", "--max-concurrent-streams", "7"])
    let c = try options.configuration(environment: ["SUMMIT_MAX_CONCURRENT_STREAMS": "9", "SUMMIT_IDLE_TIMEOUT": "2s"])
    #expect(c.port == 0)
    #expect(c.maxConcurrentStreams == 7)
    #expect(c.idleTimeout == .seconds(2))
  }

  @Test func callAdmissionLimitsFromFlagsAndEnvironment() throws {
    let options = try ServerOptions.parse(["--max-preparing-calls-per-connection", "3"])
    let c = try options.configuration(environment: ["SUMMIT_MAX_CONNECTION_BACKLOG": "1048576"])
    #expect(c.maxPreparingCallsPerConnection == 3)
    #expect(c.maxConnectionBacklogBytes == 1_048_576)
    #expect(throws: (any Error).self) {
      try ServerOptions.parse(["--max-connection-backlog", "100"]).configuration(environment: [:])
    }
  }

  @Test func defaults() throws {
    let c = try ServerOptions.parse([]).configuration(environment: [:])
    #expect(c.host == "127.0.0.1" && c.port == 50051)
    #expect(c.maxReceiveMessageSize == 4 * 1024 * 1024)
  }

  @Test func rejectsBadValues() throws {
    #expect(throws: (any Error).self) { try ServerOptions.parse(["--listen", "nope"]).configuration(environment: [:]) }
    #expect(throws: (any Error).self) {
      try ServerOptions.parse([]).configuration(environment: ["SUMMIT_MAX_CONCURRENT_STREAMS": "many"])
    }
  }
}
