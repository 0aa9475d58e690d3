import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Facts about where output goes.
enum Terminal {
  static var isInteractive: Bool { isatty(STDOUT_FILENO) != 0 }
  static var stderrIsInteractive: Bool { isatty(STDERR_FILENO) != 0 }

  /// Columns of the terminal; 80 when output is not a terminal.
  static var width: Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
    var size = winsize()
    if isInteractive, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
    return 80
  }

  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}
