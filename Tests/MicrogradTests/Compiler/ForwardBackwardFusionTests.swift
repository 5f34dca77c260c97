import Testing

@testable import Micrograd

@Suite struct ForwardBackwardFusionTests {
  static var passes: [any Pass] {
    [Simplify(), CommonSubexpressionElimination(), DeadCodeElimination()] + fusionPasses + [ForwardBackwardFusion()]
  }

  /// The value and gradient of `sum(tanh(1.5·x + 0.5)·sigmoid(x) + x·x)`
  /// (issue 6's B3): the backward kernel joins the forward one, which then
  /// stores the gradient and none of the forward values it stored before.
  @Test func elementwiseValueAndGradIsOnePass() throws {
    var random = TestRandom(seed: 61)
    let x = random.tensor([5, 7])
    let f = { (_: [Tensor]) -> Tensor in (tanh(1.5 * x + 0.5) * sigmoid(x) + x * x).sum() }
    let lowered = try lowerValueAndGrad([], withRespectTo: [x], f)
    let before = applying(Self.passes.dropLast(), to: lowered)
    #expect(before.program.instructions.map(\.section) == [.forward, .backward])
    let stored = before.program.instructions[0].outputs.count
    let after = applying(Self.passes, to: lowered)
    expectWellFormed(after.program)
    #expect(after.program.instructions.count == 1)
    let merged = after.program.instructions[0]
    #expect(merged.operation.name == "fused+sum")
    #expect(merged.section == .forward)
    #expect(stored == 4)
    #expect(merged.outputs == after.program.outputs)
    let note = try #require(merged.notes.first)
    #expect(note.hasPrefix("fused mul+add+tanh+sigmoid+mul+mul+add into sum and the backward "))
    #expect(note.hasSuffix("of %\(after.program.outputs[1]): one pass"))
    #expect(!merged.notes.contains { $0.contains("producer is in forward") })
    expectSameValues(try execute(after, []), try execute(before, []))
    let eager = x.detach()
    eager.requiresGrad = true
    let loss = (tanh(1.5 * eager + 0.5) * sigmoid(eager) + eager * eager).sum()
    loss.backward()
    expectSameValues(try execute(after, []), [loss.detach(), eager.grad!])
  }

  /// Large enough for the sum to split across the cores: still equal to eager.
  @Test func largeMergedKernelMatchesEager() throws {
    var generator = RandomGenerator(seed: 62)
    let x = Tensor.uniform([1 << 17], low: -3, high: 3, requiresGrad: true, generator: &generator)
    let f = compileValueAndGrad(withRespectTo: [x]) { _ in (tanh(x) * x - sigmoid(2 * x)).sum() }
    let program = try f.program(for: [])
    #expect(program.instructions.count == 1)
    let loss = (tanh(x) * x - sigmoid(2 * x)).sum()
    loss.backward()
    expectSameValues(try f(), [loss.detach(), x.grad!])
  }

  /// A backward kernel reading the loss (here through a scale applied to the
  /// gradient seed) cannot join: the loss is only known once the forward
  /// kernel is done.
  @Test func backwardReadingTheReductionStaysApart() throws {
    var random = TestRandom(seed: 63)
    let x = random.tensor([6])
    let lowered = try lowerValueAndGrad([], withRespectTo: [x]) { _ in
      let s = (x * x).sum()
      return s * s
    }
    let after = applying(Self.passes, to: lowered)
    expectWellFormed(after.program)
    #expect(after.program.instructions.contains { $0.section == .backward })
    let eager = x.detach()
    eager.requiresGrad = true
    let s = (eager * eager).sum()
    (s * s).backward()
    expectSameValues(try execute(after, []), [(s * s).detach(), eager.grad!])
  }

  /// A backward kernel reading something made after the forward kernel (a
  /// matmul's gradient) stays in place: joining would read it too early.
  @Test func backwardReadingLaterValuesStaysApart() throws {
    let mlp = SmallMLP(seed: 64)
    let lowered = try mlp.lowered()
    let before = applying(Self.passes.dropLast(), to: lowered)
    let after = applying(Self.passes, to: lowered)
    expectWellFormed(after.program)
    #expect(after.program.instructions.count == before.program.instructions.count)
    expectSameValues(try execute(after, [mlp.x, mlp.y]), mlp.eager())
  }
}
