import Foundation

/// Runs a ``Program`` on float32 buffers.
///
/// Buffers are made once: with a ``MemoryPlan``, one per planned buffer,
/// shared by the values the plan puts there; without, one per value.
/// Inputs and constants get their own, parameters, optimizer state and
/// captured tensors are bound to their tensors' storage (so updates land in
/// the model's own parameters).
///
/// Each instruction is prepared once into a ``Step``: its buffer pointers
/// and everything its kernel would work out from shapes (strides, reduction
/// walks, batch offsets). A run is then a loop over plain values calling the
/// same kernels eager mode uses, and allocates nothing on the heap (counted
/// by `tools/runtime-bench/run.sh allocations`; OpenBLAS itself may, when it
/// runs a large product on several threads). Fused kernels, fused reductions,
/// matmul epilogues and optimizer steps keep their plans (strides, tiles,
/// scratch) in their steps; eager mode builds the same plans per call and
/// runs the same kernels. The operations still going through
/// ``Kernels/execute(_:_:_:_:_:)`` (slice-scatter, concatenate, logsumexp,
/// one-hot) allocate what their kernel allocates.
final class Interpreter: @unchecked Sendable {
  /// One instruction with its buffers and kernel data resolved.
  enum Step {
    case unary(UnaryFunction, UnsafePointer<Float>, UnsafeMutablePointer<Float>, count: Int)
    case binary(
      BinaryFunction, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Elementwise.Layout)
    case select(
      UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Elementwise.Layout)
    case reduce(ReductionFunction, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Reduction.Plan)
    /// `reshape` (nothing to do when planned into its input's buffer) and `assign`.
    case copy(UnsafePointer<Float>, UnsafeMutablePointer<Float>, count: Int)
    /// `expand` and `permute`.
    case gather(UnsafePointer<Float>, UnsafeMutablePointer<Float>, StridedRows.Layout)
    case matmul(UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Gemm.BatchPlan)
    /// `fused`, with its evaluation planned (and its scratch owned).
    case fused(FusedEvaluator.Plan)
    /// `fusedReduce`.
    case fusedReduce(FusedReduction.Plan)
    /// `matmulEpilogue`: the product into the first output, then the kernel over it.
    case matmulEpilogue(
      UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Gemm.BatchPlan, FusedEvaluator.Plan)
    /// `optimizerStep`, in place: parameter, gradient, learning rate, step count, the rule's buffers.
    case optimizer(
      OptimizerRule, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
      UnsafeMutablePointer<Float>, [UnsafeMutablePointer<Float>], count: Int)
    /// Anything else, run through the shared dispatch.
    case kernel(Operation, [UnsafePointer<Float>], [Shape], [UnsafeMutablePointer<Float>], [Shape])
  }

  let program: Program
  private(set) var buffers: [UnsafeMutablePointer<Float>]
  /// The prepared instructions, in order.
  private(set) var steps: [Step]
  private let inputIDs: [ValueID]
  /// Each value's storage (owned, shared by plan, or bound), kept alive as
  /// long as the buffers are used.
  private var storages: [Storage]
  /// Positions in `program.outputs` of large outputs handed to the caller
  /// instead of copied (see ``run(_:)``).
  private let handedOver: Set<Int>
  /// Serialises runs: one program's buffers serve one run at a time.
  let lock = NSLock()
  /// The line of each instruction in the file the program was read from,
  /// for errors; nil for a traced program (its lines are the printer's).
  var instructionLines: [Int]?

  init(_ lowered: LoweredProgram) {
    program = lowered.program
    let values = program.values
    let plan = program.memoryPlan.flatMap { $0.buffer.count == values.count ? $0 : nil }
    // Each planned buffer holds its largest value: what the planner writes as its size, but a
    // plan read from a file may declare more, and a few bytes of text must not allocate gigabytes.
    var needed = [Int](repeating: 0, count: plan?.bufferSizes.count ?? 0)
    for (id, buffer) in (plan?.buffer ?? []).enumerated() {
      if let buffer { needed[buffer] = max(needed[buffer], values[id].shape.count) }
    }
    let planned = needed.map { Storage(count: $0) }
    var storages: [Storage] = []
    storages.reserveCapacity(values.count)
    // Flags by value, not a set: a long chain leaves many values no instruction touches.
    var used = Array(repeating: false, count: values.count)
    for id in program.outputs { used[id] = true }
    for index in program.instructions.indices {
      for id in program.instructions[index].inputs { used[id] = true }
      for id in program.instructions[index].outputs { used[id] = true }
    }
    var buffers: [UnsafeMutablePointer<Float>] = []
    buffers.reserveCapacity(values.count)
    for id in values.indices {
      let storage: Storage
      switch values[id].role {
      case .parameter, .state, .captured: storage = lowered.bindings[id]!.storage
      case .constant(let data): storage = Storage(data)
      case .input: storage = Storage(count: values[id].shape.count)
      case .temporary:
        if let buffer = plan?.buffer[id] {
          storage = planned[buffer]
        } else {
          // Values no instruction touches any more (dropped by a pass) get no memory.
          storage = used[id] ? Storage(count: values[id].shape.count) : Storage.placeholder
        }
      }
      storages.append(storage)
      buffers.append(storage.base)
    }
    self.storages = storages
    self.buffers = buffers
    handedOver = Interpreter.handedOverOutputs(program, storages)
    inputIDs = program.values(where: { $0 == .input })
    steps = program.instructions.map { Interpreter.prepare($0, values, buffers) }
  }

