import Foundation
import Testing

@testable import Micrograd

/// Runs the built `yinyang` sample and compares its table of losses with the
/// one EurekaLabsAI/micrograd's Python script prints (Fixtures/yinyang-micrograd-py.txt).
@Suite(.serialized) struct YinYangSampleTests {
  /// One line of the table: `step 3, train loss 0.6868202269118525`.
  struct Row: Equatable, CustomStringConvertible {
    var label: String  // "step 3, train loss"
    var value: Double

    var description: String { "\(label) \(value)" }
  }

  static func table(_ text: String) -> [Row] {
    text.split(separator: "\n").filter { $0.hasPrefix("step ") }.compactMap { line in
      guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
        return nil
      }
      return Row(label: String(line[..<space]), value: value)
    }
  }

  /// The same rows in the same order, each loss within float32 rounding of
  /// Python's float64 one.
  ///
  /// Our run is float32 throughout (data, weights, kernels, AdamW) where
  /// Python's is float64, and its error grows over 100 steps of forward,
  /// backward and update. How much depends on the order float32 adds run in:
  /// with sums added one element at a time the drift measured stayed under
  /// 2e-6 relative; with ``BlockedSum``'s 16-lane order (more accurate in
  /// general) it is under 3.1e-6 up to step 98 and 1.1e-5 at step 99 (Adam
  /// divides each gradient by its own running size, so where a gradient is
  /// near zero its rounding decides a whole step). A train loss may differ by
  /// 5e-5 relative: about five times the drift seen, yet two hundred times
  /// smaller than what a wrong initialisation order, data point or optimizer
  /// formula does (the losses then differ in the first or second digit). A
  /// validation loss is
  /// printed with 6 decimals on both sides, so it may also differ by one unit
  /// of the last digit (1e-6) from rounding alone.
  @Test func lossTableMatchesMicrogradPython() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let run = try CommandLineTool(name: "yinyang").run(["--out", folder.file("yinyang")])
    #expect(run.status == 0, "\(run.error)")
    let url = try #require(
      Bundle.module.url(forResource: "yinyang-micrograd-py", withExtension: "txt", subdirectory: "Fixtures"))
    let reference = Self.table(try String(contentsOf: url, encoding: .utf8))
    let ours = Self.table(run.output)
    #expect(reference.count == 110)
    #expect(ours.map(\.label) == reference.map(\.label))
    for (row, expected) in zip(ours, reference) {
      let isValidation = expected.label.hasSuffix("val loss")
      let tolerance = 5e-5 * abs(expected.value) + (isValidation ? 1e-6 : 0)
      #expect(abs(row.value - expected.value) <= tolerance, "\(row) against Python's \(expected.value)")
    }
    let final = run.output.split(separator: "\n").first { $0.hasPrefix("final train:") }
    #expect(final?.hasSuffix("accuracy 100%") == true, "\(final ?? "no final line")")
  }

  /// The sample writes its step's program beside its picture, and its weights.
  @Test func writesProgramPictureAndWeights() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let out = folder.file("yinyang")
    let run = try CommandLineTool(name: "yinyang").run(["--steps", "3", "--out", out])
    #expect(run.status == 0, "\(run.error)")
    let program = try Program(parsing: String(contentsOfFile: out + "/step.mgir", encoding: .utf8))
    try validate(program)
    expectWellFormedSVG(out + "/step.svg")
    let initial = try readSafeTensors(out + "/initial.safetensors")
    let trained = try readSafeTensors(out + "/weights.safetensors")
    #expect(initial.keys.sorted() == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"])
    #expect(initial["layers.0.weight"]?.shape == [8, 2])
    #expect(initial["layers.1.bias"]?.scalars == [0, 0, 0])
    #expect(trained["layers.0.weight"]?.scalars != initial["layers.0.weight"]?.scalars)
  }
}
