import Testing

@testable import Micrograd

@Suite struct FusedEvaluatorTests {
  /// A kernel touching every kind of step: `relu(a + b) * c`, `a > c`,
  /// `select(a > c, ·, b)`, `-x`, `max`.
  static let kernel = FusedKernel(
    inputCount: 3,
    steps: [
      .init(.binary(.add), [0, 1]), .init(.unary(.relu), [3]), .init(.binary(.multiply), [4, 2]),
      .init(.binary(.greater), [0, 2]), .init(.select, [6, 5, 1]), .init(.unary(.negate), [7]),
      .init(.binary(.maximum), [8, 0]),
    ],
    outputs: [9, 5])

  /// Kernel shapes with input shapes covering each way an input is read:
  /// in place, tiled (scalar, row, longer period), gathered (column, middle
  /// axis, periods too long to tile), blocks crossing rows, 0-d and empty.
  static let cases: [(Shape, [Shape])] = [
    ([6, 7], [[6, 7], [6, 7], [6, 7]]),
    ([6, 7], [[6, 7], [], [7]]),
    ([6, 7], [[1, 7], [6, 1], [1, 1]]),
    ([3, 4, 5], [[4, 5], [3, 1, 5], [3, 4, 1]]),
    ([3, 700], [[700], [3, 1], [3, 700]]),
    ([2, 5000], [[5000], [2, 1], []]),
    ([2, 3, 1500], [[3, 1500], [1500], [2, 1, 1]]),
    ([], [[], [], []]),
    ([0, 3], [[0, 3], [3], []]),
    ([1000], [[1000], [1], [1000]]),
  ]

  @Test(arguments: 0..<cases.count)
  func matchesStepByStepEagerKernels(_ index: Int) {
    let (shape, inputShapes) = Self.cases[index]
    var random = TestRandom(seed: 40 + UInt64(index))
    let inputs = inputShapes.map { random.tensor($0, requiresGrad: false) }
    let outputs = Self.kernel.outputs.map { _ in [Float](repeating: .nan, count: shape.count) }
    let fused = run(Self.kernel, inputs, shape, outputs)
    let expected = reference(Self.kernel, inputs, shape)
    for (k, values) in fused.enumerated() {
      expectIdentical(Tensor(values, shape: shape), Tensor(expected[k], shape: shape), "\(shape) output \(k)")
    }
  }

