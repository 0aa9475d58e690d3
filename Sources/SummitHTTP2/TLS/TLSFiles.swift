public import NIOSSL

/// TLS from PEM files: a certificate chain and key, and optionally the CA
/// that client certificates must chain to (mutual TLS). ALPN offers `h2`
/// only: gRPC is HTTP/2.
public struct TLSFiles: Sendable, Hashable {
  public var certificateChainPath: String
  public var privateKeyPath: String
  /// When set, clients must present a certificate signed by this CA.
  public var clientCAPath: String?

  public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
    self.certificateChainPath = certificateChainPath
    self.privateKeyPath = privateKeyPath
    self.clientCAPath = clientCAPath
  }

  /// A server context read from the files now (call again to reload).
  public func makeServerContext() throws -> NIOSSLContext {
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
public struct ClientTLS: Sendable, Hashable {
  /// CA bundle to trust; nil for the system's.
  public var caPath: String?
  /// The name to verify the certificate against; defaults to the host.
  public var serverName: String?
  public var certificateChainPath: String?
  public var privateKeyPath: String?

  public init(caPath: String? = nil, serverName: String? = nil, certificateChainPath: String? = nil, privateKeyPath: String? = nil) {
    self.caPath = caPath
    self.serverName = serverName
    self.certificateChainPath = certificateChainPath
    self.privateKeyPath = privateKeyPath
  }

  public func makeContext() throws -> NIOSSLContext {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.applicationProtocols = ["h2"]
    configuration.minimumTLSVersion = .tlsv12
    if let caPath { configuration.trustRoots = .file(caPath) }
    if let certificateChainPath, let privateKeyPath {
      configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { .certificate($0) }
      configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
    }
    return try NIOSSLContext(configuration: configuration)
  }
}
