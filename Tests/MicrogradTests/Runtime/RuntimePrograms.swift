import Testing

@testable import Micrograd

/// Programs for the runtime and memory-planner tests, lowered without any
/// pass so each test chooses what runs on them.
enum RuntimePrograms {
  /// A two-layer MLP's parameters (2 → hidden → 1), seeded.
  static func mlp(hidden: Int = 16, seed: UInt64 = 7) -> [Tensor] {
    var random = TestRandom(seed: seed)
    return [random.tensor([2, hidden]), random.tensor([hidden]), random.tensor([hidden, 1]), random.tensor([1])]
  }

  /// The MLP's mean squared error on `x` [n, 2] against `y` [n, 1].
  static func mlpLoss(_ parameters: [Tensor], _ x: Tensor, _ y: Tensor) -> Tensor {
    let hidden = relu(matmul(x, parameters[0]) + parameters[1])
    let error = matmul(hidden, parameters[2]) + parameters[3] - y
    return (error * error).sum() / Float(x.shape[0])
  }

  /// The value-and-grad program of `loss` for inputs of `shapes`, like
  /// ``compileValueAndGrad(withRespectTo:names:file:line:_:)`` but not compiled.
  /// With `learningRate`, also an SGD update of every parameter (assigns).
  static func valueAndGrad(
    _ parameters: [Tensor], inputShapes: [Shape], learningRate: Float? = nil, _ loss: ([Tensor]) -> Tensor
  ) throws -> LoweredProgram {
    var graph = TracedGraph()
    graph.parameters = parameters.enumerated().map { ("p\($0.offset)", $0.element) }
    let (value, grads) = Trace.record {
      let inputs = inputShapes.map { Trace.input($0, site: CallSite(#fileID, #line)) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      let value = loss(inputs)
      return (value, grad(of: value, withRespectTo: parameters, createGraph: true))
    }
    graph.outputs = [("loss", value)] + grads.enumerated().map { ("grad.p\($0.offset)", $0.element) }
    graph.forwardRoots = [value]
    graph.backwardRoots = grads
    if let learningRate {
      let updated = Trace.record { zip(parameters, grads).map { $0 - learningRate * $1 } }
      graph.updates = Array(zip(parameters, updated))
    }
    return try Lowering.lower(graph)
  }

  /// The forward program of `f` for inputs of `shapes`, not compiled.
  static func forward(inputShapes: [Shape], _ f: ([Tensor]) -> [Tensor]) throws -> LoweredProgram {
    var graph = TracedGraph()
    let outputs = Trace.record {
      let inputs = inputShapes.map { Trace.input($0, site: CallSite(#fileID, #line)) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      return f(inputs)
    }
    graph.outputs = outputs.enumerated().map { ("y\($0.offset)", $0.element) }
    graph.forwardRoots = outputs
    return try Lowering.lower(graph)
  }

  /// `lowered` with the memory plan made.
  static func planned(_ lowered: LoweredProgram) -> LoweredProgram {
    var planned = lowered
    MemoryPlanner().run(&planned.program)
    return planned
  }
}
