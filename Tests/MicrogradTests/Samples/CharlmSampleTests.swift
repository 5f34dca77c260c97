import Foundation
import Testing

@testable import Micrograd

/// Runs the built `charlm` sample as a user would: a short training run on
/// this repository's sources, and unreadable input.
@Suite(.serialized) struct CharlmSampleTests {
  /// A few hundred steps of a small model (debug build, a few seconds) bring the validation loss well under the
  /// uniform baseline log V (about 4.8 for the ~120 characters of the sources): measured 2.88 with these options.
  /// The threshold, 3.3, is 1.4 nats under log V and leaves room for the sources changing.
  @Test func shortRunLearns() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let out = folder.file("charlm")
    let run = try CommandLineTool(name: "charlm").run([
      "--steps", "300", "--context", "4", "--embedding", "8", "--hidden", "64", "--batch", "32", "--sample", "80",
      "--out", out,
    ])
    #expect(run.status == 0, "\(run.error)")
    let lines = run.output.split(separator: "\n").map(String.init)
    let uniform = try #require(number(after: "log V = ", in: lines.first { $0.hasPrefix("charlm:") } ?? ""))
    let final = try #require(lines.first { $0.hasPrefix("final:") }, "\(run.output)")
    let validation = try #require(number(after: "val loss ", in: final))
    let train = try #require(number(after: "train loss ", in: final))
    #expect(validation < 3.3, "\(final)")
    #expect(validation < uniform - 1, "\(final)")
    #expect(train < uniform - 1, "\(final)")
    #expect(lines.filter { $0.hasPrefix("step ") }.count == 10)
    // The sample: 4 characters of context and 80 drawn ones.
    let sample = try String(contentsOfFile: out + "/sample.txt", encoding: .utf8)
    #expect(sample.count == 84)
    let program = try Program(parsing: try String(contentsOfFile: out + "/step.mgir", encoding: .utf8))
    #expect(program.instructions.contains { $0.operation == .embedding })
    #expect(program.instructions.contains { $0.operation.name == "embedding_backward" })
    #expect(program.instructions.contains { $0.operation.name == "adamw" })
    let weights = try readSafeTensors(out + "/weights.safetensors")
    #expect(
      weights.keys.sorted() == ["embedding.weight", "hidden.bias", "hidden.weight", "output.bias", "output.weight"])
    let svg = try String(contentsOfFile: out + "/step.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
  }

  /// Same seed, same run: the sampled text is reproducible.
  @Test func seededRunsRepeat() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let options = ["--steps", "20", "--context", "3", "--embedding", "4", "--hidden", "16", "--sample", "40"]
    let first = try CommandLineTool(name: "charlm").run(options + ["--out", folder.file("a")])
    let second = try CommandLineTool(name: "charlm").run(options + ["--out", folder.file("b")])
    #expect(first.status == 0 && second.status == 0)
    let firstSample = try String(contentsOfFile: folder.file("a/sample.txt"), encoding: .utf8)
    #expect(firstSample.count == 43)
    #expect(try String(contentsOfFile: folder.file("b/sample.txt"), encoding: .utf8) == firstSample)
    let finalLine = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("final:") } }
    #expect(finalLine(first.output) != nil)
    #expect(finalLine(first.output) == finalLine(second.output))
  }

  @Test(arguments: ["/nonexistent/corpus.txt", "/tmp"])
  func unreadableInputExitsWithOneLine(_ path: String) throws {
    let run = try CommandLineTool(name: "charlm").run([path, "--steps", "1"])
    #expect(run.status == 1)
    let lines = run.error.split(separator: "\n")
    #expect(lines.count == 1, "\(run.error)")
    #expect(lines.first?.hasPrefix("charlm: cannot read \(path): ") == true, "\(run.error)")
  }

  /// The number after `prefix` in `line` (`val loss 2.8766 (…)` → 2.8766).
  func number(after prefix: String, in line: String) -> Float? {
    guard let range = line.range(of: prefix) else { return nil }
    return Float(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
  }
}
