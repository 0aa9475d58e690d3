import CoreMetrics
import Metrics
import Synchronization

/// What the transport reports through swift-metrics (a Prometheus backend in
/// summitd, nothing when no backend is bootstrapped). Per-method handles are
/// made once and cached, so a call costs lookups, not allocations.
final class ServerMetrics: Sendable {
  static let shared = ServerMetrics()

  let connectionsOpen = Meter(label: "grpc_server_connections_open")
  let streamsOpen = Meter(label: "grpc_server_streams_open")
  let callsInFlight = Meter(label: "grpc_server_calls_in_flight")
  let bytesReceived = Counter(label: "grpc_server_received_bytes_total")
  let bytesSent = Counter(label: "grpc_server_sent_bytes_total")

  private struct Handles {
    var calls: [String: Counter] = [:]
    var durations: [String: Metrics.Timer] = [:]
  }
  private let handles = Mutex(Handles())

  /// A finished call: counted by method and code, timed by method.
  func callEnded(method: String, code: String, duration: Duration) {
    let (counter, timer) = handles.withLock { h -> (Counter, Metrics.Timer) in
      let key = method + " " + code
      let counter =
        h.calls[key]
        ?? {
          let c = Counter(label: "grpc_server_calls_total", dimensions: [("method", method), ("code", code)])
          h.calls[key] = c
          return c
        }()
      let timer =
        h.durations[method]
        ?? {
          let t = Metrics.Timer(label: "grpc_server_call_duration_seconds", dimensions: [("method", method)])
          h.durations[method] = t
          return t
        }()
      return (counter, timer)
    }
    counter.increment()
    timer.recordNanoseconds(duration.nanoseconds)
  }
}
