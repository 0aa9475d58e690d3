// summit-protogen: writes the Swift codec (and the C umbrella header) for a
// set of .proto files from a descriptor set. `scripts/generate-protos.sh`
// runs it; see that script for the whole pipeline.
import Foundation
import SummitProtogen

let usage = """
  usage: summit-protogen --descriptor-set FILE --swift-out DIR --module-name NAME
                         --c-module NAME --c-header FILE [--rpc-out DIR] PROTO_FILE...
  """

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("summit-protogen: \(message)\n".utf8))
  exit(1)
}

/// `--name value` pairs, and the positional `.proto` file names.
func parseArguments(_ arguments: [String]) -> (options: [String: String], files: [String]) {
  var options: [String: String] = [:]
  var files: [String] = []
  var rest = arguments[...]
  while let argument = rest.popFirst() {
    if argument.hasPrefix("--") {
      guard let value = rest.popFirst() else { fail("\(argument) needs a value\n\(usage)") }
      options[String(argument.dropFirst(2))] = value
    } else {
      files.append(argument)
    }
  }
  return (options, files)
}

let (options, files) = parseArguments(Array(CommandLine.arguments.dropFirst()))
@MainActor func option(_ name: String) -> String {
  guard let value = options[name] else { fail("missing --\(name)\n\(usage)") }
  return value
}

let descriptorPath = option("descriptor-set")
guard let data = FileManager.default.contents(atPath: descriptorPath) else {
  fail("cannot read \(descriptorPath)")
}
do {
  let schema = try DescriptorSetReader.read([UInt8](data))
  let output = try Generator(
    schema: schema,
    options: .init(
      moduleName: option("module-name"), cModule: option("c-module"), files: files,
      emitRPC: options["rpc-out"] != nil)
  ).generate()

  let swiftOut = URL(fileURLWithPath: option("swift-out"))
  try FileManager.default.createDirectory(at: swiftOut, withIntermediateDirectories: true)
  // Remove what an earlier run wrote, so a deleted .proto leaves nothing behind.
  for stale in try FileManager.default.contentsOfDirectory(atPath: swiftOut.path) where stale.hasSuffix(".pb.swift") {
    try FileManager.default.removeItem(at: swiftOut.appendingPathComponent(stale))
  }
  for (name, text) in output.swiftFiles {
    try Data(text.utf8).write(to: swiftOut.appendingPathComponent(name))
  }
  try Data(output.cHeader.utf8).write(to: URL(fileURLWithPath: option("c-header")))
  if let rpcOut = options["rpc-out"] {
    let url = URL(fileURLWithPath: rpcOut)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    for stale in try FileManager.default.contentsOfDirectory(atPath: url.path) where stale.hasSuffix(".rpc.swift") {
      try FileManager.default.removeItem(at: url.appendingPathComponent(stale))
    }
    for (name, text) in output.rpcFiles {
      try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }
  }
} catch {
  fail("\(error)")
}
