public import SummitAPI
public import SummitCodec
public import SummitRPC
import Synchronization

/// `grpc.health.v1.Health`: the serving status of the server (`""`) and of
/// each service, for load balancers and Kubernetes' native gRPC probes.
public final class HealthService: Grpc_Health_V1_HealthProtocol {
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: Status] = [:]
    var watchers: [Int: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
    var nextWatcher = 0
  }
  private let state = Mutex(State())

  /// A health service reporting SERVING for `""` and each of `services`.
  public init(services: [String]) {
    state.withLock { state in
      state.statuses[""] = .serving
      for s in services { state.statuses[s] = .serving }
    }
  }

  /// Changes a service's status; watchers of it hear at once.
  public func setStatus(_ status: Status, for service: String) {
    let continuations = state.withLock { state in
      state.statuses[service] = status
      return state.watchers.values.filter { $0.service == service }.map(\.continuation)
    }
    for c in continuations { c.yield(status) }
  }

  /// Marks every service NOT_SERVING, as a server does while it drains.
  public func shutDown() {
    let services = state.withLock { Array($0.statuses.keys) }
    for s in services { setStatus(.notServing, for: s) }
  }

  public func check(
    request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    try checkNow(request)
  }

  /// `Check`'s answer, from memory, without suspending.
  public func checkNow(_ request: Grpc_Health_V1_HealthCheckRequest) throws(RPCError) -> Grpc_Health_V1_HealthCheckResponse {
    guard let status = state.withLock({ $0.statuses[request.service] }) else {
      throw RPCError(.notFound, "unknown service \(request.service)")
    }
    return .with { $0.status = status }
  }

  /// The handlers a server registers: the generated ones, with `Check`
  /// answered at once (``RPCHandler/immediate``) and `List` on the event
  /// loop, both being answers from memory.
  public var servedHandlers: [RPCHandler] {
    rpcHandlers.map { handler in
      switch handler.method {
      case Grpc_Health_V1_Health.Method.Check.descriptor:
        return .unaryImmediate(handler.method) { (request: Grpc_Health_V1_HealthCheckRequest, _) in try self.checkNow(request) }
      case Grpc_Health_V1_Health.Method.List.descriptor:
        return handler.preferringEventLoop()
      default:
        return handler
      }
    }
  }

  public func list(
    request: Grpc_Health_V1_HealthListRequest, context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthListResponse {
    let statuses = state.withLock { $0.statuses }
    return .with { response in
      for (service, status) in statuses { response.statuses[service] = .with { $0.status = status } }
    }
  }

  /// Sends the current status (SERVICE_UNKNOWN for an unknown service), then
  /// every change, until the client cancels.
  public func watch(
    request: Grpc_Health_V1_HealthCheckRequest, responses: ResponseWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
    let id = state.withLock { state -> Int in
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (request.service, continuation)
      continuation.yield(state.statuses[request.service] ?? .serviceUnknown)
      return id
    }
    defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
    var last: Status?
    for await status in stream where status != last {
      last = status
      try await responses.write(.with { $0.status = status })
    }
    try Task.checkCancellation()
  }
}
