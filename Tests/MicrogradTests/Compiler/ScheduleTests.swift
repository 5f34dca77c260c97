import Testing

@testable import Micrograd

@Suite struct ScheduleTests {
  @Test func branchesRunOneAtATime() throws {
    var b = ProgramBuilder()
    let x = b.input([1000])
    let square = b.add(.binary(.multiply), [x, x], [1000])
    let double = b.add(.binary(.add), [x, x], [1000])
    let negative = b.add(.unary(.negate), [x], [1000])
    let s1 = b.add(.reduce(.sum, axes: [0]), [square], [])
    let s2 = b.add(.reduce(.sum, axes: [0]), [double], [])
    let s3 = b.add(.reduce(.sum, axes: [0]), [negative], [])
    let partial = b.add(.binary(.add), [s1, s2], [])
    let total = b.add(.binary(.add), [partial, s3], [])
    let program = b.returning([total])
    let after = program.after([Schedule()])
    #expect(
      after.instructionLines == [
        "%1 = mul %0, %0 : f32[1000]", "%4 = sum[axes=0] %1 : f32[]", "%2 = add %0, %0 : f32[1000]",
        "%5 = sum[axes=0] %2 : f32[]", "%7 = add %4, %5 : f32[]", "%3 = neg %0 : f32[1000]",
        "%6 = sum[axes=0] %3 : f32[]", "%8 = add %7, %6 : f32[]",
      ])
    #expect(Schedule.peakLiveBytes(program) == 3 * 4000 + 4)
    #expect(Schedule.peakLiveBytes(after) == 4000 + 8)
    var random = TestRandom(seed: 8)
    let input = random.tensor([1000], requiresGrad: false)
    expectSameValues(try run(after, [input]), try run(program, [input]))
  }

  @Test func aGoodOrderStaysAndTheResultIsDeterministic() throws {
    var b = ProgramBuilder()
    let x = b.input([4])
    var last = x
    for k in 0..<6 { last = b.add(k.isMultiple(of: 2) ? .unary(.relu) : .unary(.negate), [last], [4]) }
    let chain = b.returning([last])
    #expect(chain.after([Schedule()]) == chain)
    let mlp = try SmallMLP(seed: 15).lowered().program
    #expect(mlp.after([Schedule()]) == mlp.after([Schedule()]))
  }

  @Test func anAssignWaitsForEveryReadOfItsTarget() throws {
    var b = ProgramBuilder()
    let p = b.parameter([1000])
    let x = b.input([1000])
    let two = b.constant([2])
    let step = b.add(.binary(.multiply), [x, x], [1000], section: .update)
    let updated = b.add(.binary(.subtract), [p, step], [1000], section: .update)
    // Reads the old `p` and allocates 4000 bytes, while the assign frees
    // 4000: by bytes alone the assign would run first.
    let oldDouble = b.add(.binary(.multiply), [p, two], [1000], section: .update)
    let oldTotal = b.add(.reduce(.sum, axes: [0]), [oldDouble], [], section: .update)
    b.assign(p, updated)
    let newTotal = b.add(.reduce(.sum, axes: [0]), [p], [], section: .update)  // reads the new `p`
    let program = b.returning([oldTotal, newTotal])
    let after = program.after([Schedule()])
    // The copy of the old `p` is made before the assign; its sum may follow.
    #expect(
      after.instructionLines == [
        "%3 = mul %1, %1 : f32[1000]", "%4 = sub %0, %3 : f32[1000]", "%5 = mul %0, %2 : f32[1000]",
        "assign %0, %4", "%6 = sum[axes=0] %5 : f32[]", "%7 = sum[axes=0] %0 : f32[]",
      ])
    let parameter = Tensor((0..<1000).map { Float($0 % 7) })
    let original = parameter.scalars.reduce(0, +)
    let input = Tensor([Float](repeating: 1, count: 1000))
    let results = try run(after, bindings: [p: parameter], [input])
    #expect(results[0].item() == 2 * original)
    #expect(results[1].item() == original - 1000)
  }

  @Test func sectionsStayContiguous() throws {
    let mlp = SmallMLP(seed: 16)
    let lowered = try mlp.lowered()
    for program in [
      lowered.program, lowered.program.after([Simplify(), CommonSubexpressionElimination(), DeadCodeElimination()]),
    ] {
      let after = program.after([Schedule()])
      expectWellFormed(after)
      let ranks = after.instructions.map(\.section.rank)
      #expect(ranks == ranks.sorted())
      #expect(Set(after.instructions) == Set(program.instructions))
      #expect(Schedule.peakLiveBytes(after) <= Schedule.peakLiveBytes(program))
      expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
    }
  }

  @Test func scheduledBackwardNeedsLessMemoryForAWiderModel() throws {
    let mlp = SmallMLP(seed: 17, batch: 64)
    let lowered = try mlp.lowered()
    let program = lowered.program.after([Simplify(), CommonSubexpressionElimination(), DeadCodeElimination()])
    let after = program.after([Schedule()])
    #expect(Schedule.peakLiveBytes(after) < Schedule.peakLiveBytes(program))
    expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
  }
}
