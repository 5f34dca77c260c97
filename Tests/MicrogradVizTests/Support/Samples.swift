import Foundation
import Micrograd

/// Graphs and programs to draw.
enum Samples {
  /// A compiled SGD-with-momentum training step of a 2-16-16-1 MLP under a
  /// hinge loss: forward, backward and update, with fused kernels.
  static func mlpStepProgram(batch: Int = 8) throws -> Program {
    var generator = RandomGenerator(seed: 7)
    let model = MLP(2, [16, 16, 1], generator: &generator)
    let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1, momentum: 0.9)) { x, y in
      hingeLoss(model(x).reshape([-1]), y)
    }
    return try step.program(for: [[batch, 2], [batch]])
  }

  /// The value and gradient program of a deep, narrow tanh MLP: about 20
  /// instructions per layer before fusion, so `layers` sets the size.
  static func deepProgram(layers: Int) throws -> Program {
    var generator = RandomGenerator(seed: 3)
    let parameters = (0..<layers).flatMap { _ in
      [
        Tensor.normal([4, 4], requiresGrad: true, generator: &generator),
        Tensor.normal([4], requiresGrad: true, generator: &generator),
      ]
    }
    let names = (0..<layers).flatMap { ["layers.\($0).weight", "layers.\($0).bias"] }
    let f = compileValueAndGrad(withRespectTo: parameters, names: names) { xs in
      var h = xs[0]
      for layer in 0..<layers {
        h = tanh(matmul(h, parameters[2 * layer]) + parameters[2 * layer + 1]) * 0.5 + h
      }
      return (h * h).sum()
    }
    return try f.program(for: [[3, 4]])
  }

  /// An eager MLP loss after backward: parameters with gradients, a batch
  /// input, the loss as output.
  static func eagerLoss() -> (loss: Tensor, model: MLP, input: Tensor) {
    var generator = RandomGenerator(seed: 5)
    let model = MLP(2, [4, 1], generator: &generator)
    let x = Tensor.normal([6, 2], generator: &generator)
    let y = Tensor([1, -1, 1, -1, 1, -1], shape: [6])
    let loss = hingeLoss(model(x).reshape([-1]), y)
    loss.backward()
    return (loss, model, x)
  }
}

/// A fresh directory under the system's temporary directory, removed by
/// `cleanUp()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "micrograd-viz-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> String { path + "/" + name }

  func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

extension Samples {
  /// A name with every character DOT, records and HTML treat specially.
  static let awkwardName = #"w|{x}<y> "q" \N & 'z' \"#

  /// A small program written by hand: `relu(x·w + b)` as a matmul with an
  /// epilogue, then a sum; `w` named ``awkwardName``, a memory plan set.
  static func handmadeProgram() -> Program {
    let values = [
      Value(shape: [2, 3], role: .input, name: "x"),
      Value(shape: [3, 4], role: .parameter, name: awkwardName),
      Value(shape: [4], role: .parameter, name: "b"),
      Value(shape: [2, 4], role: .temporary),
      Value(shape: [], role: .temporary, name: "total"),
      Value(shape: [], role: .constant([0.5])),
      Value(shape: [], role: .temporary),
    ]
    let epilogue = FusedKernel(
      inputCount: 2, steps: [.init(.binary(.add), [0, 1]), .init(.unary(.relu), [2])], outputs: [3])
    var program = Program(
      values: values,
      instructions: [
        Instruction(
          .matmulEpilogue(transposeA: false, transposeB: false, epilogue), inputs: [0, 1, 2], outputs: [3],
          location: SourceLocation(file: "Model/Layer.swift", line: 12), notes: ["fused matmul+add+relu"]),
        Instruction(
          .reduce(.sum, axes: [0, 1]), inputs: [3], outputs: [6],
          location: SourceLocation(file: "Model/Loss.swift", line: 3)),
        Instruction(
          .binary(.multiply), inputs: [6, 5], outputs: [4],
          location: SourceLocation(file: "Model/Loss.swift", line: 4)),
      ],
      outputs: [4])
    program.memoryPlan = MemoryPlan(
      buffer: [nil, nil, nil, 0, 1, nil, 0], bufferSizes: [8, 1], peakBytes: 36, naiveBytes: 44)
    return program
  }

  /// A forward chain of `count` matrix products (with a relu after every
  /// other one, fused into the product), traced with `compile`.
  static func chainProgram(count: Int) throws -> Program {
    let w = Tensor.normal([4, 4])
    let f = compile { xs in
      var h = xs[0]
      for k in 0..<count { h = k % 2 == 0 ? relu(matmul(h, w)) : matmul(h, w) }
      return [h]
    }
    return try f.program(for: [[4, 4]])
  }

  /// `copies` of `program` in one, each reading its own inputs and
  /// parameters (renamed `copy3/…`): a large program with every section.
  static func repeated(_ program: Program, copies: Int) -> Program {
    var result = Program()
    for copy in 0..<copies {
      let offset = result.values.count
      result.values += program.values.map { value in
        var value = value
        if !value.name.isEmpty { value.name = "copy\(copy)/" + value.name }
        return value
      }
      result.instructions += program.instructions.map { instruction in
        var instruction = instruction
        instruction.inputs = instruction.inputs.map { $0 + offset }
        instruction.outputs = instruction.outputs.map { $0 + offset }
        return instruction
      }
      result.outputs += program.outputs.map { $0 + offset }
    }
    return result
  }
}
