/// The memory plan's checks: buffers in range and large enough, and no
/// buffer holding two values alive at the same time.
///
/// A value lives from the instruction that makes it (values nobody makes:
/// from the start of the run) to its last reader. Parameters, state,
/// captured tensors and constants live for good (they outlast a run), and
/// so do program outputs (they are read after the last instruction). Two
/// values may meet in one buffer at a single instruction only where the
/// operation allows its result to overwrite that input (see
/// ``Operation/mayOverwrite(input:with:)``).
extension ProgramValidator {
  func checkMemoryPlan() throws(IRValidationError) {
    guard let plan = program.memoryPlan else { return }
    func planError(_ message: String) -> IRValidationError {
      IRValidationError(place: .memoryPlan, line: lines?.memoryPlan, message: message)
    }
    guard plan.buffer.count == program.values.count else {
      throw planError("places \(plan.buffer.count) values; the program has \(program.values.count)")
    }
    if let size = plan.bufferSizes.first(where: { $0 < 0 }) { throw planError("a buffer has size \(size)") }
    // Buffers are allocated before anything runs: bound them as values are bounded.
    if let size = plan.bufferSizes.first(where: { $0 > limits.elementsPerValue }) {
      throw planError("a buffer of \(size) elements is larger than \(limits.elementsPerValue)")
    }
    var total = 0
    for size in plan.bufferSizes {
      total += size  // each size is at most elementsPerValue: no overflow before the check
      guard total <= limits.totalElements else {
        throw planError("the buffers hold more than \(limits.totalElements) elements in all")
      }
    }
    guard plan.peakBytes >= 0, plan.naiveBytes >= 0 else { throw planError("byte counts must not be negative") }
    for (id, buffer) in plan.buffer.enumerated() {
      guard let buffer else { continue }
      guard plan.bufferSizes.indices.contains(buffer) else {
        throw valueError(id, "buffer \(buffer) does not exist (the plan has \(plan.bufferSizes.count))")
      }
      guard program.values[id].shape.count <= plan.bufferSizes[buffer] else {
        throw valueError(
          id, "\(irType(program.values[id].shape)) does not fit buf\(buffer) of \(plan.bufferSizes[buffer]) elements")
      }
    }
    try checkLifetimes(plan)
  }

  /// The lifetimes of values sharing a buffer must not overlap.
  private func checkLifetimes(_ plan: MemoryPlan) throws(IRValidationError) {
    let forever = program.instructions.count
    var start = [Int?](repeating: nil, count: program.values.count)
    var end = [Int](repeating: -1, count: program.values.count)
    for (id, value) in program.values.enumerated() {
      switch value.role {
      case .temporary: break
      case .input: start[id] = -1
      case .parameter, .state, .captured, .constant: (start[id], end[id]) = (-1, forever)
      }
    }
    for (index, instruction) in program.instructions.enumerated() {
      for id in instruction.outputs where start[id] == nil { (start[id], end[id]) = (index, index) }
      for id in instruction.inputs { end[id] = max(end[id], index) }
    }
    for id in program.outputs { end[id] = forever }
    // A reshape placed in its input's buffer is the same data under another
    // shape: the two are one occupant, alive from the first's start to the
    // later end of either.
    var alias = Array(program.values.indices)
    func root(_ id: ValueID) -> ValueID {
      var id = id
      while alias[id] != id { id = alias[id] }
      return id
    }
    for instruction in program.instructions where instruction.operation == .reshape {
      let (input, output) = (instruction.inputs[0], instruction.outputs[0])
      guard let buffer = plan.buffer[output], plan.buffer[input] == buffer else { continue }
      let (base, copy) = (root(input), output)
      alias[copy] = base
      end[base] = max(end[base], end[copy])
    }
    var sharing: [Int: [ValueID]] = [:]
    for (id, buffer) in plan.buffer.enumerated() where start[id] != nil && root(id) == id {
      if let buffer { sharing[buffer, default: []].append(id) }
    }
    for buffer in sharing.keys.sorted() {
      guard let members = sharing[buffer] else { continue }
      let ordered = members.sorted { (start[$0] ?? 0, end[$0], $0) < (start[$1] ?? 0, end[$1], $1) }
      var alive = ordered[0]
      for id in ordered.dropFirst() {
        let begins = start[id] ?? 0
        let overlaps = begins < end[alive] || (begins == end[alive] && !mayShare(alive, id, at: begins, root))
        if overlaps {
          let place = begins >= 0 && begins < forever ? "instruction \(begins)" : "the start"
          throw valueError(
            id, "shares buf\(buffer) with %\(alive), which is still alive when this value is made at \(place)")
        }
        if end[id] > end[alive] { alive = id }
      }
    }
  }

  /// Whether instruction `index` reads `old` for the last time and may
  /// write its result `new` over it.
  /// (`old` stands for its reshape aliases too: `root` maps each to it.)
  private func mayShare(_ old: ValueID, _ new: ValueID, at index: Int, _ root: (ValueID) -> ValueID) -> Bool {
    guard index >= 0 && index < program.instructions.count else { return false }
    let instruction = program.instructions[index]
    guard let output = instruction.outputs.firstIndex(of: new) else { return false }
    let positions = instruction.inputs.indices.filter { root(instruction.inputs[$0]) == old }
    guard !positions.isEmpty else { return false }
    // As many elements as the result: an input that broadcasts to the
    // result without repeating lines up with it element for element.
    let sameCount = program.values[old].shape.count == program.values[new].shape.count
    return positions.allSatisfy { instruction.operation.mayOverwrite(input: $0, with: output) && sameCount }
      || (instruction.operation == .reshape)
  }
}

extension Operation {
  /// Whether result `output` may be written into the buffer of input
  /// `input` (of the same shape) when this is that input's last reader:
  /// elementwise operations and kernels read each element before writing
  /// it; a reshape copies nothing. A fused reduction's reduction and a
  /// matmul epilogue's product are written before the inputs are read, and
  /// other operations gather, so they may not.
  func mayOverwrite(input: Int, with output: Int) -> Bool {
    switch self {
    case .unary, .binary, .select, .fused, .reshape: true
    case .fusedReduce: output > 0
    case .matmulEpilogue: output > 0 && input >= 2
    default: false
    }
  }
}
