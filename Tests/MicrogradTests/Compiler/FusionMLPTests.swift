import Testing

@testable import Micrograd

/// Fusion on a training step: the value and gradients of a 2-16-16-1 relu
/// MLP under a hinge loss, `mean(relu(1 - y · score))`.
@Suite struct FusionMLPTests {
  struct MLP {
    var parameters: [Tensor]

    init(seed: UInt64) {
      var random = TestRandom(seed: seed)
      parameters = [[2, 16], [16], [16, 16], [16], [16, 1], [1]].map { random.tensor(Shape($0), -1, 1) }
    }

    func loss(_ x: Tensor, _ y: Tensor) -> Tensor {
      let p = parameters
      let h1 = relu(matmul(x, p[0]) + p[1])
      let h2 = relu(matmul(h1, p[2]) + p[3])
      let score = matmul(h2, p[4]) + p[5]
      return relu(1 - y * score).sum() * (1 / Float(x.shape[0]))
    }
  }

  @Test func kernelsPerStep() throws {
    let mlp = MLP(seed: 61)
    let lowered = try lowerValueAndGrad([[8, 2], [8, 1]], withRespectTo: mlp.parameters) { mlp.loss($0[0], $0[1]) }
    var program = lowered
    var counts = ["lowering: \(lowered.program.instructions.count)"]
    for pass in fusionPasses {
      pass.run(&program.program)
      counts.append("\(pass.name): \(program.program.instructions.count)")
    }
    let elementwise = lowered.program.instructions.filter { $0.operation.isElementwise }.count
    print("MLP step instructions: " + counts.joined(separator: ", ") + " (\(elementwise) elementwise before)")
    let after = program.program
    expectWellFormed(after)
    let forward = after.instructions.filter { $0.section == .forward }
    // Each layer is one gemm with its bias (and relu, and for the last the
    // hinge's elementwise part) as epilogue; then the sum and the mean's scale.
    #expect(forward.map(\.operation.name) == ["matmul+fused", "matmul+fused", "matmul+fused", "sum", "mul"])
    // Backward: the two relu masks ride on the gemms that make their
    // gradients; nothing elementwise is left unfused there.
    let backward = after.instructions.filter { $0.section == .backward }
    #expect(backward.filter { $0.operation.name == "matmul+fused" }.count == 2)
    #expect(!backward.contains { $0.operation.isElementwise && $0.operation != .binary(.multiply) })
    // 35 instructions after lowering (18 elementwise, 8 matmuls) become 20.
    #expect(after.instructions.count < lowered.program.instructions.count)
  }

  @Test func compiledStepEqualsEager() throws {
    let mlp = MLP(seed: 62)
    var random = TestRandom(seed: 63)
    let x = random.tensor([8, 2], requiresGrad: false)
    let y = Tensor((0..<8).map { $0 % 2 == 0 ? 1 : -1 }, shape: [8, 1])
    let step = compileValueAndGrad(withRespectTo: mlp.parameters) { mlp.loss($0[0], $0[1]) }
    let program = try step.program(for: [[8, 2], [8, 1]])
    #expect(program.instructions.contains { $0.operation.name == "matmul+fused" })
    let results = try step(x, y)
    let loss = mlp.loss(x, y)
    loss.backward()
    // Elementwise kernels keep each element's op order and the gemms are the
    // same calls, so values and gradients are exact; the loss's sum is the
    // one reduction, checked with the reordering bound.
    let margins = relu(
      1 - y
        * (matmul(
          relu(
            matmul(
              relu(matmul(x, mlp.parameters[0]) + mlp.parameters[1]),
              mlp.parameters[2]) + mlp.parameters[3]), mlp.parameters[4]) + mlp.parameters[5]))
    expectSumClose(results[0].item(), loss.item(), terms: 8, magnitude: margins.scalars.reduce(0, +) / 8, "loss")
    for (k, parameter) in mlp.parameters.enumerated() {
      expectIdentical(results[k + 1], parameter.grad!, "grad \(k)")
    }
  }
}