  /// A long chain keeps few values alive at once, so its steps share a few
  /// scratch slots; a value read late (step 0's, by the last step) keeps
  /// its own. Results equal the step-by-step kernels.
  @Test func stepsShareScratchSlots() {
    var steps: [FusedKernel.Step] = [.init(.binary(.add), [0, 1])]
    for k in 0..<12 { steps.append(.init(k % 2 == 0 ? .unary(.tanh) : .unary(.sigmoid), [2 + k])) }
    steps.append(.init(.binary(.multiply), [14, 2]))
    let kernel = FusedKernel(inputCount: 2, steps: steps, outputs: [15, 8])
    let shape: Shape = [3, 1000]
    var random = TestRandom(seed: 49)
    let inputs = [random.tensor(shape, requiresGrad: false), random.tensor([1000], requiresGrad: false)]
    let outputs = kernel.outputs.map { _ in [Float](repeating: .nan, count: shape.count) }
    let plain = outputs.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: shape.count) }
    defer { for p in plain { p.deallocate() } }
    let plan = FusedEvaluator.Plan(kernel, shape, inputs.map(\.values), inputs.map(\.shape), outputs: plain)
    // Step 0's value (read at the end) and the chain's two alternating
    // values; both outputs are written straight to memory.
    #expect(plan.slotCount == kernel.inputCount + 3)
    let fused = run(kernel, inputs, shape, outputs)
    let expected = reference(kernel, inputs, shape)
    for (f, e) in zip(fused, expected) { #expect(f.map(\.bitPattern) == e.map(\.bitPattern)) }
  }

  /// Outputs streamed out of the scratch (as outputs of 32 MiB and more
  /// are) hold the same values as outputs written in place, at every kernel
  /// shape, in one lane and split across cores (2^17 elements).
  @Test(arguments: 0..<(cases.count + 1))
  func streamedOutputsMatch(_ index: Int) {
    let (shape, inputShapes) = index < Self.cases.count ? Self.cases[index] : ([1 << 17], [[1 << 17], [1], [1 << 17]])
    var random = TestRandom(seed: 80 + UInt64(index))
    let inputs = inputShapes.map { random.tensor($0, requiresGrad: false) }
    let buffers = Self.kernel.outputs.map { _ in Storage(repeating: .nan, count: shape.count) }
    let plan = FusedEvaluator.Plan(
      Self.kernel, shape, inputs.map(\.values), inputs.map(\.shape), outputs: buffers.map(\.base), streamingBytes: 0)
    #expect(plan.streams)
    #expect(plan.steps.allSatisfy { $0.direct < 0 })
    FusedEvaluator.run(plan)
    let expected = reference(Self.kernel, inputs, shape)
    for (k, buffer) in buffers.enumerated() {
      let values = Array(UnsafeBufferPointer(start: buffer.base, count: shape.count))
      expectIdentical(Tensor(values, shape: shape), Tensor(expected[k], shape: shape), "\(shape) output \(k)")
    }
  }

  /// Each lane's rows, gather counter and scratch start on their own pair
  /// of cache lines, so two cores never write to one line.
  @Test func lanesShareNoCacheLine() {
    let kernel = FusedKernel(
      inputCount: 3, steps: [.init(.binary(.add), [0, 1]), .init(.unary(.tanh), [3])], outputs: [4])
    let shape: Shape = [1 << 17]
    let inputs = (0..<3).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: shape.count) }
    defer { for p in inputs { p.deallocate() } }
    let plan = FusedEvaluator.Plan(
      kernel, shape, inputs.map { UnsafePointer($0) }, [shape, [1], shape], outputs: [inputs[2]])
    let line = FusedEvaluator.linePair
    for (base, stride, size) in [
      (Int(bitPattern: plan.rows), plan.rowStride, MemoryLayout<UnsafePointer<Float>>.stride),
      (Int(bitPattern: plan.counter), plan.counterStride, MemoryLayout<Int>.stride),
      (Int(bitPattern: plan.scratch), plan.scratchStride, MemoryLayout<Float>.stride),
    ] {
      #expect(stride * size % line == 0)
      #expect(base % line == 0)
    }
    #expect(plan.lanes == Parallel.threadCount)
    // Chunks are whole sum blocks, several per lane (taken in turn).
    #expect(plan.chunkLength % BlockedSum.blockLength == 0)
    #expect(plan.lanes == 1 || (plan.total + plan.chunkLength - 1) / plan.chunkLength >= 4 * plan.lanes)
    #expect(plan.rowStride >= plan.registerCount)
    #expect(plan.scratchStride >= plan.slotCount * plan.blockLength)
  }

  @Test func epilogueOverwritesTheProductInPlace() {
    var random = TestRandom(seed: 49)
    let shape: Shape = [9, 130]
    let product = random.tensor(shape, requiresGrad: false).scalars
    let bias = random.tensor([130], requiresGrad: false)
    // Output 0 is the product's own buffer and register 0 is read by two
    // steps; output 1 is a separate buffer.
    let kernel = FusedKernel(
      inputCount: 2, steps: [.init(.binary(.add), [0, 1]), .init(.binary(.multiply), [2, 0])], outputs: [3, 2])
    let expected = reference(kernel, [Tensor(product, shape: shape), bias], shape)
    var buffer = product
    var second = [Float](repeating: .nan, count: shape.count)
    buffer.withUnsafeMutableBufferPointer { out in
      second.withUnsafeMutableBufferPointer { other in
        FusedEvaluator.runEpilogue(
          kernel, product: UnsafePointer(out.baseAddress!), [bias.values, bias.values, bias.values],
          [[130], [130], [130]], [out.baseAddress!, other.baseAddress!], shape)
      }
    }
    expectIdentical(Tensor(buffer, shape: shape), Tensor(expected[0], shape: shape), "in place")
    expectIdentical(Tensor(second, shape: shape), Tensor(expected[1], shape: shape), "second")
  }

  @Test func periodsOfBroadcastInputs() {
    #expect(FusedEvaluator.period(of: [], in: [4, 5]) == 1)
    #expect(FusedEvaluator.period(of: [5], in: [4, 5]) == 5)
    #expect(FusedEvaluator.period(of: [1, 1, 5], in: [3, 4, 5]) == 5)
    #expect(FusedEvaluator.period(of: [4, 5], in: [3, 4, 5]) == 20)
    #expect(FusedEvaluator.period(of: [4, 1], in: [4, 5]) == nil)
    #expect(FusedEvaluator.period(of: [3, 1, 5], in: [3, 4, 5]) == nil)
  }

  /// Runs `kernel` with the evaluator into buffers first filled with `outputs`.
  func run(_ kernel: FusedKernel, _ inputs: [Tensor], _ shape: Shape, _ outputs: [[Float]]) -> [[Float]] {
    let buffers = outputs.map { Storage($0) }
    FusedEvaluator.run(kernel, inputs.map(\.values), inputs.map(\.shape), buffers.map(\.base), shape)
    return buffers.map { Array(UnsafeBufferPointer(start: $0.base, count: shape.count)) }
  }

  /// The kernel run one step at a time through the eager dispatch: inputs
  /// expanded to `shape` first, every register stored whole.
  func reference(_ kernel: FusedKernel, _ inputs: [Tensor], _ shape: Shape) -> [[Float]] {
    guard shape.count > 0 else { return kernel.outputs.map { _ in [] } }
    var registers: [Storage] = inputs.map { input in
      let full = Storage(count: shape.count)
      Kernels.execute(.expand, [input.values], [input.shape], [full.base], [shape])
      return full
    }
    for step in kernel.steps {
      let out = Storage(count: shape.count)
      let arguments = step.arguments.map { UnsafePointer(registers[$0].base) }
      Kernels.execute(step.operation, arguments, arguments.map { _ in shape }, [out.base], [shape])
      registers.append(out)
    }
    return kernel.outputs.map { Array(UnsafeBufferPointer(start: registers[$0].base, count: shape.count)) }
  }
}
