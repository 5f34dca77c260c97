import Testing

@testable import Micrograd

@Suite struct CompilerPipelineTests {
  @Test func passesRunInOrder() {
    #expect(
      Compiler.passes.map(\.name) == [
        "simplify", "cse", "dce", "elementwise-fusion", "matmul-epilogue", "sgd-product", "reduction-fusion",
        "forward-backward-fusion", "schedule", "memory-plan",
      ])
  }

  /// Compiled value and gradients equal eager ones bit for bit (up to the
  /// sign of zero; see ``expectSameValues(_:_:_:sourceLocation:)``): every
  /// pass keeps each value's arithmetic, and folding runs the eager kernels.
  @Test(arguments: [1, 5, 64])
  func valueAndGradOfAnMLPMatchesEager(batch: Int) throws {
    let mlp = SmallMLP(seed: 20 + UInt64(batch), batch: batch)
    let step = compileValueAndGrad(withRespectTo: mlp.parameters, names: ["w1", "b1", "w2", "b2"], mlp.loss)
    let compiled = try step(mlp.x, mlp.y)
    expectSameValues(compiled, mlp.eager())
    let program = try step.program(for: [mlp.x.shape, mlp.y.shape])
    let lowered = try mlp.lowered().program
    expectWellFormed(program)
    #expect(program.instructions.count < lowered.instructions.count)
    #expect(program.count("expand") == 0)
    #expect(Schedule.peakLiveBytes(program) <= Schedule.peakLiveBytes(lowered))
  }

  @Test func observeSeesEveryPass() throws {
    let mlp = SmallMLP(seed: 30)
    var graph = TracedGraph()
    graph.parameters = mlp.parameters.enumerated().map { ("p\($0.offset)", $0.element) }
    let site = CallSite(#fileID, #line)
    let loss = Trace.record {
      let inputs = [mlp.x.shape, mlp.y.shape].map { Trace.input($0, site: site) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      return mlp.loss(inputs)
    }
    graph.outputs = [("loss", loss)]
    graph.forwardRoots = [loss]
    var seen: [(String, Int)] = []
    let lowered = try Compiler.compile(graph) { name, program in seen.append((name, program.instructions.count)) }
    #expect(
      seen.map(\.0) == [
        "lowering", "simplify", "cse", "dce", "elementwise-fusion", "matmul-epilogue", "sgd-product",
        "reduction-fusion",
        "forward-backward-fusion", "schedule", "memory-plan",
      ])
    #expect(seen.last!.1 == lowered.program.instructions.count)
  }
}
