import Testing

@testable import Micrograd

/// Random graphs compiled with the passes give the eager results.
///
/// Tolerance: none beyond the sign of zero, NaN matching NaN (see
/// ``expectSameValues(_:_:_:sourceLocation:)``). Eager and compiled runs use
/// the same kernels on the same operands in the same order; the passes only
/// drop, share, reorder or fold instructions (folding runs those kernels at
/// compile time), or replace an op by an operand it provably returns. So a
/// difference of even one ulp is a bug, and the test says which graph.
@Suite struct PassRandomGraphTests {
  static let graphCount = 200

  @Test func randomGraphsMatchEagerWithEachPassAndAll() throws {
    let configurations: [(String, [any Pass])] = [
      ("none", []), ("simplify", [Simplify()]), ("cse", [CommonSubexpressionElimination()]),
      ("dce", [DeadCodeElimination()]), ("schedule", [Schedule()]), ("all", Compiler.passes),
    ]
    var instructions = (lowered: 0, optimised: 0)
    var peak = (lowered: 0, optimised: 0)
    var folded = 0
    for seed in 0..<UInt64(Self.graphCount) {
      let graph = PassRandomGraph(seed: seed)
      let eagerLoss = graph.loss(graph.inputs)
      let eager = [eagerLoss] + grad(of: eagerLoss, withRespectTo: graph.parameters)
      let eagerForward = noGrad { graph.forward(graph.inputs) }
      let shapes = graph.inputs.map(\.shape)
      let valueAndGrad = try lowerValueAndGrad(graph.parameters, shapes: shapes, graph.loss)
      let forward = try lowerForward(shapes: shapes, graph.forward)
      for (name, passes) in configurations {
        for (lowered, expected, kind) in [(valueAndGrad, eager, "value and grad"), (forward, eagerForward, "forward")] {
          let program = lowered.program.after(passes)
          expectWellFormed(program)
          let results = try run(program, bound: lowered, graph.inputs)
          expectSameValues(results, expected, "graph \(seed) \(kind) with \(name)")
        }
      }
      try expectTrainingStepsMatchEager(graph, eager, configurations, seed: seed)
      let optimised = valueAndGrad.program.after(Compiler.passes)
      instructions.lowered += valueAndGrad.program.instructions.count
      instructions.optimised += optimised.instructions.count
      peak.lowered += Schedule.peakLiveBytes(valueAndGrad.program)
      peak.optimised += Schedule.peakLiveBytes(optimised)
      folded += optimised.values.count - valueAndGrad.program.values.count
    }
    // The graphs give the passes work to do (so this test is not vacuous).
    #expect(instructions.optimised < instructions.lowered * 9 / 10, "\(instructions)")
    #expect(peak.optimised <= peak.lowered, "\(peak)")
    #expect(folded > 0)
  }

  /// A training step (outputs, then SGD updates written into the parameters
  /// by `assign`) gives the eager loss, gradients and updated parameters.
  func expectTrainingStepsMatchEager(
    _ graph: PassRandomGraph, _ eager: [Tensor], _ configurations: [(String, [any Pass])], seed: UInt64
  ) throws {
    let rate: Float = 0.1
    let updated = zip(graph.parameters, eager.dropFirst()).map { $0 - rate * $1 }
    let lowered = try lowerTrainingStep(graph.parameters, shapes: graph.inputs.map(\.shape), rate: rate, graph.loss)
    #expect(lowered.program.count("assign") == graph.parameters.count)
    for (name, passes) in configurations {
      let program = lowered.program.after(passes)
      expectWellFormed(program)
      // Fresh copies of the parameters for each run: the step updates them.
      var bindings = lowered.bindings
      var copies: [Tensor] = []
      for id in program.values(where: { $0 == .parameter }) {
        copies.append(Tensor(bindings[id]!.scalars, shape: bindings[id]!.shape))
        bindings[id] = copies.last
      }
      let results = try run(program, bindings: bindings, graph.inputs)
      expectSameValues(results + copies, eager + updated, "graph \(seed) training step with \(name)")
    }
  }

  @Test func theCompileEntryPointsMatchEager() throws {
    for seed in 0..<UInt64(Self.graphCount) {
      let graph = PassRandomGraph(seed: seed)
      let eagerLoss = graph.loss(graph.inputs)
      let eager = [eagerLoss] + grad(of: eagerLoss, withRespectTo: graph.parameters)
      let step = compileValueAndGrad(withRespectTo: graph.parameters, graph.loss)
      expectSameValues(try step.call(graph.inputs), eager, "graph \(seed) value and grad")
      let forward = compile(graph.forward)
      expectSameValues(try forward.call(graph.inputs), noGrad { graph.forward(graph.inputs) }, "graph \(seed) forward")
    }
  }
}
