import Testing

@testable import Micrograd

@Suite struct CommonSubexpressionEliminationTests {
  @Test func repeatsBecomeOneAndLaterUsesAreRewired() throws {
    var b = ProgramBuilder()
    let x = b.input([5, 1])
    let g = b.input([5, 1], "g")
    let first = b.add(.binary(.multiply), [g, x], [5, 1])
    let second = b.add(.binary(.multiply), [g, x], [5, 1])
    let sum = b.add(.binary(.add), [first, second], [5, 1])
    let again = b.add(.unary(.relu), [second], [5, 1])
    let program = b.returning([sum, second, again])
    let after = program.after([CommonSubexpressionElimination()])
    #expect(
      after.instructionLines == [
        "%2 = mul %1, %0 : f32[5,1]", "%4 = add %2, %2 : f32[5,1]", "%5 = relu %2 : f32[5,1]",
      ])
    #expect(after.outputs == [sum, first, again])
    expectWellFormed(after)
    let inputs = [Tensor([1, -2, 3, 0.5, -1], shape: [5, 1]), Tensor([2, 2, -1, 4, 3], shape: [5, 1])]
    expectSameValues(try run(after, inputs), try run(program, inputs))
  }

  @Test func chainsCollapseInOneWalk() throws {
    var b = ProgramBuilder()
    let x = b.input([3])
    let a1 = b.add(.unary(.relu), [x], [3])
    let a2 = b.add(.unary(.relu), [x], [3])
    let b1 = b.add(.unary(.negate), [a1], [3])
    let b2 = b.add(.unary(.negate), [a2], [3])  // same as b1 once a2 is a1
    let c = b.add(.binary(.subtract), [b1, b2], [3])
    let after = b.returning([c]).after([CommonSubexpressionElimination()])
    #expect(after.instructionLines == ["%1 = relu %0 : f32[3]", "%3 = neg %1 : f32[3]", "%5 = sub %3, %3 : f32[3]"])
  }

  @Test func commutativeOperationsMatchInEitherOrder() throws {
    var b = ProgramBuilder()
    let x = b.input([3])
    let y = b.input([3], "y")
    var results: [ValueID] = []
    for f in [BinaryFunction.add, .multiply, .equal, .notEqual, .subtract, .divide, .maximum, .greater] {
      results.append(b.add(.binary(f), [x, y], [3]))
      results.append(b.add(.binary(f), [y, x], [3]))
    }
    let program = b.returning(results)
    let after = program.after([CommonSubexpressionElimination()])
    // add, mul, eq, ne merge; sub, div, maximum (max(0, -0) depends on order) and gt do not.
    #expect(after.instructions.count == 4 + 2 * 4)
    #expect(after.count("add") == 1 && after.count("mul") == 1 && after.count("eq") == 1)
    #expect(after.count("sub") == 2 && after.count("maximum") == 2 && after.count("gt") == 2)
    let inputs = [Tensor([0, -0.0, 2]), Tensor([-0.0, 0, 1])]
    expectSameValues(try run(after, inputs), try run(program, inputs))
  }

  @Test func sameOperationToDifferentShapesStaysApart() throws {
    var b = ProgramBuilder()
    let x = b.input([2, 3])
    let flat = b.add(.reshape, [x], [6])
    let column = b.add(.reshape, [x], [6, 1])
    let flatAgain = b.add(.reshape, [x], [6])
    let program = b.returning([flat, column, flatAgain])
    let after = program.after([CommonSubexpressionElimination()])
    #expect(after.instructionLines == ["%1 = reshape %0 : f32[6]", "%2 = reshape %0 : f32[6,1]"])
    #expect(after.outputs == [flat, column, flat])
  }

  @Test func identicalConstantsMerge() throws {
    var b = ProgramBuilder()
    let x = b.input([2])
    let one = b.constant([1, 2], [2])
    let same = b.constant([1, 2], [2])
    let otherShape = b.constant([1, 2], [2, 1])
    let zero = b.constant([0])
    let negativeZero = b.constant([-0.0])
    let m1 = b.add(.binary(.multiply), [x, one], [2])
    let m2 = b.add(.binary(.multiply), [x, same], [2])
    let m3 = b.add(.binary(.multiply), [x, otherShape], [2, 2])
    let a1 = b.add(.binary(.add), [x, zero], [2])
    let a2 = b.add(.binary(.add), [x, negativeZero], [2])
    let program = b.returning([m1, m2, m3, a1, a2])
    let after = program.after([CommonSubexpressionElimination()])
    #expect(
      after.instructionLines == [
        "%6 = mul %0, %1 : f32[2]", "%8 = mul %0, %3 : f32[2,2]", "%9 = add %0, %4 : f32[2]",
        "%10 = add %0, %5 : f32[2]",
      ])
    #expect(after.outputs == [m1, m1, m3, a1, a2])
    // The merged-away constant is unread now; DCE drops it from the signature.
    #expect(after.after([DeadCodeElimination()]).values[same].role == .temporary)
  }

  @Test func readsAcrossAnAssignAreNotMerged() throws {
    var b = ProgramBuilder()
    let p = b.parameter([2])
    let x = b.input([2])
    let before = b.add(.binary(.multiply), [p, x], [2], section: .update)
    let doubled = b.add(.binary(.add), [p, p], [2], section: .update)
    b.assign(p, doubled)
    let afterAssign = b.add(.binary(.multiply), [p, x], [2], section: .update)
    let program = b.returning([before, afterAssign])
    let after = program.after([CommonSubexpressionElimination()])
    #expect(after.instructions == program.instructions)
    let parameter = Tensor([1, 2])
    let results = try run(after, bindings: [p: parameter], [Tensor([3, 4])])
    expectSameValues(results, [Tensor([3, 8]), Tensor([6, 16])])
  }

  @Test func aMergedInstructionTakesTheEarliestSection() throws {
    var b = ProgramBuilder()
    let x = b.input([2])
    let late = b.add(.unary(.relu), [x], [2], section: .backward)
    let early = b.add(.unary(.relu), [x], [2], section: .forward)
    let after = b.returning([late, early]).after([CommonSubexpressionElimination()])
    #expect(after.instructions.count == 1)
    #expect(after.instructions[0].section == .forward)
  }

  @Test func tracedMLPKeepsItsValues() throws {
    let mlp = SmallMLP(seed: 12)
    let lowered = try mlp.lowered()
    let after = lowered.program.after([CommonSubexpressionElimination()])
    expectWellFormed(after)
    // The backward of `error * error` multiplies the same two values twice.
    #expect(after.instructions.count == lowered.program.instructions.count - 1)
    expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
  }
}
