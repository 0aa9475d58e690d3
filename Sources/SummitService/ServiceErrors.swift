import SummitCodec
public import SummitRPC
import SummitStore

/// The errors Summit's services return, shaped by AIP-193: one `ErrorInfo`
/// (domain `summit.v1`, an UPPER_SNAKE reason) and, where fields are at
/// fault, a `BadRequest` naming them.
public enum ServiceErrors {
  public static let domain = "summit.v1"

  public struct Violation: Sendable, Hashable {
    public var field: String
    public var description: String

    public init(_ field: String, _ description: String) {
      self.field = field
      self.description = description
    }
  }

  static func error(
    _ code: StatusCode, _ message: String, reason: String, metadata: [String: String] = [:], violations: [Violation] = []
  ) -> RPCError {
    var error = RPCError(code, message)
    error.addDetail(
      Google_Rpc_ErrorInfo.with {
        $0.reason = reason
        $0.domain = domain
        $0.metadata = metadata
      })
    if !violations.isEmpty {
      error.addDetail(
        Google_Rpc_BadRequest.with {
          $0.fieldViolations = violations.map { v in
            .with {
              $0.field = v.field
              $0.description_p = v.description
            }
          }
        })
    }
    return error
  }

  public static func invalid(_ violations: [Violation]) -> RPCError {
    let summary = violations.prefix(3).map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    let more = violations.count > 3 ? " (and \(violations.count - 3) more)" : ""
    return error(.invalidArgument, summary + more, reason: "INVALID_FIELD", violations: violations)
  }

  public static func invalid(_ field: String, _ description: String) -> RPCError {
    invalid([Violation(field, description)])
  }

  public static func notFound(_ name: String) -> RPCError {
    error(.notFound, "\(name) not found", reason: "RESOURCE_NOT_FOUND", metadata: ["resource": name])
  }

  public static func alreadyExists(_ name: String) -> RPCError {
    error(.alreadyExists, "\(name) already exists", reason: "RESOURCE_ALREADY_EXISTS", metadata: ["resource": name])
  }

  public static func etagMismatch(_ name: String, current: String) -> RPCError {
    error(
      .aborted, "\(name) has changed (etag \(current)); read it again and retry", reason: "ETAG_MISMATCH",
      metadata: ["resource": name, "etag": current])
  }

  public static func referenceNotFound(field: String, name: String) -> RPCError {
    error(
      .failedPrecondition, "\(field): \(name) does not exist", reason: "REFERENCE_NOT_FOUND",
      metadata: ["field": field, "reference": name], violations: [Violation(field, "\(name) does not exist")])
  }

  public static func inUse(_ name: String, by referrers: [String]) -> RPCError {
    let shown = referrers.prefix(5).joined(separator: ", ") + (referrers.count > 5 ? ", …" : "")
    return error(
      .failedPrecondition, "\(name) is still referenced by \(shown)", reason: "RESOURCE_IN_USE",
      metadata: ["resource": name, "referrers": "\(referrers.count)"])
  }

  /// A store failure as the client should see it.
  public static func fromStore(_ error: any Error) -> any Error {
    guard let error = error as? StoreError else { return error }
    switch error.kind {
    case .full:
      return ServiceErrors.error(.resourceExhausted, error.message, reason: "STORAGE_FULL")
    case .unavailable:
      return ServiceErrors.error(.unavailable, error.message, reason: "STORAGE_UNAVAILABLE")
    case .corrupt:
      return ServiceErrors.error(.dataLoss, error.message, reason: "STORAGE_CORRUPT")
    }
  }
}

/// Runs a store call, turning store failures into gRPC errors.
func storeCall<T>(_ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch {
    throw ServiceErrors.fromStore(error)
  }
}

/// ``storeCall(_:)`` for a synchronous store call.
func storeCallNow<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch {
    throw ServiceErrors.fromStore(error)
  }
}
