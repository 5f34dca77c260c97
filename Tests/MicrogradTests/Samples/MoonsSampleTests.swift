import Foundation
import Testing

@testable import Micrograd

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
    let executable = try #require(binary, "moons binary not built; run swift build --build-tests")
    process.executableURL = executable
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
    // The compiled step's picture beside its program.
    expectWellFormedSVG(out + "/step.svg")
    try? FileManager.default.removeItem(atPath: out + "/step.svg")
    let eager = try Self.run(["--exact", "--eager", "--out", out])
    let steps = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("step ") } }
    #expect(steps(compiled).count == 100)
    #expect(steps(compiled) == steps(eager))
    let final = compiled.split(separator: "\n").first { $0.hasPrefix("final:") }
    #expect(final?.hasSuffix("accuracy 100%") == true, "\(final ?? "no final line")")
    #expect(!FileManager.default.fileExists(atPath: out + "/step.svg"), "eager runs compile no step to draw")
    let svg = try String(contentsOfFile: out + "/boundary.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
    try? FileManager.default.removeItem(atPath: out)
  }

  /// The files the sample writes replay its training in `micrograd run`: the same losses to the last bit, and the
  /// same final weights.
  @Test func microgradRunReplaysTheTraining() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let out = folder.file("moons")
    let sample = try Self.run(["--steps", "20", "--exact", "--out", out])
    let sampleLosses = sample.split(separator: "\n").filter { $0.hasPrefix("step ") }.map { line in
      // "step 3 loss 0.66836965, accuracy 82%" -> "step 3 loss 0.66836965"
      String(line.prefix { $0 != "," })
    }
    #expect(sampleLosses.count == 20)
    let schedule = try Tensor(npyFile: out + "/lr.npy")
    #expect(schedule.scalars == (0..<20).map { Float(1.0 - 0.9 * Double($0) / 20) })
    let replay = try CommandLineTool(name: "micrograd").run([
      "run", out + "/step.mgir", "--weights", out + "/initial.safetensors", "--input", "x0=\(out)/x0.npy",
      "--input", "x1=\(out)/x1.npy", "--lr-schedule", out + "/lr.npy", "--steps", "20", "--out", folder.file("replay"),
    ])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(replay.output.split(separator: "\n").filter { $0.hasPrefix("step ") }.map(String.init) == sampleLosses)
    let trained = try readSafeTensors(out + "/weights.safetensors")
    let replayed = try readSafeTensors(folder.file("replay/weights.safetensors"))
    #expect(trained.count == 6)
    for (name, tensor) in trained {
      #expect(replayed[name]?.shape == tensor.shape, "\(name)")
      #expect(replayed[name]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
    }
    #expect(try readSafeTensors(out + "/initial.safetensors").keys.sorted() == trained.keys.sorted())
  }

  @Test func badOptionsExitWithUsage() throws {
    let process = Process()
    let executable = try #require(Self.binary)
    process.executableURL = executable
    process.arguments = ["--steps", "zero"]
    process.standardError = Pipe()
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 2)
  }
}