  /// The prepared form of `instruction`, reading and writing `buffers`.
  static func prepare(_ instruction: Instruction, _ values: [Value], _ buffers: [UnsafeMutablePointer<Float>]) -> Step {
    let inputs = instruction.inputs.map { UnsafePointer(buffers[$0]) }
    let inputShapes = instruction.inputs.map { values[$0].shape }
    if instruction.operation == .assign {
      // assign target, value: copy value's buffer into target's.
      let (target, source) = (instruction.inputs[0], instruction.inputs[1])
      return .copy(inputs[1], buffers[target], count: values[source].shape.count)
    }
    let outputs = instruction.outputs.map { buffers[$0] }
    let outputShapes = instruction.outputs.map { values[$0].shape }
    guard let out = outputs.first, let shape = outputShapes.first else {
      // In place, no outputs (an optimizer step).
      if case .optimizerStep(let rule) = instruction.operation {
        return .optimizer(
          rule, buffers[instruction.inputs[0]], inputs[1], inputs[2], buffers[instruction.inputs[3]],
          instruction.inputs[4...].map { buffers[$0] }, count: inputShapes[0].count)
      }
      return .kernel(instruction.operation, inputs, inputShapes, [], [])
    }
    switch instruction.operation {
    case .unary(let f):
      return .unary(f, inputs[0], out, count: shape.count)
    case .binary(let f):
      return .binary(f, inputs[0], inputs[1], out, Elementwise.Layout(inputShapes, to: shape))
    case .select:
      return .select(inputs[0], inputs[1], inputs[2], out, Elementwise.Layout(inputShapes, to: shape))
    case .reduce(let f, let axes):
      return .reduce(f, inputs[0], out, Reduction.Plan(inputShapes[0], axes: axes))
    case .reshape:
      return .copy(inputs[0], out, count: shape.count)
    case .expand:
      return .gather(
        inputs[0], out, StridedRows.Layout(shape: shape, strides: [inputShapes[0].broadcastStrides(to: shape)]))
    case .permute(let axes):
      let strides = inputShapes[0].strides
      return .gather(inputs[0], out, StridedRows.Layout(shape: shape, strides: [axes.map { strides[$0] }]))
    case .matmul(let transposeA, let transposeB):
      let plan = Gemm.BatchPlan(inputShapes[0], transposeA: transposeA, inputShapes[1], transposeB: transposeB, shape)
      return .matmul(inputs[0], inputs[1], out, plan)
    case .slice(let axis, let start, let step):
      return .gather(inputs[0], out, Kernels.sliceLayout(inputShapes[0], axis: axis, start: start, step: step, shape))
    case .fused(let kernel):
      return .fused(FusedEvaluator.Plan(kernel, shape, inputs, inputShapes, outputs: outputs))
    case .fusedReduce(let kernel, let f, let axes):
      return .fusedReduce(FusedReduction.Plan(kernel, f, axes: axes, inputs, inputShapes, outputs))
    case .matmulEpilogue(let transposeA, let transposeB, let kernel):
      let plan = Gemm.BatchPlan(inputShapes[0], transposeA: transposeA, inputShapes[1], transposeB: transposeB, shape)
      let epilogue = FusedEvaluator.epiloguePlan(kernel, product: out, inputs, inputShapes, outputs, shape)
      return .matmulEpilogue(inputs[0], inputs[1], out, plan, epilogue)
    default:
      return .kernel(instruction.operation, inputs, inputShapes, outputs, outputShapes)
    }
  }

  /// Runs the program on `inputs` (in the order of its input values) and
  /// returns copies of its outputs (the only allocations of a run: the
  /// returned tensors). With `checkNumerics`, stops at the first NaN or
  /// infinity with ``CompileError/nonFinite(_:)`` (see ``NumericsCheck``).
  func run(_ inputs: [Tensor], checkNumerics: Bool = false) throws(CompileError) -> [Tensor] {
    lock.lock()
    defer { lock.unlock() }
    try bind(inputs)
    if checkNumerics { try executeCheckingNumerics() } else { execute() }
    let results = program.outputs.enumerated().map { position, id in
      if handedOver.contains(position) { return Tensor(storage: storages[id], shape: program.values[id].shape) }
      let count = program.values[id].shape.count
      let storage = Storage(count: count)
      storage.base.update(from: buffers[id], count: count)
      return Tensor(storage: storage, shape: program.values[id].shape)
    }
    if !handedOver.isEmpty { replaceHandedOver() }
    return results
  }

