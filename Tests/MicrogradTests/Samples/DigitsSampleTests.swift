import Foundation
import Testing

@testable import Micrograd

/// Runs the built `digits` sample on the committed scikit-learn digits.
@Suite(.serialized) struct DigitsSampleTests {
  /// samples/digits/data in this checkout.
  static let dataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../samples/digits/data").standardized.path

  /// The sample's whole default run (30 epochs, about 5 s in a debug build)
  /// reaches at least 96% on the 360 test images, and writes its step's
  /// program, its picture and the weights.
  @Test func reachesNinetySixPercentOnTheTestImages() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let out = folder.file("digits")
    let run = try CommandLineTool(name: "digits").run(["--out", out])
    #expect(run.status == 0, "\(run.error)")
    let line = try #require(run.output.split(separator: "\n").first { $0.hasPrefix("final test:") })
    // "final test: loss 0.1010, accuracy 97.22%"
    let accuracy = try #require(Double(line.split(separator: " ").last?.dropLast() ?? ""), "\(line)")
    #expect(accuracy >= 96, "\(line)")
    let program = try Program(parsing: String(contentsOfFile: out + "/step.mgir", encoding: .utf8))
    try validate(program)
    expectWellFormedSVG(out + "/step.svg")
    let trained = try readSafeTensors(out + "/weights.safetensors")
    #expect(trained["layers.0.weight"]?.shape == [128, 64])
    #expect(trained["layers.1.weight"]?.shape == [10, 128])
  }

  /// The committed files hold the documented split: 1,437 training and 360
  /// test images of 64 pixels in 0…16, every digit in both.
  @Test func committedDataHoldTheDocumentedSplit() throws {
    for (name, count) in [("train", 1437), ("test", 360)] {
      let images = try NumPyArray(npyFile: Self.dataFolder + "/\(name)-images.npy")
      let labels = try NumPyArray(npyFile: Self.dataFolder + "/\(name)-labels.npy")
      #expect(images.descr == "|u1" && labels.descr == "|u1")
      #expect(images.tensor.shape == [count, 64])
      #expect(labels.tensor.shape == [count])
      #expect(images.tensor.scalars.allSatisfy { (0...16).contains($0) })
      #expect(Set(labels.tensor.scalars) == Set((0...9).map(Float.init)))
    }
  }

  @Test func missingDataExitsWithMessage() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let run = try CommandLineTool(name: "digits").run(["--data", folder.path, "--out", folder.file("out")])
    #expect(run.status == 1)
    #expect(run.error.contains("cannot read the data set in \(folder.path)"), "\(run.error)")
  }
}
