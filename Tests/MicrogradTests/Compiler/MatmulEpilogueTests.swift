import Testing

@testable import Micrograd

@Suite struct MatmulEpilogueTests {
  @Test func biasAndReluRunAfterTheProduct() throws {
    var random = TestRandom(seed: 21)
    let (w, b) = (random.tensor([4, 3], requiresGrad: false), random.tensor([3], requiresGrad: false))
    let f = { (xs: [Tensor]) -> [Tensor] in [relu(matmul(xs[0], w) + b)] }
    let lowered = try lowerForward([[5, 4]], f)
    let before = applying([ElementwiseFusion()], to: lowered)
    #expect(
      instructionLines(before.program) == [
        "%2 = matmul %0, %1 : f32[5,3]", "%5 = fused{$2 = add($0, $1); $3 = relu($2) -> $3} %2, %3 : f32[5,3]",
      ])
    let after = applying([MatmulEpilogue()], to: before)
    #expect(
      instructionLines(after.program) == [
        "%5 = matmul+fused{$2 = add($0, $1); $3 = relu($2) -> $3} %0, %1, %3 : f32[5,3]"
      ])
    let epilogue = after.program.instructions[0]
    // The elementwise pass's "producer is matmul" note is gone: it now is fused.
    #expect(epilogue.notes.first == "fused matmul+add+relu")
    #expect(!epilogue.notes.contains { $0.hasPrefix("not fused with %2") })
    #expect(epilogue.location == lowered.program.instructions[0].location)
    let x = random.tensor([5, 4], requiresGrad: false)
    expectIdentical(try execute(after, [x])[0], f([x])[0])
  }

  @Test func productMovesToRegisterZeroAndTransposesStay() throws {
    var random = TestRandom(seed: 22)
    let (w, b) = (random.tensor([3, 4], requiresGrad: false), random.tensor([5, 1], requiresGrad: false))
    // The product is the second operand of the reader, and b is a column.
    let f = { (xs: [Tensor]) -> [Tensor] in [b - matmul(xs[0], w, transposeB: true)] }
    let lowered = try lowerForward([[5, 4]], f)
    let after = applying([ElementwiseFusion(), MatmulEpilogue()], to: lowered)
    #expect(instructionLines(after.program) == ["%4 = matmul.nt+fused{$2 = sub($1, $0) -> $2} %0, %2, %1 : f32[5,3]"])
    let x = random.tensor([5, 4], requiresGrad: false)
    expectIdentical(try execute(after, [x])[0], f([x])[0])
  }

  @Test func batchedProductWithSeveralOutputs() throws {
    var random = TestRandom(seed: 23)
    let (w, b) = (random.tensor([4, 6], requiresGrad: false), random.tensor([6], requiresGrad: false))
    // The pre-activation is returned too: it is a second output, written
    // after the block that reads the product in place.
    let f = { (xs: [Tensor]) -> [Tensor] in
      let z = matmul(xs[0], w) + b
      return [relu(z), z]
    }
    let lowered = try lowerForward([[2, 3, 4]], f)
    let after = applying(fusionPasses, to: lowered)
    #expect(after.program.instructions.count == 1)
    #expect(after.program.instructions[0].outputs.count == 2)
    let x = random.tensor([2, 3, 4], requiresGrad: false)
    for (compiled, eager) in zip(try execute(after, [x]), f([x])) { expectIdentical(compiled, eager) }
  }

  @Test func refusalsAreNotedOnTheMatmul() throws {
    var random = TestRandom(seed: 24)
    let (w, v) = (random.tensor([4, 3], requiresGrad: false), random.tensor([4, 1], requiresGrad: false))
    let f = { (xs: [Tensor]) -> [Tensor] in
      let read = matmul(xs[0], w)
      let column = matmul(xs[0], v)
      return [relu(read) + read.sum(axis: 0), column + xs[1], matmul(xs[0], w)]
    }
    let lowered = try lowerForward([[5, 4], [5, 3]], f)
    let after = applying([ElementwiseFusion(), MatmulEpilogue()], to: lowered)
    expectWellFormed(after.program)
    let notes = after.program.instructions.filter { $0.operation.name == "matmul" }.flatMap(\.notes)
    #expect(notes.count == 3)
    #expect(notes.contains { $0.hasSuffix("is read by 2 instructions") })
    #expect(notes.contains { $0.hasSuffix("kernel f32[5,3] is larger than the product f32[5,1]") })
    #expect(notes.contains { $0.hasSuffix("is a program output") })
    let xs = [random.tensor([5, 4], requiresGrad: false), random.tensor([5, 3], requiresGrad: false)]
    for (compiled, eager) in zip(try execute(after, xs), f(xs)) { expectIdentical(compiled, eager) }
  }

  @Test func reluBackwardMaskBecomesAnEpilogue() throws {
    var random = TestRandom(seed: 25)
    let (w1, w2) = (random.tensor([3, 8]), random.tensor([8, 2]))
    let lowered = try lowerValueAndGrad([[6, 3]], withRespectTo: [w1, w2]) { xs in
      matmul(relu(matmul(xs[0], w1)), w2).sum()
    }
    let after = applying(fusionPasses, to: lowered)
    expectWellFormed(after.program)
    let backward = after.program.instructions.filter { $0.section == .backward }
    // dL/dh · (h > 0) runs over the product dL/dy · w2ᵀ as its epilogue.
    #expect(backward.contains { Program.spelling($0.operation).hasPrefix("matmul.nt+fused{") })
    let x = random.tensor([6, 3], requiresGrad: false)
    let results = try execute(after, [x])
    let loss = matmul(relu(matmul(x, w1)), w2).sum()
    loss.backward()
    // The loss is a plain sum in both (no fused reduction here): exact.
    expectIdentical(results[0], loss)
    expectIdentical(results[1], w1.grad!)
    expectIdentical(results[2], w2.grad!)
  }
}
