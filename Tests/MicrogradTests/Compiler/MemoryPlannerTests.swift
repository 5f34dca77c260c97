import Testing

@testable import Micrograd

@Suite struct MemoryPlannerTests {
  /// `%1 = neg %0; %2 = relu %1; %3 = neg %2; %4 = relu %3`, returning %4.
  static func elementwiseChain(_ count: Int) -> Program {
    var program = Program(values: [Value(shape: [count], role: .input, name: "x")])
    for k in 0..<4 {
      program.values.append(Value(shape: [count], role: .temporary))
      program.instructions.append(Instruction(.unary(k % 2 == 0 ? .negate : .relu), inputs: [k], outputs: [k + 1]))
    }
    program.outputs = [4]
    return program
  }

  @Test func elementwiseChainRunsInOneBufferInPlace() {
    var program = Self.elementwiseChain(256)
    MemoryPlanner().run(&program)
    let plan = try! #require(program.memoryPlan)
    #expect(plan.bufferSizes == [256])
    #expect(plan.buffer == [nil, 0, 0, 0, 0])
    #expect(plan.naiveBytes == 4 * 256 * 4)
    #expect(plan.peakBytes == 256 * 4)
    #expect(plan.summary == "# buffers: 1, peak 1.0 KiB (naive 4.0 KiB)")
    expectValid(plan, for: program)
  }

  @Test func matmulChainAlternatesTwoBuffers() {
    // matmul cannot write into its input: each step needs a dead buffer.
    var program = Program(values: [Value(shape: [8, 8], role: .input), Value(shape: [8, 8], role: .parameter)])
    for k in 0..<4 {
      program.values.append(Value(shape: [8, 8], role: .temporary))
      program.instructions.append(
        Instruction(.matmul(transposeA: false, transposeB: false), inputs: [k == 0 ? 0 : k + 1, 1], outputs: [k + 2]))
    }
    program.outputs = [5]
    MemoryPlanner().run(&program)
    let plan = try! #require(program.memoryPlan)
    #expect(plan.bufferSizes.count == 2)
    #expect(plan.buffer[2] == plan.buffer[4])
    #expect(plan.buffer[3] == plan.buffer[5])
    #expect(plan.buffer[2] != plan.buffer[3])
    #expect(plan.peakBytes < plan.naiveBytes)
    expectValid(plan, for: program)
  }

  @Test func outputsStayAliveAndAreNeverOverwritten() {
    // %1 is returned, so %2 may not write into it, though %2 is its last reader.
    var program = Self.elementwiseChain(16)
    program.outputs = [1, 4]
    MemoryPlanner().run(&program)
    let plan = try! #require(program.memoryPlan)
    #expect(plan.buffer[1] != plan.buffer[2])
    #expect(plan.buffer[2] == plan.buffer[4])
    #expect(plan.bufferSizes.count == 2)
    expectValid(plan, for: program)
  }

  @Test func inputsParametersAndConstantsAreNeverPlannedOrOverwritten() {
    let program = Program(
      values: [
        Value(shape: [4], role: .input), Value(shape: [4], role: .parameter), Value(shape: [4], role: .state),
        Value(shape: [4], role: .constant([1, 2, 3, 4])), Value(shape: [4], role: .captured),
        Value(shape: [4], role: .temporary), Value(shape: [4], role: .temporary), Value(shape: [4], role: .temporary),
      ],
      instructions: [
        Instruction(.binary(.add), inputs: [0, 1], outputs: [5]),
        Instruction(.binary(.multiply), inputs: [2, 3], outputs: [6]),
        Instruction(.binary(.subtract), inputs: [4, 5], outputs: [7]),
        Instruction(.assign, inputs: [1, 7], outputs: [], section: .update),
      ], outputs: [6])
    let plan = MemoryPlanner.plan(program)
    #expect(plan.buffer[0...4].allSatisfy { $0 == nil })
    // %7 takes %5's buffer in place (%5 dies there), never a bound one.
    #expect(plan.buffer[7] == plan.buffer[5])
    expectValid(plan, for: program)
  }

