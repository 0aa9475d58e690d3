import CoreMetrics
import Metrics
import SummitRPC
import Synchronization

/// What the transport reports through swift-metrics (a Prometheus backend in
/// summitd, nothing when no backend is bootstrapped). Per-method handles are
/// made once and cached (``MethodMetrics``), so a call costs two lookups,
/// not allocations.
final class ServerMetrics: Sendable {
  static let shared = ServerMetrics()

  let connectionsOpen = Meter(label: "grpc_server_connections_open")
  let streamsOpen = Meter(label: "grpc_server_streams_open")
  let callsInFlight = Meter(label: "grpc_server_calls_in_flight")
  let bytesReceived = Counter(label: "grpc_server_received_bytes_total")
  let bytesSent = Counter(label: "grpc_server_sent_bytes_total")

  private let methods = Mutex<[String: MethodMetrics]>([:])
  /// The handles of calls to paths no handler serves: one label for all,
  /// so clients cannot grow the label set.
  let unknownMethod = MethodMetrics(method: "unknown")

  /// The handles of `method` (a served path), made on first use. Looked up
  /// once per call, when it starts.
  func method(_ method: String) -> MethodMetrics {
    methods.withLock { known in
      if let cached = known[method] { return cached }
      let made = MethodMetrics(method: method)
      known[method] = made
      return made
    }
  }
}

/// One method's metrics: calls counted by status code, durations timed.
final class MethodMetrics: Sendable {
  private let method: String
  private let duration: Metrics.Timer
  private let calls = Mutex<[Int: Counter]>([:])

  init(method: String) {
    self.method = method
    duration = Metrics.Timer(label: "grpc_server_call_duration_seconds", dimensions: [("method", method)])
  }

  /// A finished call: counted by its code, timed.
  func callEnded(code: StatusCode, duration elapsed: Duration) {
    let counter = calls.withLock { counters in
      if let counter = counters[code.rawValue] { return counter }
      let made = Counter(label: "grpc_server_calls_total", dimensions: [("method", method), ("code", code.name)])
      counters[code.rawValue] = made
      return made
    }
    counter.increment()
    duration.recordNanoseconds(elapsed.nanoseconds)
  }
}
