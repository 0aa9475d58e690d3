public import SummitCodec
public import SummitRPC
import Synchronization

/// Who may call what: bearer tokens, each allowed to read or to write.
///
/// With no token configured every call is allowed (a development default
/// that summitd warns about at start). With tokens, write methods need
/// `authorization: Bearer <token>` of a write token; reads stay open unless
/// `requireAuthForReads`. Missing or malformed credentials are
/// UNAUTHENTICATED; an unknown token or a read-only token on a write is
/// PERMISSION_DENIED. Tokens are compared in constant time and never logged.
public final class AccessPolicy: Sendable {
  public enum Access: Sendable, Equatable {
    case read, write
  }

  private struct State {
    var tokens: [(token: [UInt8], access: Access)] = []
    var requireAuthForReads = false
  }
  private let state = Mutex(State())

  public init(tokens: [(String, Access)] = [], requireAuthForReads: Bool = false) {
    update(tokens: tokens, requireAuthForReads: requireAuthForReads)
  }

  /// Replaces the tokens (for a reload on SIGHUP).
  public func update(tokens: [(String, Access)], requireAuthForReads: Bool) {
    state.withLock {
      $0.tokens = tokens.map { (Array($0.0.utf8), $0.1) }
      $0.requireAuthForReads = requireAuthForReads
    }
  }

  public var isEnabled: Bool { state.withLock { !$0.tokens.isEmpty } }

  /// Create, Update, Delete, RespondTo and Import methods change records.
  public static func isWrite(_ method: ProtoMethodDescriptor) -> Bool {
    ["Create", "Update", "Delete", "RespondTo", "Import"].contains { method.method.hasPrefix($0) }
  }

  /// Throws the error the caller gets, or returns when the call may go on.
  public func check(_ metadata: Metadata, for method: ProtoMethodDescriptor) throws(RPCError) {
    let (tokens, readsNeedAuth) = state.withLock { ($0.tokens, $0.requireAuthForReads) }
    guard !tokens.isEmpty else { return }
    let write = Self.isWrite(method)
    guard write || readsNeedAuth else { return }
    guard let header = metadata["authorization"].first else {
      throw RPCError(.unauthenticated, "\(method.path) needs authorization: Bearer <token>")
    }
    guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
      throw RPCError(.unauthenticated, "the authorization header must be Bearer <token>")
    }
    let presented = Array(header.utf8.dropFirst(7))
    var granted: Access?
    for entry in tokens where Self.constantTimeEquals(presented, entry.token) {
      granted = entry.access
    }
    guard let granted else { throw RPCError(.permissionDenied, "the token is not valid for this server") }
    if write && granted != .write {
      throw RPCError(.permissionDenied, "the token may read but not write; \(method.path) changes records")
    }
  }

  /// Wraps handlers so that each call is checked first.
  public func guarding(_ handlers: [RPCHandler]) -> [RPCHandler] {
    handlers.map { handler in
      let method = handler.method
      return handler.guarded { context in try self.check(context.requestMetadata, for: method) }
    }
  }

  /// Equal bytes, in time that depends only on the lengths.
  static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    let n = max(a.count, b.count)
    for i in 0..<n {
      let x = i < a.count ? a[i] : 0
      let y = i < b.count ? b[i] : 0
      difference |= x ^ y
    }
    return difference == 0
  }

  /// Tokens from a file: one per line, `TOKEN` or `TOKEN read|write`
  /// (write by default); blank lines and `#` comments skipped.
  public static func parseTokens(_ text: String) throws -> [(String, Access)] {
    var out: [(String, Access)] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimming { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count <= 2, parts[0].count >= 16 else {
        throw TokenFileError(line: i + 1, reason: "expected TOKEN [read|write], the token at least 16 characters")
      }
      let access: Access
      switch parts.count == 2 ? String(parts[1]) : "write" {
      case "write": access = .write
      case "read": access = .read
      default: throw TokenFileError(line: i + 1, reason: "access must be read or write")
      }
      out.append((String(parts[0]), access))
    }
    return out
  }

  public struct TokenFileError: Error, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "tokens file, line \(line): \(reason)" }
  }
}
