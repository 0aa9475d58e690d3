// codec-bench: encode and decode of a Visit and a 50-visit ListVisitsResponse,
// Summit's codec (protobuf-c underneath) against swift-protobuf 1.39, in ns per
// message (median of 9 batches, the two codecs' batches alternating) and heap
// allocations per message. Prints a Markdown table; `make bench` pins it to one
// core and puts it in BENCHMARKS.md.
//
//   codec-bench [--quick]
import Foundation

@main
struct CodecBench {
  static func main() throws {
    let quick = CommandLine.arguments.contains("--quick")
    let (visit, page) = try Theirs.load(visit: Ours.visitBytes, page: Ours.pageBytes)
    Theirs.visit = visit
    Theirs.page = page
    let identical = try Theirs.visitBytes() == Ours.visitBytes && Theirs.pageBytes() == Ours.pageBytes
    let visitBytes = Ours.visitBytes
    let pageBytes = Ours.pageBytes
    let scale = quick ? 1 : 10

    let cases: [(String, Int, () -> Int, () -> Int)] = [
      ("encode Visit", 20_000 * scale, Ours.encodeVisit, Theirs.encodeVisit),
      ("decode Visit", 20_000 * scale, { Ours.decodeVisit(visitBytes) }, { Theirs.decodeVisit(visitBytes) }),
      ("encode ListVisitsResponse (50)", 400 * scale, Ours.encodePage, Theirs.encodePage),
      ("decode ListVisitsResponse (50)", 400 * scale, { Ours.decodePage(pageBytes) }, { Theirs.decodePage(pageBytes) }),
    ]
    print("| operation | Summit ns/msg | swift-protobuf ns/msg | swift-protobuf ÷ Summit | Summit allocs/msg | swift-protobuf allocs/msg |")
    print("|---|---:|---:|---:|---:|---:|")
    for (name, iterations, ours, theirs) in cases {
      let (a, b) = measurePair(iterations: iterations, ours, theirs)
      print(
        "| \(name) | \(format(a.nsPerCall)) | \(format(b.nsPerCall)) | \(String(format: "%.2f×", b.nsPerCall / a.nsPerCall)) "
          + "| \(String(format: "%.1f", a.allocationsPerCall)) | \(String(format: "%.1f", b.allocationsPerCall)) |")
    }
    print("")
    print(
      "Visit: \(visitBytes.count) bytes; page: \(pageBytes.count) bytes; both codecs encode byte-identical output: "
        + "\(identical ? "yes" : "no").")
    FileHandle.standardError.write(Data("checksum \(blackHole & 0xff)\n".utf8))
  }

  static func format(_ ns: Double) -> String {
    ns >= 10_000 ? String(format: "%.0f", ns) : String(format: "%.1f", ns)
  }
}