  /// The outputs large enough to hand over rather than copy: temporaries of
  /// at least ``LargeBlocks/smallest`` bytes whose storage is exactly their
  /// size and holds no other output.
  ///
  /// Copying a 64 MiB result costs as much as computing it; handing its
  /// storage to the caller and taking a fresh one (recycled by
  /// ``LargeBlocks`` once the caller drops the last result) costs nothing.
  static func handedOverOutputs(_ program: Program, _ storages: [Storage]) -> Set<Int> {
    var outputsPerStorage: [ObjectIdentifier: Int] = [:]
    for id in program.outputs { outputsPerStorage[ObjectIdentifier(storages[id]), default: 0] += 1 }
    var positions = Set<Int>()
    for (position, id) in program.outputs.enumerated() {
      let (value, storage) = (program.values[id], storages[id])
      guard value.role == .temporary, storage.count == value.shape.count,
        storage.count * MemoryLayout<Float>.stride >= LargeBlocks.smallest,
        outputsPerStorage[ObjectIdentifier(storage)] == 1
      else { continue }
      positions.insert(position)
    }
    return positions
  }

  /// Gives every handed-over output's buffer (and the values sharing it)
  /// new storage, and prepares the instructions again on the new buffers.
  private func replaceHandedOver() {
    for position in handedOver {
      let old = storages[program.outputs[position]]
      let new = Storage(count: old.count)
      for id in storages.indices where storages[id] === old {
        storages[id] = new
        buffers[id] = new.base
      }
    }
    steps = program.instructions.map { Interpreter.prepare($0, program.values, buffers) }
  }

  /// Copies `inputs` into the input buffers, after checking their shapes.
  func bind(_ inputs: [Tensor]) throws(CompileError) {
    guard inputs.count == inputIDs.count else {
      throw .badArguments("the program takes \(inputIDs.count) inputs; got \(inputs.count)")
    }
    for (k, id) in inputIDs.enumerated() where inputs[k].shape != program.values[id].shape {
      throw .badArguments(
        "input \(k) (\(program.values[id].name)) must have shape \(program.values[id].shape); got \(inputs[k].shape)")
    }
    for (k, id) in inputIDs.enumerated() {
      buffers[id].update(from: inputs[k].values, count: inputs[k].count)
    }
  }

  /// Runs every instruction once on the buffers as they are.
  func execute() {
    steps.withUnsafeBufferPointer { steps in
      for step in steps { Interpreter.execute(step) }
    }
  }

  /// Runs one prepared instruction.
  @inline(__always)
  static func execute(_ step: Step) {
    switch step {
    case .unary(let f, let x, let y, let count):
      Elementwise.unary(f, x, y, count: count)
    case .binary(let f, let a, let b, let out, let layout):
      Elementwise.binary(f, a, b, out, layout)
    case .select(let condition, let a, let b, let out, let layout):
      Elementwise.select(condition, a, b, out, layout)
    case .reduce(let f, let x, let out, let plan):
      Reduction.reduce(f, x, out, plan)
    case .copy(let source, let target, let count):
      if UnsafePointer(target) != source { target.update(from: source, count: count) }
    case .gather(let source, let out, let layout):
      Elementwise.gather(source, out, layout)
    case .matmul(let a, let b, let out, let plan):
      Gemm.batched(a, b, out, plan)
    case .fused(let plan):
      FusedEvaluator.run(plan)
    case .fusedReduce(let plan):
      FusedReduction.run(plan)
    case .matmulEpilogue(let a, let b, let out, let plan, let epilogue):
      Gemm.batched(a, b, out, plan)
      FusedEvaluator.run(epilogue)
    case .optimizer(let rule, let parameter, let gradient, let learningRate, let step, let buffers, let count):
      OptimizerUpdate.apply(rule, parameter, gradient, learningRate: learningRate[0], step: step, buffers, count: count)
    case .kernel(let operation, let inputs, let inputShapes, let outputs, let outputShapes):
      Kernels.execute(operation, inputs, inputShapes, outputs, outputShapes)
    }
  }

  /// The memory this interpreter owns for planned and unplanned temporaries
  /// and inputs, in bytes (bound parameters and constants not counted).
  var ownedBytes: Int {
    var seen = Set<ObjectIdentifier>()
    var total = 0
    for (id, value) in program.values.enumerated() where value.role == .input || value.role == .temporary {
      if seen.insert(ObjectIdentifier(storages[id])).inserted { total += storages[id].count }
    }
    return total * MemoryLayout<Float>.stride
  }
}