  @Test func assignSourceStaysAliveUntilTheAssign() {
    // %3 = new value of the parameter, computed early; the temporaries made
    // after it must not take its buffer before `assign %1, %3` has copied it.
    var program = Program(values: [Value(shape: [32], role: .input), Value(shape: [32], role: .parameter)])
    program.values += (0..<5).map { _ in Value(shape: [32], role: .temporary) }
    program.instructions = [
      Instruction(.binary(.multiply), inputs: [0, 1], outputs: [2]),
      Instruction(.binary(.subtract), inputs: [1, 2], outputs: [3]),  // new parameter value
      Instruction(.unary(.relu), inputs: [0], outputs: [4]),
      Instruction(.matmul(transposeA: false, transposeB: true), inputs: [4, 4], outputs: [5]),
      Instruction(.unary(.negate), inputs: [5], outputs: [6]),
      Instruction(.assign, inputs: [1, 3], outputs: [], section: .update),
    ]
    program.values[5].shape = [1, 1]
    program.values[6].shape = [1, 1]
    program.values[4].shape = [1, 32]
    program.outputs = [6]
    let plan = MemoryPlanner.plan(program)
    for value in [4, 5, 6] { #expect(plan.buffer[value] != plan.buffer[3]) }
    expectValid(plan, for: program)
  }

  @Test func reshapeSharesItsInputsBuffer() {
    var program = Program(
      values: [
        Value(shape: [2, 3], role: .input), Value(shape: [2, 3], role: .temporary), Value(shape: [6], role: .temporary),
      ],
      instructions: [
        Instruction(.unary(.exp), inputs: [0], outputs: [1]),
        Instruction(.reshape, inputs: [1], outputs: [2]),
      ], outputs: [2])
    MemoryPlanner().run(&program)
    let plan = try! #require(program.memoryPlan)
    #expect(plan.buffer[1] == plan.buffer[2])
    #expect(plan.bufferSizes == [6])
    expectValid(plan, for: program)
  }

  @Test func deadBuffersGoToTheBestFit() {
    // %2 [10,10] and %3 [10,1] die together at the matmul; the 8-element
    // value then takes the 10-element buffer, the 50-element one the 100.
    let program = Program(
      values: [
        Value(shape: [1, 1], role: .input), Value(shape: [1], role: .input),
        Value(shape: [10, 10], role: .temporary), Value(shape: [10, 1], role: .temporary),
        Value(shape: [10, 1], role: .temporary), Value(shape: [8], role: .temporary),
        Value(shape: [50], role: .temporary), Value(shape: [200], role: .temporary),
      ],
      instructions: [
        Instruction(.expand, inputs: [0], outputs: [2]),
        Instruction(.expand, inputs: [0], outputs: [3]),
        Instruction(.matmul(transposeA: false, transposeB: false), inputs: [2, 3], outputs: [4]),
        Instruction(.expand, inputs: [1], outputs: [5]),
        Instruction(.expand, inputs: [1], outputs: [6]),
        Instruction(.expand, inputs: [1], outputs: [7]),
      ], outputs: [4, 5, 6, 7])
    let plan = MemoryPlanner.plan(program)
    #expect(plan.buffer[5] == plan.buffer[3])
    #expect(plan.buffer[6] == plan.buffer[2])
    // Nothing free for the 200: a new buffer.
    #expect(plan.bufferSizes.count == 4)
    #expect(plan.bufferSizes.sorted() == [10, 10, 100, 200])
    expectValid(plan, for: program)
  }

  @Test func aFreeBufferTooSmallIsGrownRatherThanANewOneAdded() {
    let program = Program(
      values: [
        Value(shape: [1], role: .input), Value(shape: [10], role: .temporary), Value(shape: [], role: .temporary),
        Value(shape: [40], role: .temporary),
      ],
      instructions: [
        Instruction(.expand, inputs: [0], outputs: [1]),
        Instruction(.reduce(.sum, axes: [0]), inputs: [1], outputs: [2]),
        Instruction(.expand, inputs: [2], outputs: [3]),
      ], outputs: [3])
    let plan = MemoryPlanner.plan(program)
    #expect(plan.buffer[3] == plan.buffer[1])
    #expect(plan.bufferSizes.sorted() == [1, 40])
    expectValid(plan, for: program)
  }

  @Test func multiOutputInstructionsGetOneBufferPerOutput() {
    let kernel = FusedKernel(
      inputCount: 1, steps: [.init(.unary(.exp), [0]), .init(.unary(.negate), [1])], outputs: [1, 2])
    let program = Program(
      values: [
        Value(shape: [4], role: .input), Value(shape: [4], role: .temporary), Value(shape: [4], role: .temporary),
        Value(shape: [4], role: .temporary), Value(shape: [4], role: .temporary),
      ],
      instructions: [
        Instruction(.unary(.tanh), inputs: [0], outputs: [1]),
        Instruction(.fused(kernel), inputs: [1], outputs: [2, 3]),
        Instruction(.binary(.add), inputs: [2, 3], outputs: [4]),
      ], outputs: [4])
    let plan = MemoryPlanner.plan(program)
    // A two-output kernel does not write in place: three buffers at once.
    #expect(Set([plan.buffer[1], plan.buffer[2], plan.buffer[3]]).count == 3)
    #expect(plan.buffer[4] == plan.buffer[2])
    expectValid(plan, for: program)
  }

  @Test func tracedMLPValueAndGradPlanIsValidAndSmaller() throws {
    let parameters = RuntimePrograms.mlp(hidden: 16)
    let lowered = try RuntimePrograms.valueAndGrad(parameters, inputShapes: [[100, 2], [100, 1]], learningRate: 0.1) {
      xs in RuntimePrograms.mlpLoss(parameters, xs[0], xs[1])
    }
    let plan = MemoryPlanner.plan(lowered.program)
    #expect(plan.peakBytes < plan.naiveBytes / 2)
    expectValid(plan, for: lowered.program)
  }

  @Test func printedOnTheCompiledProgram() throws {
    var random = TestRandom(seed: 1)
    let w = random.tensor([4, 3])
    let f = compile { xs in [relu(matmul(xs[0], w)).sum()] }
    let program = try f.program(for: [[5, 4]])
    let plan = try #require(program.memoryPlan)
    #expect(plan.summary.hasPrefix("# buffers: \(plan.bufferSizes.count), peak "))
  }

  /// Checks a plan against its program: only temporaries planned, every
  /// buffer large enough, and no value written into a buffer while another
  /// value there is still to be read, except in place at that value's last
  /// read by an elementwise instruction, or a reshape sharing its input.
  func expectValid(_ plan: MemoryPlan, for program: Program, sourceLocation: Testing.SourceLocation = #_sourceLocation)
  {
    let values = program.values
    let end = program.instructions.count
    var defined = [Int?](repeating: nil, count: values.count)
    var lastRead = [Int](repeating: -1, count: values.count)
    for (index, instruction) in program.instructions.enumerated() {
      for value in instruction.outputs where defined[value] == nil { defined[value] = index }
      for value in instruction.inputs { lastRead[value] = index }
    }
    for value in program.outputs { lastRead[value] = end }
    var naive = 0
    for (id, value) in values.enumerated() {
      guard let buffer = plan.buffer[id] else {
        #expect(
          value.role != .temporary || defined[id] == nil, "temporary %\(id) unplanned", sourceLocation: sourceLocation)
        continue
      }
      #expect(value.role == .temporary, "%\(id) (\(value.role)) planned", sourceLocation: sourceLocation)
      #expect(plan.bufferSizes[buffer] >= value.shape.count, sourceLocation: sourceLocation)
      naive += value.shape.count
    }
    #expect(plan.naiveBytes == naive * 4, sourceLocation: sourceLocation)
    #expect(plan.peakBytes == plan.bufferSizes.reduce(0, +) * 4, sourceLocation: sourceLocation)
    for (index, instruction) in program.instructions.enumerated() {
      for written in instruction.outputs {
        guard let buffer = plan.buffer[written] else { continue }
        for other in values.indices where other != written && plan.buffer[other] == buffer {
          guard let born = defined[other], born < index, max(lastRead[other], born) >= index else { continue }
          let sharesReshape = instruction.operation == .reshape && plan.buffer[instruction.inputs[0]] == buffer
          let inPlace =
            lastRead[other] == index && instruction.inputs.contains(other)
            && MemoryPlanner.writesInPlace(instruction.operation) && instruction.outputs.count == 1
            && values[other].shape.count == values[written].shape.count
          #expect(
            sharesReshape || inPlace, "%\(written) written over live %\(other) at instruction \(index)",
            sourceLocation: sourceLocation)
        }
      }
    }
  }
}
