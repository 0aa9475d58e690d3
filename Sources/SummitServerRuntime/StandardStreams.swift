#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Unbuffered writes to stdout and stderr, straight to the file descriptor
/// (as Foundation's `FileHandle` did): a line that announces the listening
/// address must reach a pipe at once, not when a stdio buffer fills.
public enum StandardStreams {
  public enum Stream: Sendable {
    case standardOutput, standardError

    var descriptor: Int32 { self == .standardOutput ? 1 : 2 }
  }

  /// Writes all of `text`, retrying short writes and EINTR; other errors
  /// (a closed pipe) drop the rest, as there is nowhere to report them.
  public static func write(_ text: String, to stream: Stream) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(stream.descriptor, $0.baseAddress, $0.count) }
      if written > 0 {
        bytes = bytes.dropFirst(written)
      } else if written < 0 && errno == EINTR {
        continue
      } else {
        return
      }
    }
  }
}
