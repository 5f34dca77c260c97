import Testing

@testable import Micrograd

@Suite struct ElementwiseFusionTests {
  @Test func chainBecomesOneKernel() throws {
    var random = TestRandom(seed: 11)
    let b = random.tensor([3], requiresGrad: false)
    let lowered = try lowerForward([[5, 3]]) { xs in [relu(xs[0] + b) * 2] }
    #expect(
      instructionLines(lowered.program) == [
        "%2 = add %0, %1 : f32[5,3]", "%3 = relu %2 : f32[5,3]",
        "%5 = mul %3, %4 : f32[5,3]",
      ])
    let fused = applying([ElementwiseFusion()], to: lowered)
    #expect(
      instructionLines(fused.program) == [
        "%5 = fused{$3 = add($0, $1); $4 = relu($3); $5 = mul($4, $2) -> $5} %0, %1, %4 : f32[5,3]"
      ])
    let instruction = fused.program.instructions[0]
    #expect(instruction.notes.first == "fused add+relu+mul")
    #expect(instruction.location == lowered.program.instructions[0].location)
    let x = random.tensor([5, 3], requiresGrad: false)
    expectIdentical(try execute(fused, [x])[0], relu(x + b) * 2)
  }

  @Test func dagWithValuesReadOutsideHasSeveralOutputs() throws {
    var random = TestRandom(seed: 12)
    // a feeds two members and is a program output; c is read by a sum.
    let f = { (xs: [Tensor]) -> [Tensor] in
      let a = xs[0] * xs[1]
      let c = relu(a) - a
      return [c.sum(), a, c * xs[1]]
    }
    let lowered = try lowerForward([[4, 6], [4, 6]], f)
    let fused = applying([ElementwiseFusion()], to: lowered)
    expectWellFormed(fused.program)
    #expect(count("fused", in: fused.program) == 1)
    let kernel = try #require(fused.program.instructions.first { $0.operation.name == "fused" })
    // a (a program output) and c (read by the sum) leave the kernel with the final product.
    #expect(kernel.outputs.count == 3)
    #expect(kernel.notes.first == "fused mul+relu+sub+mul")
    let xs = [random.tensor([4, 6], requiresGrad: false), random.tensor([4, 6], requiresGrad: false)]
    for (compiled, eager) in zip(try execute(fused, xs), f(xs)) { expectIdentical(compiled, eager) }
  }

  @Test func shapeChangeIsNotedAndNotFused() throws {
    let lowered = try lowerForward([[5, 1], [5, 3]]) { xs in [(xs[0] * 2) + xs[1]] }
    let fused = applying([ElementwiseFusion()], to: lowered)
    #expect(count("fused", in: fused.program) == 0)
    let add = try #require(fused.program.instructions.last)
    #expect(add.notes == ["not fused with %3: shape f32[5,1] differs from kernel f32[5,3]"])
  }

  @Test func nonElementwiseProducerIsNoted() throws {
    var random = TestRandom(seed: 13)
    let w = random.tensor([4, 3], requiresGrad: false)
    let lowered = try lowerForward([[5, 4]]) { xs in [relu(matmul(xs[0], w))] }
    let fused = applying([ElementwiseFusion()], to: lowered)
    #expect(fused.program.instructions.last?.notes == ["not fused with %2: producer is matmul"])
  }

  @Test func groupThatWouldFeedAndReadAMatmulIsSplit() throws {
    var random = TestRandom(seed: 14)
    let w = random.tensor([4, 4], requiresGrad: false)
    // a and b form a group; c reads b and a matmul of b: fusing c in would
    // make the kernel both feed and read the matmul.
    let f = { (xs: [Tensor]) -> [Tensor] in
      let a = relu(xs[0])
      let b = -a
      return [b * matmul(b, w)]
    }
    let lowered = try lowerForward([[4, 4]], f)
    let fused = applying([ElementwiseFusion()], to: lowered)
    expectWellFormed(fused.program)
    #expect(
      instructionLines(fused.program) == [
        "%2 = fused{$1 = relu($0); $2 = neg($1) -> $2} %0 : f32[4,4]",
        "%4 = matmul %2, %3 : f32[4,4]",
        "%5 = mul %2, %4 : f32[4,4]",
      ])
    #expect(
      fused.program.instructions[2].notes == [
        "not fused with %2: fusing would make a cycle through %4 (matmul)", "not fused with %4: producer is matmul",
      ])
    let x = random.tensor([4, 4], requiresGrad: false)
    expectIdentical(try execute(fused, [x])[0], f([x])[0])
  }

  @Test func groupMovesAheadOfAnOutsideReaderOfItsFirstMember() throws {
    var random = TestRandom(seed: 15)
    let w = random.tensor([3, 3], requiresGrad: false)
    // The matmul reads a, made by the group's first member, and sits between
    // the group's members: the fused kernel must come before it.
    let f = { (xs: [Tensor]) -> [Tensor] in
      let a = xs[0] + 1
      let m = matmul(a, w)
      return [m, relu(a) * 3]
    }
    let lowered = try lowerForward([[3, 3]], f)
    let fused = applying([ElementwiseFusion()], to: lowered)
    expectWellFormed(fused.program)
    #expect(fused.program.instructions.map(\.operation.name) == ["fused", "matmul"])
    let x = random.tensor([3, 3], requiresGrad: false)
    for (compiled, eager) in zip(try execute(fused, [x]), f([x])) { expectIdentical(compiled, eager) }
  }

  @Test func sectionsAreNotMixed() throws {
    var random = TestRandom(seed: 16)
    let w = random.tensor([3, 2])
    let lowered = try lowerValueAndGrad([[4, 3]], withRespectTo: [w]) { xs in relu(matmul(xs[0], w) * 2).sum() }
    let fused = applying([ElementwiseFusion()], to: lowered)
    expectWellFormed(fused.program)
    // The backward mask gt(%4, 0) reads the forward mul: it stays in backward,
    // fused with the backward mul, and says why the forward mul was not taken.
    let mask = try #require(
      fused.program.instructions.first { $0.section == .backward && $0.operation.name == "fused" })
    #expect(mask.notes.contains { $0.hasSuffix("producer is in forward, this in backward") })
    for instruction in fused.program.instructions where instruction.operation.name == "fused" {
      #expect(instruction.notes.first?.hasPrefix("fused ") == true)
    }
  }

  @Test func selectAndComparisonsFuse() throws {
    var random = TestRandom(seed: 17)
    // xs[1] * 0.5 has shape [5]: it is read by the kernel, not fused into it.
    let f = { (xs: [Tensor]) -> [Tensor] in [select(xs[0] .> xs[1], xs[0] - xs[1], xs[1] * 0.5) * xs[0]] }
    let lowered = try lowerForward([[2, 5], [5]], f)
    let fused = applying([ElementwiseFusion()], to: lowered)
    #expect(fused.program.instructions.map(\.operation.name) == ["mul", "fused"])
    #expect(fused.program.instructions[1].notes.first == "fused gt+sub+select+mul")
    #expect(fused.program.instructions[1].notes.contains { $0.hasSuffix("shape f32[5] differs from kernel f32[2,5]") })
    let xs = [random.tensor([2, 5], requiresGrad: false), random.tensor([5], requiresGrad: false)]
    expectIdentical(try execute(fused, xs)[0], f(xs)[0])
  }
}
