public import NIOCore
import NIOSSL
public import SummitHTTP2
import Synchronization

/// Server TLS from PEM files: a certificate chain and key, and optionally the
/// CA that client certificates must chain to (mutual TLS). ALPN offers `h2`
/// only: gRPC is HTTP/2. ``reload()`` rereads the files (SIGHUP in summitd).
public final class TLSFiles: ServerChannelSecurity {
  public let certificateChainPath: String
  public let privateKeyPath: String
  /// When set, clients must present a certificate signed by this CA.
  public let clientCAPath: String?
  private let context: Mutex<NIOSSLContext>

  /// Reads the files now; throws when they are missing or do not parse.
  public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) throws {
    self.certificateChainPath = certificateChainPath
    self.privateKeyPath = privateKeyPath
    self.clientCAPath = clientCAPath
    context = Mutex(
      try Self.makeContext(certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath, clientCAPath: clientCAPath))
  }

  public var name: String { clientCAPath == nil ? "tls" : "mutual-tls" }

  public func reload() throws {
    let fresh = try Self.makeContext(
      certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath, clientCAPath: clientCAPath)
    context.withLock { $0 = fresh }
  }

  public func addHandlers(to channel: any Channel) throws {
    let current = context.withLock { $0 }
    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: current))
  }

  static func makeContext(certificateChainPath: String, privateKeyPath: String, clientCAPath: String?) throws -> NIOSSLContext {
    let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
    let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
    var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    configuration.applicationProtocols = ["h2"]
    configuration.minimumTLSVersion = .tlsv12
    if let clientCAPath {
      configuration.trustRoots = .file(clientCAPath)
      configuration.certificateVerification = .noHostnameVerification
    }
    return try NIOSSLContext(configuration: configuration)
  }
}

/// How a client checks the server (and, for mutual TLS, proves itself).
public final class ClientTLS: ClientChannelSecurity {
  /// The name to verify the certificate against; nil for the host dialled.
  public let serverName: String?
  private let context: NIOSSLContext

  /// - Parameters:
  ///   - caPath: CA bundle to trust; nil for the system's.
  ///   - certificateChainPath, privateKeyPath: a client certificate for mutual TLS.
  public init(
    caPath: String? = nil, serverName: String? = nil, certificateChainPath: String? = nil, privateKeyPath: String? = nil
  ) throws {
    self.serverName = serverName
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.applicationProtocols = ["h2"]
    configuration.minimumTLSVersion = .tlsv12
    if let caPath { configuration.trustRoots = .file(caPath) }
    if let certificateChainPath, let privateKeyPath {
      configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) }
      configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
    }
    context = try NIOSSLContext(configuration: configuration)
  }

  public func addHandlers(to channel: any Channel, host: String) throws {
    let name = serverName ?? host
    // An IP address is not a valid SNI name; verification still checks it.
    let sni = name.first?.isNumber == true || name.contains(":") ? nil : name
    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: sni))
  }
}
