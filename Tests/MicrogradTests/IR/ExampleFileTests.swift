import Foundation
import Testing

@testable import Micrograd

/// The committed example programs (docs/examples/*.mgir, written by the
/// samples) parse, validate, and are their own canonical text.
@Suite struct ExampleFileTests {
  static var examples: [URL] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let folder = root.appendingPathComponent("docs/examples")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".mgir") }.sorted().map { folder.appendingPathComponent($0) }
  }

  @Test func thereAreExamples() { #expect(!Self.examples.isEmpty) }

  @Test(arguments: examples)
  func exampleRoundTrips(_ url: URL) throws {
    let text = try String(contentsOf: url, encoding: .utf8)
    let parsed = try IRParser.parse(text)
    try validate(parsed.program, lines: parsed.lines)
    #expect(parsed.program.text() == text)
    #expect(try Program(parsing: parsed.program.text()) == parsed.program)
  }
}
