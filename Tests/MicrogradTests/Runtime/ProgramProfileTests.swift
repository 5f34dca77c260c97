import Testing

@testable import Micrograd

/// Per-instruction timing of compiled programs.
@Suite struct ProgramProfileTests {
  /// Every instruction gets a time; the table lists each once, slowest first.
  @Test func everyInstructionIsTimedAndListed() throws {
    var generator = RandomGenerator(seed: 61)
    let w = Tensor.normal([64, 32], generator: &generator)
    let f = compile { xs in [relu(matmul(xs[0], w)).sum(), xs[0] * 2] }
    let x = Tensor.normal([16, 64], generator: &generator)
    let profile = try f.profile(x, runs: 4)
    let program = try f.program(for: [x.shape])
    #expect(profile.runs == 4)
    #expect(profile.program == program)
    #expect(profile.seconds.count == program.instructions.count)
    #expect(profile.seconds.allSatisfy { $0 >= 0 })
    #expect(profile.total > 0)
    let byOperation = profile.byOperation
    #expect(Set(byOperation.map(\.operation)) == Set(program.instructions.map(\.operation.name)))
    #expect(abs(byOperation.map(\.seconds).reduce(0, +) - profile.total) <= 1e-12)
    #expect(zip(byOperation, byOperation.dropFirst()).allSatisfy { $0.seconds >= $1.seconds })
    let lines = profile.description.split(separator: "\n")
    #expect(lines.count == 3 + program.instructions.count + byOperation.count)
    #expect(lines[0].hasPrefix("# \(program.instructions.count) instructions, mean of 4 runs"))
    let listed = lines[2..<(2 + program.instructions.count)]
    for instruction in program.instructions {
      let spelled = Program.spelling(instruction.operation) + " "
      #expect(listed.contains { $0.contains(spelled) }, "\(spelled) not listed")
    }
    // Slowest first: the shares never grow down the list.
    let shares = listed.map { Double($0.split(separator: "%")[0].trimmingCharacters(in: .whitespaces))! }
    #expect(zip(shares, shares.dropFirst()).allSatisfy { $0 >= $1 })
  }

  /// Profiling computes what running does: a profiled training step
  /// updates the parameters exactly as the same number of ordinary steps.
  @Test func profiledStepsAreRealSteps() throws {
    func setup() -> (MLP, TrainingStep) {
      var generator = RandomGenerator(seed: 62)
      let model = MLP(3, [8, 2], generator: &generator)
      let step = try! compile(model, optimizer: Adam(model.parameters(), lr: 0.01)) { x, y in
        crossEntropy(model(x), y)
      }
      return (model, step)
    }
    var generator = RandomGenerator(seed: 63)
    let x = Tensor.normal([10, 3], generator: &generator)
    let y = Tensor((0..<10).map { Float($0 % 2) })
    let (profiledModel, profiledStep) = setup()
    let (steppedModel, steppedStep) = setup()
    let profile = try profiledStep.profile(x, y, runs: 3)
    for _ in 0..<3 { try steppedStep(x, y) }
    #expect(profile.program.instructions.contains { $0.section == .update })
    for (p, q) in zip(profiledModel.parameters(), steppedModel.parameters()) {
      #expect(p.scalars.map(\.bitPattern) == q.scalars.map(\.bitPattern))
    }
  }
}
