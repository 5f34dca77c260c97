import Testing

@testable import Micrograd

@Suite struct SimplifyTests {
  /// `x op c` for a 2×3 input and the constant `c` of `shape`.
  func identity(_ f: BinaryFunction, constant value: Float, shape: Shape = [], constantFirst: Bool = false) -> Program {
    var b = ProgramBuilder()
    let x = b.input([2, 3])
    let c = b.constant([value], shape)
    let result = b.add(.binary(f), constantFirst ? [c, x] : [x, c], Shape.broadcast([2, 3], shape)!)
    let next = b.add(.unary(.relu), [result], Shape.broadcast([2, 3], shape)!)
    return b.returning([result, next])
  }

  @Test(arguments: [
    (BinaryFunction.multiply, Float(1), false), (.multiply, 1, true), (.divide, 1, false), (.add, 0, false),
    (.add, 0, true), (.subtract, 0, false),
  ])
  func identitiesGiveTheOperand(_ f: BinaryFunction, _ value: Float, _ constantFirst: Bool) throws {
    for shape: Shape in [[], [3], [2, 3]] {
      let program = identity(f, constant: value, shape: shape, constantFirst: constantFirst)
      let after = program.after([Simplify()])
      #expect(after.instructionLines == ["%3 = relu %0 : f32[2,3]"], "\(f) \(shape)")
      #expect(after.outputs == [0, 3])
      let x = Tensor([1, -2, 3, -0.5, 0, 7], shape: [2, 3])
      expectSameValues(try run(after, [x]), try run(program, [x]))
    }
  }

  @Test func nonIdentitiesStay() throws {
    for (f, value) in [(BinaryFunction.multiply, Float(2)), (.add, 1), (.subtract, 1), (.divide, 2), (.maximum, 0)] {
      let program = identity(f, constant: value)
      #expect(program.after([Simplify()]).instructions == program.instructions, "\(f) \(value)")
    }
    // `0 - x` is `-x`, `1 / x` is not `x`: the constant must be on the right.
    for f in [BinaryFunction.subtract, .divide] {
      let program = identity(f, constant: f == .subtract ? 0 : 1, constantFirst: true)
      #expect(program.after([Simplify()]).instructions == program.instructions, "\(f)")
    }
  }

  @Test func anIdentityThatBroadcastsBecomesAnExpand() throws {
    var b = ProgramBuilder()
    let x = b.input([3])
    let zeros = b.constant([0], [2, 3])
    let ones = b.constant([1], [2, 1])
    let sum = b.add(.binary(.add), [x, zeros], [2, 3])
    let product = b.add(.binary(.multiply), [ones, x], [2, 3])
    let program = b.returning([sum, product])
    let after = program.after([Simplify()])
    #expect(after.instructionLines == ["%3 = expand %0 : f32[2,3]", "%4 = expand %0 : f32[2,3]"])
    let input = Tensor([1, -2, 3])
    expectSameValues(try run(after, [input]), try run(program, [input]))
  }

