import Testing

@testable import Micrograd

@Suite struct ReductionFusionTests {
  @Test func sumOfProductIsOneInstruction() throws {
    var random = TestRandom(seed: 31)
    let f = { (xs: [Tensor]) -> [Tensor] in [(xs[0] * xs[1]).sum()] }
    let lowered = try lowerForward([[5, 3], [5, 3]], f)
    #expect(instructionLines(lowered.program) == ["%2 = mul %0, %1 : f32[5,3]", "%3 = sum[axes=0,1] %2 : f32[]"])
    let after = applying([ReductionFusion()], to: lowered)
    #expect(instructionLines(after.program) == ["%3 = fused{$2 = mul($0, $1) -> sum[axes=0,1]($2)} %0, %1 : f32[]"])
    #expect(after.program.instructions[0].notes.first == "fused mul into sum")
    let xs = [random.tensor([5, 3], requiresGrad: false), random.tensor([5, 3], requiresGrad: false)]
    let terms = zip(xs[0].scalars, xs[1].scalars).map { $0 * $1 }
    expectSumClose(
      try execute(after, xs)[0].item(), f(xs)[0].item(), terms: 15,
      magnitude: terms.map(abs).reduce(0, +))
  }

  @Test func meanSquaredErrorFusesTheChainIntoTheSum() throws {
    var random = TestRandom(seed: 32)
    let f = { (xs: [Tensor]) -> [Tensor] in
      let d = xs[0] - xs[1]
      return [(d * d).sum() * (1 / 12)]
    }
    let lowered = try lowerForward([[4, 3], [3]], f)
    let after = applying(fusionPasses, to: lowered)
    #expect(
      instructionLines(after.program) == [
        "%4 = fused{$2 = sub($0, $1); $3 = mul($2, $2) -> sum[axes=0,1]($3)} %0, %1 : f32[]",
        "%6 = mul %4, %5 : f32[]",
      ])
    #expect(after.program.instructions[0].notes.first == "fused sub+mul into sum")
    let xs = [random.tensor([4, 3], requiresGrad: false), random.tensor([3], requiresGrad: false)]
    let d = (xs[0] - xs[1]).scalars
    expectSumClose(
      try execute(after, xs)[0].item(), f(xs)[0].item(), terms: 12,
      magnitude: d.map { $0 * $0 }.reduce(0, +) / 12)
  }

  @Test func intermediateReadElsewhereIsNotFused() throws {
    let w = Tensor.ones([3, 2])
    let lowered = try lowerForward([[5, 3]]) { xs in
      let r = relu(xs[0])
      return [r.sum(axis: 1), matmul(r, w)]
    }
    let after = applying([ElementwiseFusion(), ReductionFusion()], to: lowered)
    let sum = try #require(after.program.instructions.first { $0.operation.name == "sum" })
    #expect(sum.notes == ["not fused with %1: %1 is also read by %4 (matmul)"])
    let output = try lowerForward([[5, 3]]) { xs in
      let r = relu(xs[0])
      return [r.sum(), r]
    }
    let kept = applying([ReductionFusion()], to: output)
    #expect(kept.program.instructions.last?.notes == ["not fused with %1: %1 is a program output"])
  }

  @Test func otherOutputsOfTheKernelStay() throws {
    var random = TestRandom(seed: 33)
    // a is read by the second result; relu(a) only by the sum.
    let f = { (xs: [Tensor]) -> [Tensor] in
      let a = xs[0] * xs[1]
      return [relu(a).sum(axis: 0), a]
    }
    let lowered = try lowerForward([[6, 4], [4]], f)
    let after = applying(fusionPasses, to: lowered)
    #expect(after.program.instructions.count == 1)
    let instruction = after.program.instructions[0]
    #expect(Program.spelling(instruction.operation) == "fused{$2 = mul($0, $1); $3 = relu($2) -> sum[axes=0]($3), $2}")
    let xs = [random.tensor([6, 4], requiresGrad: false), random.tensor([4], requiresGrad: false)]
    let results = try execute(after, xs)
    let eager = f(xs)
    expectIdentical(results[1], eager[1])
    let terms = relu(eager[1]).scalars
    for column in 0..<4 {
      let magnitude = (0..<6).map { abs(terms[$0 * 4 + column]) }.reduce(0, +)
      expectSumClose(results[0].scalars[column], eager[0].scalars[column], terms: 6, magnitude: magnitude)
    }
  }

  /// Every pattern of reduced axes over a broadcast kernel, against eager
  /// sums, on shapes that cross blocks and hold size-1 axes.
  @Test(arguments: [[0], [1], [2], [0, 1], [1, 2], [0, 2], [0, 1, 2]])
  func axesPatterns(_ axes: [Int]) throws {
    var random = TestRandom(seed: 34 + UInt64(axes.reduce(0) { $0 * 3 + $1 + 1 }))
    for shapes in [
      [Shape([3, 1, 200]), Shape([1, 5, 200])], [Shape([7, 1, 1]), Shape([1])], [Shape([2, 3, 300]), Shape([300])],
    ] {
      let f = { (xs: [Tensor]) -> [Tensor] in [relu(xs[0] * xs[1] - xs[1]).sum(axes: axes)] }
      let lowered = try lowerForward(shapes, f)
      let after = applying(fusionPasses, to: lowered)
      #expect(after.program.instructions.map(\.operation.name) == ["fused+sum"])
      let xs = shapes.map { random.tensor($0, requiresGrad: false) }
      let result = try execute(after, xs)[0]
      let eager = f(xs)[0]
      // The terms, and each output's share of them, from the unreduced eager value.
      let full = relu(xs[0] * xs[1] - xs[1])
      let magnitudes = Tensor(full.scalars.map(abs), shape: full.shape).sum(axes: axes).scalars
      let terms = full.count / max(eager.count, 1)
      #expect(result.shape == eager.shape)
      for i in 0..<eager.count {
        expectSumClose(result.scalars[i], eager.scalars[i], terms: terms, magnitude: magnitudes[i], "\(shapes) \(axes)")
      }
    }
  }

  /// A max reduction, built by hand (no public max op yet), against the
  /// eager reduction kernel over the stored intermediate; max does not
  /// round, so any order gives the same value.
  @Test func maxReduction() throws {
    var random = TestRandom(seed: 35)
    let values = [
      Value(shape: [4, 5], role: .input, name: "x"), Value(shape: [5], role: .input, name: "y"),
      Value(shape: [4, 5], role: .temporary), Value(shape: [4, 1], role: .temporary),
    ]
    let program = Program(
      values: values,
      instructions: [
        Instruction(.binary(.multiply), inputs: [0, 1], outputs: [2]),
        Instruction(.reduce(.max, axes: [1]), inputs: [2], outputs: [3]),
      ], outputs: [3])
    let lowered = LoweredProgram(program: program, bindings: [:])
    let after = applying([ReductionFusion()], to: lowered)
    #expect(instructionLines(after.program) == ["%3 = fused{$2 = mul($0, $1) -> max[axes=1]($2)} %0, %1 : f32[4,1]"])
    let xs = [random.tensor([4, 5], requiresGrad: false), random.tensor([5], requiresGrad: false)]
    expectIdentical(try execute(after, xs)[0], try execute(lowered, xs)[0])
  }
}
