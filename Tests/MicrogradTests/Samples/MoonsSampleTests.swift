import Foundation
import Testing

/// Runs the built `moons` sample as a user would, compiled and eager.
@Suite(.serialized) struct MoonsSampleTests {
  /// The sample binary beside the test bundle (`swift build --build-tests`
  /// builds every product into the same folder).
  static var binary: URL? {
    let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let url = folder.appendingPathComponent("moons")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
  }

  static func run(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = try #require(binary, "moons binary not built; run swift build --build-tests")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self)
  }

  /// Compiled and eager runs use the same kernels in the same order, so
  /// their loss curves agree to the last bit; both reach 100% accuracy.
  @Test func compiledLossCurveMatchesEager() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("moons-\(UUID())").path
    let compiled = try Self.run(["--exact", "--out", out])
    let eager = try Self.run(["--exact", "--eager", "--out", out])
    let steps = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("step ") } }
    #expect(steps(compiled).count == 100)
    #expect(steps(compiled) == steps(eager))
    let final = compiled.split(separator: "\n").first { $0.hasPrefix("final:") }
    #expect(final?.hasSuffix("accuracy 100%") == true, "\(final ?? "no final line")")
    let svg = try String(contentsOfFile: out + "/boundary.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
    try? FileManager.default.removeItem(atPath: out)
  }

  @Test func badOptionsExitWithUsage() throws {
    let process = Process()
    process.executableURL = try #require(Self.binary)
    process.arguments = ["--steps", "zero"]
    process.standardError = Pipe()
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 2)
  }
}
