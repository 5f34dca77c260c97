import Testing

@testable import Micrograd

@Suite struct DeadCodeEliminationTests {
  @Test func dropsUnusedChainsAndKeepsWhatIsReturned() throws {
    var b = ProgramBuilder()
    let x = b.input([4])
    let y = b.input([4], "y")
    let used = b.add(.binary(.multiply), [x, y], [4])
    let dead = b.add(.binary(.add), [x, y], [4])
    b.add(.unary(.relu), [dead], [4])  // reads only a dead value: dead too
    let result = b.add(.unary(.negate), [used], [4])
    let program = b.returning([result])
    #expect(
      program.instructionLines == [
        "%2 = mul %0, %1 : f32[4]", "%3 = add %0, %1 : f32[4]", "%4 = relu %3 : f32[4]", "%5 = neg %2 : f32[4]",
      ])
    let after = program.after([DeadCodeElimination()])
    #expect(after.instructionLines == ["%2 = mul %0, %1 : f32[4]", "%5 = neg %2 : f32[4]"])
    #expect(after.values == program.values)  // IDs stay stable
    expectWellFormed(after)
  }

  @Test func keepsAssignsAndWhatTheyRead() throws {
    var b = ProgramBuilder()
    let p = b.parameter([3])
    let rate = b.constant([0.5])
    let step = b.add(.binary(.multiply), [p, rate], [3], section: .update)
    let updated = b.add(.binary(.subtract), [p, step], [3], section: .update)
    b.assign(p, updated)
    let program = b.returning([])
    let after = program.after([DeadCodeElimination()])
    #expect(after.instructions == program.instructions)
  }

  @Test func unreadConstantsLeaveTheSignature() throws {
    var b = ProgramBuilder()
    let x = b.input([2])
    let two = b.constant([2])
    let three = b.constant([3])
    b.add(.binary(.multiply), [x, three], [2])  // dead
    let result = b.add(.binary(.multiply), [x, two], [2])
    let program = b.returning([result])
    #expect(program.text().contains("%2: f32[] const(3.0)"))
    let after = program.after([DeadCodeElimination()])
    #expect(after.instructionLines == ["%4 = mul %0, %1 : f32[2]"])
    #expect(after.constantData(two) == [2])
    #expect(after.values[three].role == .temporary)
    #expect(!after.text().contains("const(3.0)"))
    #expect(after.text().contains("%1: f32[] const(2.0)"))
  }

  @Test func returnedConstantsAndInputsStay() throws {
    var b = ProgramBuilder()
    let x = b.input([2])
    let zero = b.constant([0], [2])
    b.add(.unary(.negate), [x], [2])
    let program = b.returning([zero, x])
    let after = program.after([DeadCodeElimination()])
    #expect(after.instructions.isEmpty)
    #expect(after.constantData(zero) == [0, 0])
    let results = try run(after, [Tensor([1, 2])])
    expectSameValues(results, [Tensor([0, 0]), Tensor([1, 2])])
  }

  @Test func dropsWhatSimplifyLeftBehindAndRunsTheSame() throws {
    let mlp = SmallMLP(seed: 11)
    let lowered = try mlp.lowered()
    // Simplify rewires the seed `const → reshape → expand` away from its
    // readers but leaves the instructions; DCE removes them.
    let simplified = lowered.program.after([Simplify()])
    let after = simplified.after([DeadCodeElimination()])
    expectWellFormed(after)
    #expect(simplified.count("expand") == 1)
    #expect(after.count("expand") == 0)
    #expect(after.instructions.count < simplified.instructions.count)
    expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
    // Nothing left to drop: running it again changes nothing.
    #expect(after.after([DeadCodeElimination()]) == after)
  }
}
