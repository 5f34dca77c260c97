import Foundation
import Testing

@testable import Micrograd

/// Runs the built `micrograd` command as a user would, on real files in a temporary folder.
@Suite(.serialized) struct MicrogradCommandTests {
  let tool = CommandLineTool(name: "micrograd")

  /// A training step of a 2-8-1 MLP with SGD and momentum on a batch of 6, with its model and data.
  struct Training {
    let model: MLP
    let step: TrainingStep
    let x: Tensor
    let y: Tensor
    var program: Program { get throws { try step.program(for: [x.shape, y.shape]) } }

    init() throws {
      var generator = RandomGenerator(seed: 7)
      model = MLP(2, [8, 1], generator: &generator)
      let model = model
      step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1, momentum: 0.9)) { x, y in
        hingeLoss(model(x).reshape([-1]), y)
      }
      x = Tensor.uniform([6, 2], low: -1, high: 1, generator: &generator)
      y = Tensor([1, -1, 1, 1, -1, -1])
    }
  }

  @Test func checkPrintsTheInstructionCount() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let program = try Training().program
    let file = try folder.write(program.text(), to: "step.mgir")
    let result = try tool.run(["check", file])
    #expect(result.status == 0)
    #expect(result.output == "ok: \(program.instructions.count) instructions\n")
    #expect(result.error.isEmpty)
  }

  @Test func inspectSummarisesARealProgram() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let program = try Training().program
    let file = try folder.write(program.text(), to: "step.mgir")
    let result = try tool.run(["inspect", file])
    #expect(result.status == 0, "\(result.error)")
    let lines = result.output.split(separator: "\n").map(String.init)
    let sgdCount = program.instructions.filter { $0.operation.name == "sgd" }.count
    #expect(sgdCount == 4)
    // The operation table: sgd only in the update section.
    let sgdRow = lines.first { $0.hasPrefix("  sgd ") }?.split(separator: " ").map(String.init)
    #expect(sgdRow == ["sgd", "0", "0", "\(sgdCount)", "\(sgdCount)"])
    #expect(lines.contains("parameters: 4, 33 elements"))
    #expect(lines.contains("  layers.0.weight f32[8,2] 16"))
    let fused = program.instructions.filter {
      switch $0.operation {
      case .fused, .fusedReduce, .matmulEpilogue: true
      default: false
      }
    }
    #expect(lines.contains("fused kernels: \(fused.count)"))
    let plan = try #require(program.memoryPlan)
    #expect(lines.contains { $0.hasPrefix("memory: \(plan.bufferSizes.count) buffers, peak \(plan.peakBytes) bytes") })
    #expect(
      lines.contains(
        "instructions: \(program.instructions.count) (forward \(count(program, .forward)), "
          + "backward \(count(program, .backward)), update \(count(program, .update)))"))
  }

  private func count(_ program: Program, _ section: Instruction.Section) -> Int {
    program.instructions.filter { $0.section == section }.count
  }

  /// The committed example and the fuzzer's valid seeds pass `check`.
  @Test(arguments: [
    "docs/examples/moons-step.mgir", "Fuzz/corpus/ir/mlp-step.mgir", "Fuzz/corpus/ir/ops.mgir",
    "Fuzz/corpus/ir/planned-forward.mgir",
  ])
  func committedExamplesAreValid(path: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let result = try tool.run(["check", root.appendingPathComponent(path).path])
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output.hasPrefix("ok: "))
  }

  @Test func checkNamesLineAndColumnOfAParseError() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let text = try Training().program.text()
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // Damage the type of the second declaration: line 4 of the file.
    lines[3] = lines[3].replacingOccurrences(of: "f32[", with: "f64[")
    let file = try folder.write(lines.joined(separator: "\n"), to: "bad.mgir")
    let result = try tool.run(["check", file])
    #expect(result.status == 1)
    #expect(result.output.isEmpty)
    let column = try #require(lines[3].range(of: "f64")).lowerBound.utf16Offset(in: lines[3]) + 1
    #expect(result.error.hasPrefix("micrograd: \(file):4:\(column): error: expected a type"), "\(result.error)")
    #expect(result.error.filter { $0 == "\n" }.count == 1)
  }

  @Test func checkNamesTheLineOfAValidationError() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let text = """
      micrograd-ir 1
      func @main(%0: f32[2,3] input "a", %1: f32[4,2] input "b") -> (%2 "y0") {
        %2 = matmul %0, %1 : f32[2,2]
        return %2
      }

      """
    let file = try folder.write(text, to: "shapes.mgir")
    let result = try tool.run(["check", file])
    #expect(result.status == 1)
    #expect(
      result.error.contains("line 3: instruction 0 (%2 = matmul): inner dimensions 3 and 4 differ"), "\(result.error)")
  }

  /// A forward program run on .npy inputs writes its outputs, equal to eager results.
  @Test func runWritesOutputsOfAForwardProgram() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let f = compile { xs in [exp(matmul(xs[0], xs[1])).sum(axes: [1], keepdims: false)] }
    let a = Tensor([[1, 2], [3, -4], [0.5, 0]])
    let b = Tensor([[0.1, -0.2], [0.3, 0.25]])
    let file = try folder.write(try f.program(for: [a.shape, b.shape]).text(), to: "f.mgir")
    try a.writeNPY(to: folder.file("a.npy"))
    try b.writeNPY(to: folder.file("b.npy"))
    let result = try tool.run([
      "run", file, "--input", "x0=" + folder.file("a.npy"), "--input", "x1=" + folder.file("b.npy"),
      "--out", folder.file("out"),
    ])
    #expect(result.status == 0, "\(result.error)")
    #expect(!FileManager.default.fileExists(atPath: folder.file("out/weights.safetensors")))
    let y = try Tensor(npyFile: folder.file("out/y0.npy"))
    #expect(y.scalars == (try f(a, b))[0].scalars)
  }

  /// A training program run for three steps prints the losses of the library's own step, and writes its weights.
  @Test func runTrainsLikeTheLibrary() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let training = try Training()
    let file = try folder.write(try training.program.text(), to: "step.mgir")
    try training.model.saveParameters(to: folder.file("initial.safetensors"))
    try training.x.writeNPY(to: folder.file("x.npy"))
    try training.y.writeNPY(to: folder.file("y.npy"))
    let result = try tool.run([
      "run", file, "--weights", folder.file("initial.safetensors"), "--input", "x0=" + folder.file("x.npy"),
      "--input", "x1=" + folder.file("y.npy"), "--lr", "0.1", "--steps", "3", "--out", folder.file("out"),
    ])
    #expect(result.status == 0, "\(result.error)")
    var expected: [String] = []
    for k in 0..<3 { expected.append("step \(k) loss \(try training.step(training.x, training.y, lr: 0.1).item())") }
    #expect(result.output.split(separator: "\n").filter { $0.hasPrefix("step ") }.map(String.init) == expected)
    #expect(result.error.contains("started at zeros"))
    let weights = try readSafeTensors(folder.file("out/weights.safetensors"))
    for (name, parameter) in training.model.namedParameters() {
      #expect(weights[name]?.scalars == parameter.scalars, "\(name)")
    }
    #expect(weights["layers.0.weight.step"]?.scalars == [3])
    #expect(weights["layers.0.weight.momentum_buffer"]?.shape == [8, 2])
  }

  @Test func usageErrorsExitWithTwo() throws {
    for arguments in [
      [], ["check"], ["frobnicate", "x.mgir"], ["run", "x.mgir"], ["run", "x.mgir", "--out", "o", "--steps", "0"],
      ["run", "x.mgir", "--out", "o", "--lr", "1", "--lr-schedule", "s.npy"],
      ["run", "x.mgir", "--out", "o", "--input", "x0"], ["check", "--bogus", "x.mgir"],
    ] {
      let result = try tool.run(arguments)
      #expect(result.status == 2, "\(arguments): \(result.error)")
      #expect(!result.error.isEmpty)
    }
    let help = try tool.run(["--help"])
    #expect(help.status == 0)
    #expect(help.output.contains("inspect"))
  }

  @Test func invalidInputsExitWithOneAndOneLine() throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let training = try Training()
    let good = try folder.write(try training.program.text(), to: "step.mgir")
    try training.x.writeNPY(to: folder.file("x.npy"))
    try Tensor([1, 2, 3]).writeNPY(to: folder.file("short.npy"))
    try "not a safetensors file".write(toFile: folder.file("junk.safetensors"), atomically: true, encoding: .utf8)
    try training.model.saveParameters(to: folder.file("w.safetensors"))
    let malformed: [String: String] = [
      "empty.mgir": "",
      "header.mgir": "micrograd-ir 3\n",
      "truncated.mgir": String(try training.program.text().prefix(200)),
      "huge.mgir": "micrograd-ir 1\nfunc @main(%0: f32[99999999999999999999] input \"x\") -> (%0) {\n  return %0\n}\n",
      "overflow.mgir":
        "micrograd-ir 1\nfunc @main(%0: f32[2147483648,2147483648,2147483648] input \"x\") -> (%0) {\n  return %0\n}\n",
      "nul.mgir": "micrograd-ir 1\u{0}\u{0}\n",
    ]
    var cases: [[String]] = []
    for (name, text) in malformed {
      let file = try folder.write(text, to: name)
      cases += [["check", file], ["inspect", file], ["run", file, "--out", folder.file("o")]]
    }
    try Data([0xFF, 0xFE, 0x00, 0x93]).write(to: URL(fileURLWithPath: folder.file("binary.mgir")))
    cases += [
      ["check", folder.file("binary.mgir")], ["check", folder.file("missing.mgir")], ["inspect", folder.path],
      // No weights, junk weights, a missing input, a wrong shape, no learning rate.
      [
        "run", good, "--input", "x0=" + folder.file("x.npy"), "--input", "x1=" + folder.file("short.npy"),
        "--lr", "0.1", "--out", folder.file("o"),
      ],
      ["run", good, "--weights", folder.file("junk.safetensors"), "--out", folder.file("o")],
      [
        "run", good, "--weights", folder.file("w.safetensors"), "--input", "x0=" + folder.file("x.npy"),
        "--lr", "0.1", "--out", folder.file("o"),
      ],
      [
        "run", good, "--weights", folder.file("w.safetensors"), "--input", "x0=" + folder.file("x.npy"),
        "--input", "x1=" + folder.file("x.npy"), "--lr", "0.1", "--out", folder.file("o"),
      ],
      [
        "run", good, "--weights", folder.file("w.safetensors"), "--input", "x0=" + folder.file("x.npy"),
        "--input", "x1=" + folder.file("short.npy"), "--out", folder.file("o"),
      ],
      [
        "run", good, "--weights", folder.file("w.safetensors"), "--input", "x0=" + folder.file("junk.safetensors"),
        "--input", "x1=" + folder.file("short.npy"), "--lr", "1", "--out", folder.file("o"),
      ],
    ]
    for arguments in cases {
      let result = try tool.run(arguments)
      #expect(result.status == 1, "\(arguments): \(result.error)")
      #expect(result.error.hasPrefix("micrograd: "), "\(arguments): \(result.error)")
      #expect(result.error.filter { $0 == "\n" }.count == 1, "\(arguments): \(result.error)")
    }
  }
}
