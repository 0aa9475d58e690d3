import Foundation
import Testing

@testable import SummitProtogen

/// The generator over the committed descriptor set: deterministic output,
/// and clear failures for input it cannot serve.
@Suite struct GeneratorTests {
  static let descriptorSet: [UInt8] = {
    let url = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Protos/generated/summit.binpb")
    return [UInt8](FileManager.default.contents(atPath: url.path) ?? Data())
  }()

  @Test func readsTheServedSchemas() throws {
    let schema = try DescriptorSetReader.read(Self.descriptorSet)
    let leader = try #require(schema.files.first { $0.name == "summit/v1/leader.proto" })
    #expect(leader.package == "summit.v1")
    let service = try #require(leader.services.first)
    #expect(service.name == "LeaderService")
    let resolve = try #require(service.methods.first { $0.name == "ResolveLeaders" })
    #expect(resolve.clientStreaming && resolve.serverStreaming)
    #expect(resolve.comment.contains("news-processing"))
    let message = try #require(leader.messages.first { $0.name == "Leader" })
    #expect(message.fields.map(\.name).prefix(3) == ["name", "display_name", "title"])
  }

  @Test func outputIsDeterministic() throws {
    let schema = try DescriptorSetReader.read(Self.descriptorSet)
    let files = ["google/protobuf/timestamp.proto", "google/type/date.proto"]
    let options = Generator.Options(moduleName: "M", cModule: "CM", files: files)
    let first = try Generator(schema: schema, options: options).generate()
    let second = try Generator(schema: schema, options: options).generate()
    #expect(first.swiftFiles == second.swiftFiles)
    #expect(first.cHeader == second.cHeader)
    #expect(first.swiftFiles.keys.sorted() == ["MSchema.pb.swift", "google_protobuf_timestamp.pb.swift", "google_type_date.pb.swift"])
  }

  @Test func refusesAFileWhoseImportsAreNotGenerated() throws {
    let schema = try DescriptorSetReader.read(Self.descriptorSet)
    let options = Generator.Options(moduleName: "M", cModule: "CM", files: ["summit/v1/leader.proto"])
    #expect(throws: Generator.Failure.self) { try Generator(schema: schema, options: options).generate() }
  }

  @Test func rejectsBytesThatAreNotADescriptorSet() {
    #expect(throws: DescriptorSetReader.Failure.self) { try DescriptorSetReader.read([0xFF, 0xFF, 0xFF]) }
  }
}