  @Test func unaryAndShapeIdentities() throws {
    var b = ProgramBuilder()
    let x = b.input([2, 3])
    let negated = b.add(.unary(.negate), [x], [2, 3])
    let twice = b.add(.unary(.negate), [negated], [2, 3])
    let power = b.add(.unary(.power(1)), [twice], [2, 3])
    let sameShape = b.add(.reshape, [power], [2, 3])
    let expanded = b.add(.expand, [sameShape], [2, 3])
    let permuted = b.add(.permute([0, 1]), [expanded], [2, 3])
    let summed = b.add(.reduce(.sum, axes: []), [permuted], [2, 3])
    let square = b.add(.unary(.power(2)), [summed], [2, 3])
    let swapped = b.add(.permute([1, 0]), [summed], [3, 2])
    let program = b.returning([square, swapped])
    let after = program.after([Simplify()])
    #expect(
      after.instructionLines == [
        "%1 = neg %0 : f32[2,3]", "%8 = pow[2.0] %0 : f32[2,3]", "%9 = permute[1,0] %0 : f32[3,2]",
      ])
    let input = Tensor([1, -2, 3, -0.5, 0, 7], shape: [2, 3])
    expectSameValues(try run(after, [input]), try run(program, [input]))
  }

  @Test func reshapesAndExpandsChainIntoOne() throws {
    var b = ProgramBuilder()
    let x = b.input([2, 3])
    let flat = b.add(.reshape, [x], [6])
    let column = b.add(.reshape, [flat], [6, 1])
    let back = b.add(.reshape, [column], [2, 3])
    let row = b.input([1, 3], "row")
    let wide = b.add(.expand, [row], [2, 3])
    let wider = b.add(.expand, [wide], [4, 2, 3])
    let scalar = b.input([], "s")
    let lifted = b.add(.reshape, [scalar], [1, 1])
    let spread = b.add(.expand, [lifted], [2, 3])
    let noLeadingOnes = b.input([3, 1], "c")
    let padded = b.add(.reshape, [noLeadingOnes], [1, 3, 1])
    let wideColumn = b.add(.expand, [padded], [2, 3, 4])
    let regrouped = b.add(.reshape, [noLeadingOnes], [1, 3])  // not leading 1s only: stays
    let spreadRows = b.add(.expand, [regrouped], [2, 3])
    let row3 = b.input([1, 3], "r")
    let transposed = b.add(.reshape, [row3], [3, 1])  // [1,3] also broadcasts to [3,3], but by rows
    let byColumns = b.add(.expand, [transposed], [3, 3])
    let program = b.returning([column, back, wider, spread, wideColumn, spreadRows, byColumns])
    let after = program.after([Simplify()])
    #expect(after.outputs == [column, x, wider, spread, wideColumn, spreadRows, byColumns])
    #expect(
      after.instructionLines == [
        "%1 = reshape %0 : f32[6]", "%2 = reshape %0 : f32[6,1]", "%5 = expand %4 : f32[2,3]",
        "%6 = expand %4 : f32[4,2,3]", "%8 = reshape %7 : f32[1,1]", "%9 = expand %7 : f32[2,3]",
        "%11 = reshape %10 : f32[1,3,1]", "%12 = expand %10 : f32[2,3,4]", "%13 = reshape %10 : f32[1,3]",
        "%14 = expand %13 : f32[2,3]", "%16 = reshape %15 : f32[3,1]", "%17 = expand %16 : f32[3,3]",
      ])
    let inputs = [
      Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), Tensor([7, 8, 9], shape: [1, 3]), Tensor(-1),
      Tensor([1, 2, 3], shape: [3, 1]), Tensor([4, 5, 6], shape: [1, 3]),
    ]
    expectSameValues(try run(after, inputs), try run(program, inputs))
  }

  @Test func reshapeOfASumIsTheSum() throws {
    var b = ProgramBuilder()
    let x = b.input([5, 8])
    let kept = b.add(.reduce(.sum, axes: [0]), [x], [1, 8])
    let dropped = b.add(.reshape, [kept], [8])
    let shared = b.add(.reduce(.sum, axes: [1]), [x], [5, 1])
    let sharedFlat = b.add(.reshape, [shared], [5])
    let other = b.add(.reduce(.sum, axes: [0]), [x], [1, 8])
    let odd = b.add(.reshape, [other], [2, 4])  // not the sum's own shape: stays a reshape
    let program = b.returning([dropped, shared, sharedFlat, odd])
    let after = program.after([Simplify()])
    // The first sum now writes %2 directly and is left unread (for DCE); the
    // second has another reader, so its reshape stays rather than sum twice.
    #expect(
      after.instructionLines == [
        "%1 = sum[axes=0] %0 : f32[1,8]", "%2 = sum[axes=0] %0 : f32[8]", "%3 = sum[axes=1] %0 : f32[5,1]",
        "%4 = reshape %3 : f32[5]", "%5 = sum[axes=0] %0 : f32[1,8]", "%6 = reshape %5 : f32[2,4]",
      ])
    var random = TestRandom(seed: 5)
    let input = random.tensor([5, 8], requiresGrad: false)
    expectSameValues(try run(after, [input]), try run(program, [input]))
  }

  @Test func selectOnASplatConditionOrTheSameBranches() throws {
    var b = ProgramBuilder()
    let x = b.input([3])
    let y = b.input([2, 3], "y")
    let yes = b.constant([1])
    let no = b.constant([0], [3])
    let condition = b.input([3], "c")
    let first = b.add(.select, [yes, x, y], [2, 3])
    let second = b.add(.select, [no, x, y], [2, 3])
    let same = b.add(.select, [condition, x, x], [3])
    let kept = b.add(.select, [condition, x, y], [2, 3])
    let program = b.returning([first, second, same, kept])
    let after = program.after([Simplify()])
    #expect(after.instructionLines == ["%5 = expand %0 : f32[2,3]", "%8 = select %4, %0, %1 : f32[2,3]"])
    #expect(after.outputs == [first, y, x, kept])
    let inputs = [Tensor([1, 2, 3]), Tensor([4, 5, 6, 7, 8, 9], shape: [2, 3]), Tensor([1, 0, 1])]
    expectSameValues(try run(after, inputs), try run(program, inputs))
  }

  @Test func elementwiseOpsReadTheUnexpandedValue() throws {
    var b = ProgramBuilder()
    let x = b.input([4, 3])
    let row = b.input([3], "row")
    let spread = b.add(.expand, [row], [4, 3])
    let sum = b.add(.binary(.add), [x, spread], [4, 3])
    let small = b.input([1, 3], "small")
    let both = b.add(.expand, [small], [4, 3])
    let alone = b.add(.binary(.multiply), [both, spread], [4, 3])  // neither operand has the output shape alone
    let program = b.returning([sum, alone])
    let after = program.after([Simplify()])
    #expect(
      after.instructionLines == [
        "%2 = expand %1 : f32[4,3]", "%3 = add %0, %1 : f32[4,3]", "%5 = expand %4 : f32[4,3]",
        "%6 = mul %4, %2 : f32[4,3]",
      ])
    var random = TestRandom(seed: 6)
    let inputs = [[4, 3], [3], [1, 3]].map { random.tensor(Shape($0), requiresGrad: false) }
    expectSameValues(try run(after, inputs), try run(program, inputs))
  }

  @Test func constantsFold() throws {
    var b = ProgramBuilder()
    let x = b.input([2])
    let a = b.constant([1, 2], [2])
    let c = b.constant([3])
    let product = b.add(.binary(.multiply), [a, c], [2])
    let total = b.add(.reduce(.sum, axes: [0]), [product], [])
    let scaled = b.add(.binary(.multiply), [x, total], [2])
    let program = b.returning([scaled, product])
    let after = program.after([Simplify()])
    #expect(after.instructionLines == ["%5 = mul %0, %7 : f32[2]"])
    #expect(after.constantData(6) == [3, 6])
    #expect(after.constantData(7) == [9])
    #expect(after.outputs == [scaled, 6])
    expectSameValues(try run(after, [Tensor([1, -1])]), [Tensor([9, -9]), Tensor([3, 6])])
  }

  @Test func largeResultsAndExpandsDoNotFold() throws {
    var b = ProgramBuilder()
    let right = b.constant([3], [1, 64])
    let tall = b.constant([2], [65, 1])
    let fitting = b.constant([2], [64, 1])
    let big = b.add(.binary(.multiply), [tall, right], [65, 64])  // 4160 elements: over the limit
    let limit = b.add(.binary(.multiply), [fitting, right], [64, 64])  // 4096: folds
    let one = b.constant([1])
    let spread = b.add(.expand, [one], [3])
    let program = b.returning([big, limit, spread])
    let after = program.after([Simplify()])
    #expect(after.instructionLines == ["%3 = mul %1, %0 : f32[65,64]", "%6 = expand %5 : f32[3]"])
    #expect(after.constantData(after.outputs[1]) == Array(repeating: 6, count: 4096))
  }

  @Test func mulByExpandedOnesIsTheOtherOperand() throws {
    var b = ProgramBuilder()
    let x = b.input([2, 3])
    let one = b.constant([1])
    let lifted = b.add(.reshape, [one], [1, 1])
    let ones = b.add(.expand, [lifted], [2, 3])
    let product = b.add(.binary(.multiply), [ones, x], [2, 3])
    let result = b.add(.unary(.relu), [product], [2, 3])
    let after = b.returning([result]).after([Simplify(), DeadCodeElimination()])
    #expect(after.instructionLines == ["%5 = relu %0 : f32[2,3]"])
  }

  @Test func theBackwardSeedFoldsIntoOneConstant() throws {
    let mlp = SmallMLP(seed: 13)
    let lowered = try mlp.lowered()
    let before = lowered.program.instructionLines
    // The seed: const 1 → (÷ batch size) → reshape → expand, read by the two
    // products of `error * error`'s backward.
    let seed = try #require(before.firstIndex { $0.hasPrefix("%17 = div %16, %14") })
    #expect(before[seed + 1] == "%18 = reshape %17 : f32[1,1]")
    #expect(before[seed + 2] == "%19 = expand %18 : f32[5,1]")
    #expect(before[seed + 3] == "%20 = mul %19, %11 : f32[5,1]")
    let after = lowered.program.after([Simplify(), DeadCodeElimination()])
    let folded = try #require(after.instructions.first { $0.outputs == [20] })
    #expect(folded.operation == .binary(.multiply))
    #expect(after.constantData(folded.inputs[0]) == [0.2])
    #expect(after.values[folded.inputs[0]].shape == [1, 1])
    #expect(after.count("expand") == 0 && after.count("div") == 1)
    expectWellFormed(after)
    expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
  }

  @Test func aReturnedValueIsNotReplacedByABufferAnAssignOverwrites() throws {
    var b = ProgramBuilder()
    let p = b.parameter([2])
    let one = b.constant([1])
    let old = b.add(.binary(.multiply), [p, one], [2], section: .update)  // the value before the update
    let beforeAssign = b.add(.binary(.multiply), [p, one], [2], section: .update)
    let read = b.add(.unary(.negate), [beforeAssign], [2], section: .update)
    let updated = b.add(.binary(.add), [p, p], [2], section: .update)
    b.assign(p, updated)
    let program = b.returning([old, read])
    let after = program.after([Simplify()])
    // `old` is returned (read after the assign): it stays a copy. The other
    // product is read only before the assign, so `p` stands in for it.
    #expect(
      after.instructionLines == [
        "%2 = mul %0, %1 : f32[2]", "%4 = neg %0 : f32[2]", "%5 = add %0, %0 : f32[2]", "assign %0, %5",
      ])
    let results = try run(after, bindings: [p: Tensor([1, -3])], [])
    expectSameValues(results, [Tensor([1, -3]), Tensor([-1, 3])])
  }

  @Test func tracedMLPKeepsItsValues() throws {
    let mlp = SmallMLP(seed: 14)
    let lowered = try mlp.lowered()
    let after = lowered.program.after([Simplify()])
    expectWellFormed(after)
    expectSameValues(try run(after, bound: lowered, [mlp.x, mlp.y]), mlp.eager())
  }
}
